// The admin dashboard (Grafana/Stripe style): a few large numbers, each with its context, and
// charts that answer one question each. Live: the `dashboard` WebSocket frame replaces the
// numbers in place; throughput and SLA compliance come from the reports API.
import { useEffect, useState } from 'preact/hooks';
import type { components } from '../api/schema';
import { t, type MessageKey } from '../i18n';
import { api, attempt } from '../lib/api';
import * as fmt from '../lib/format';
import { onDashboard, onReconnected } from '../lib/live';
import { Link } from '../lib/router';
import { can, useMe } from '../lib/session';
import { Empty, ErrorAlert, PageTitle, Skeleton, useLoad, LoadStatus } from '../ui';
import { BarChart } from './admin/BarChart';
import './admin.css';

type Dash = components['schemas']['Dashboard'];
type Report = components['schemas']['Report'];
type Metric = Report['sections'][number]['metrics'][number];

const STAGES = ['details', 'documents', 'final', 'completed'] as const;
const STATUSES = ['draft', 'submitted', 'rejected'] as const;

function metric(r: Report | undefined, key: string): Metric | undefined {
  for (const s of r?.sections ?? []) {
    const m = s.metrics.find((x) => x.key === key);
    if (m) return m;
  }
  return undefined;
}
/** A column of a report table as bars: label from `labelKey`, value from `valueKey`. */
function tableBars(r: Report | undefined, key: string, labelKey: string, valueKey: string) {
  for (const s of r?.sections ?? []) {
    const tb = s.tables.find((x) => x.key === key);
    if (!tb) continue;
    const li = tb.columns.findIndex((c) => c.key === labelKey);
    const vi = tb.columns.findIndex((c) => c.key === valueKey);
    if (li < 0 || vi < 0) return undefined;
    return tb.rows.map((row) => ({ label: String(row[li] ?? ''), value: Number(row[vi] ?? 0) }));
  }
  return undefined;
}
function chart(r: Report | undefined, key: string) {
  for (const s of r?.sections ?? []) {
    const c = s.charts.find((x) => x.key === key);
    if (c) return c;
  }
  return undefined;
}

function Kpi({ label, value, context, href, tone }: {
  label: string; value: string; context?: string | undefined; href?: string; tone?: string;
}) {
  return (
    <div class="card kpi-card">
      <p class="kpi-label">{label}</p>
      <p class={`kpi ${tone ?? ''}`}>{href ? <Link href={href}>{value}</Link> : value}</p>
      {context ? <p class="muted small">{context}</p> : null}
    </div>
  );
}

function previousText(m: Metric | undefined, format: (n: number) => string): string | undefined {
  if (!m || m.previous === null || m.previous === undefined) return undefined;
  return t('admin.dash.previous', { value: format(m.previous) });
}

export default function Dashboard() {
  const user = useMe();
  const reports = can(user, 'reports.read');
  const dash = useLoad((signal) => attempt(() => api.get('/api/v1/dashboard', { signal })), []);
  const weekly = useLoad(
    (signal) => reports
      ? attempt(() => api.get('/api/v1/reports/{kind}', { params: { path: { kind: 'weekly' }, query: { format: 'json' } }, signal }))
      : Promise.resolve({ ok: true as const, data: undefined }),
    [reports],
  );
  const sla = useLoad(
    (signal) => reports
      ? attempt(() => api.get('/api/v1/reports/{kind}', { params: { path: { kind: 'sla' }, query: { format: 'json' } }, signal }))
      : Promise.resolve({ ok: true as const, data: undefined }),
    [reports],
  );
  const [live, setLive] = useState(false);

  useEffect(() => {
    const off = onDashboard((frame) => {
      const m = (frame as { metrics?: Dash }).metrics;
      if (m) {
        dash.set(m);
        setLive(true);
      }
    });
    const off2 = onReconnected(() => dash.reload());
    return () => { off(); off2(); };
  }, []);

  const title = <PageTitle>{t('admin.dash.title')}</PageTitle>;
  if (dash.load.state === 'loading') return <>{title}<Skeleton rows={6} /></>;
  if (dash.load.state === 'error') return <>{title}<ErrorAlert error={dash.load.error} onRetry={dash.reload} /></>;
  const d = dash.load.data;
  const w = weekly.load.state === 'ok' ? (weekly.load.data as Report | undefined) : undefined;
  const s = sla.load.state === 'ok' ? (sla.load.data as Report | undefined) : undefined;

  const completions = metric(w, 'completions');
  const compliance = metric(s, 'sla_compliance');
  const decisions = metric(w, 'decisions');
  const perWeek = chart(w, 'completions_by_week');
  const decisionsPerWeek = tableBars(w, 'weeks', 'week', 'decisions');
  const weekLabel = (iso: string) => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? fmt.date(`${iso}T12:00:00Z`) : iso);
  const byStageSla = chart(s, 'compliance_by_stage');
  const pct = (n: number) => fmt.percent(n);
  const median = d.this_week.median_days_to_complete;

  return (
    <>
      {title}
      <p class="muted small" aria-live="polite">
        {t(live ? 'admin.dash.asOfLive' : 'admin.dash.asOf', { time: fmt.dateTime(d.as_of), zone: d.time_zone })}
      </p>
      {d.total === 0 ? (
        <Empty title={t('admin.dash.empty.title')} body={t('admin.dash.empty.body')}>
          <Link href="/people">{t('admin.dash.empty.action')}</Link>
        </Empty>
      ) : null}
      <div class="grid kpis">
        <Kpi label={t('admin.dash.inProgress')} value={fmt.number(d.in_progress)}
          context={t('admin.dash.inProgressCtx', { total: fmt.number(d.total), completed: fmt.number(d.completed) })} href="/queue" />
        <Kpi label={t('admin.dash.overdue')} value={fmt.number(d.overdue)} tone={d.overdue > 0 ? 'tone-danger' : ''}
          context={t('admin.dash.overdueCtx')} href="/queue?overdue=true" />
        <Kpi label={t('admin.dash.urgent')} value={fmt.number(d.urgent)} tone={d.urgent > 0 ? 'tone-warn' : ''}
          context={t('admin.dash.urgentCtx')} href="/queue?urgent=true" />
        <Kpi label={t('admin.dash.completedWeek')} value={fmt.number(d.this_week.completions)}
          context={[
            median !== null ? t('admin.dash.medianDays', { days: fmt.number(median, { maximumFractionDigits: 1 }) }) : '',
            previousText(completions, (n) => fmt.number(n)) ?? '',
          ].filter(Boolean).join(' · ') || undefined} />
        {reports ? (
          <Kpi label={t('admin.dash.slaCompliance')}
            value={compliance?.value !== null && compliance?.value !== undefined ? pct(compliance.value) : t('app.none')}
            context={compliance?.value === null || compliance === undefined
              ? t('admin.dash.slaNone')
              : previousText(compliance, pct)} />
        ) : null}
      </div>

      <h2>{t('admin.dash.today')}</h2>
      <div class="card">
        <dl class="facts">
          <dt>{t('admin.dash.today.submissions')}</dt><dd class="num">{fmt.number(d.today.submissions)}</dd>
          <dt>{t('admin.dash.today.approvals')}</dt><dd class="num">{fmt.number(d.today.approvals)}</dd>
          <dt>{t('admin.dash.today.rejections')}</dt><dd class="num">{fmt.number(d.today.rejections)}</dd>
          <dt>{t('admin.dash.today.completions')}</dt><dd class="num">{fmt.number(d.today.completions)}</dd>
          <dt>{t('admin.dash.today.documents')}</dt><dd class="num">{fmt.number(d.today.documents_uploaded)}</dd>
          <dt>{t('admin.dash.bulkRunning')}</dt>
          <dd class="num">{d.bulk_jobs_running > 0 ? <Link href="/bulk">{fmt.number(d.bulk_jobs_running)}</Link> : fmt.number(0)}</dd>
          <dt>{t('admin.dash.emailQueue')}</dt><dd class="num">{fmt.number(d.email_queue)}</dd>
        </dl>
      </div>

      <div class="dash-charts">
        <section class="card" aria-labelledby="dash-stage">
          <h2 id="dash-stage">{t('admin.dash.byStage')}</h2>
          <BarChart title={t('admin.dash.byStage')}
            bars={STAGES.map((k) => ({ label: t(`stage.${k}` as MessageKey), value: d.by_stage[k] ?? 0 }))} />
        </section>
        <section class="card" aria-labelledby="dash-status">
          <h2 id="dash-status">{t('admin.dash.byStatus')}</h2>
          <BarChart title={t('admin.dash.byStatus')}
            bars={STATUSES.map((k) => ({ label: t(`status.${k}` as MessageKey), value: d.by_status[k] ?? 0 }))} />
        </section>
        {reports ? (
          <section class="card" aria-labelledby="dash-throughput">
            <h2 id="dash-throughput">{t('admin.dash.throughput')}</h2>
            <LoadStatus load={weekly.load} retry={weekly.reload} rows={4} />
            {decisionsPerWeek ? (
              <>
                <h3>{t('admin.dash.decisionsPerWeek')}</h3>
                <BarChart title={t('admin.dash.decisionsPerWeek')}
                  bars={decisionsPerWeek.map((b) => ({ label: weekLabel(b.label), value: b.value }))} />
              </>
            ) : null}
            {decisions ? (
              <p class="muted small">{t('admin.dash.decisionsWeek', { value: fmt.number(decisions.value ?? 0), previous: fmt.number(decisions.previous ?? 0) })}</p>
            ) : null}
            {perWeek ? (
              <>
                <h3>{t('admin.dash.completionsPerWeek')}</h3>
                <BarChart title={t('admin.dash.completionsPerWeek')}
                  bars={perWeek.bars.map((b) => ({ label: weekLabel(b.label), value: b.value }))} />
              </>
            ) : null}
          </section>
        ) : null}
        {reports ? (
          <section class="card" aria-labelledby="dash-sla">
            <h2 id="dash-sla">{t('admin.dash.slaByStage')}</h2>
            <LoadStatus load={sla.load} retry={sla.reload} rows={3} />
            {byStageSla ? (
              <BarChart title={t('admin.dash.slaByStage')} max={100}
                bars={byStageSla.bars.map((b) => ({ label: b.label, value: b.value, text: pct(b.value) }))} />
            ) : null}
            {s ? <p class="muted small">{t('admin.dash.slaPeriod', { from: fmt.date(s.period.start), to: fmt.date(s.period.to + 'T12:00:00Z') })}</p> : null}
            <Link href="/reports">{t('admin.dash.moreReports')}</Link>
          </section>
        ) : null}
      </div>
    </>
  );
}
