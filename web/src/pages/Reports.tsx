// /reports: build a report for a kind and period (in the URL), read it in the page, download
// every format, edit the schedules that mail it, and see the past runs with their files.
import type { components } from '../api/schema';
import { t } from '../i18n';
import { api, attempt, errorField } from '../lib/api';
import { dateTime, number, percent } from '../lib/format';
import { useQueryState } from '../lib/router';
import { Empty, ErrorAlert, Field, PageTitle, Pager, Skeleton, describedBy, useLoad, usePager, TableHead } from '../ui';
import { Badge, KINDS, REPORT_FORMATS as FORMATS, Tabs, ZoneList, browserZone, word } from './ops/common';
import { Schedules } from './ops/Schedules';
import './ops.css';

type Report = components['schemas']['Report'];
type Section = Report['sections'][number];
type Metric = Section['metrics'][number];
type Table = Section['tables'][number];
type Chart = Section['charts'][number];
type Kind = Report['kind'];

/** Whether the kind covers the day or week of `date` (else a from–to range). */
const byDate = (kind: Kind) => kind === 'daily' || kind === 'weekly';

export default function Reports() {
  const [q] = useQueryState();
  const tab = q.get('tab') ?? 'report';
  return (
    <div class="ops-page">
      <PageTitle>{t('ops.reports.title')}</PageTitle>
      <Tabs
        label={t('ops.reports.sections')}
        current={tab}
        tabs={[
          { id: 'report', label: t('ops.reports.tab.report') },
          { id: 'schedules', label: t('ops.reports.tab.schedules') },
          { id: 'runs', label: t('ops.reports.tab.runs') },
        ]}
      />
      {tab === 'schedules' ? <Schedules /> : tab === 'runs' ? <Runs /> : <Builder />}
    </div>
  );
}

function Builder() {
  const [q, setQ] = useQueryState();
  const kindParam = q.get('kind') as Kind | null;
  const kind: Kind = kindParam && KINDS.includes(kindParam) ? kindParam : 'daily';
  const tz = q.get('tz') ?? browserZone();
  const day = q.get('date') ?? '';
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  const query: { tz: string; date?: string; from?: string; to?: string } = { tz };
  if (byDate(kind)) {
    if (day) query.date = day;
  } else {
    if (from) query.from = from;
    if (to) query.to = to;
  }
  const { load, reload } = useLoad(
    (signal) => attempt(() => api.get('/api/v1/reports/{kind}', { params: { path: { kind }, query }, signal })),
    [kind, tz, query.date, query.from, query.to],
  );
  const failedField = load.state === 'error' ? errorField(load.error.error) : undefined;
  const fieldErr = (f: string) => (failedField === f && load.state === 'error' ? load.error.error.message : undefined);
  const download = (format: string) => {
    const p = new URLSearchParams({ ...query, format });
    return `/api/v1/reports/${kind}?${p.toString()}`;
  };

  return (
    <>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('ops.reports.period')}>
        <Field id="report-kind" label={t('ops.reports.kind')} error={fieldErr('kind')}>
          <select id="report-kind" value={kind} onChange={(e) => setQ({ kind: e.currentTarget.value })}
            aria-describedby={describedBy('report-kind', undefined, fieldErr('kind'))}>
            {KINDS.map((k) => <option key={k} value={k}>{word('ops.kind', k)}</option>)}
          </select>
        </Field>
        {byDate(kind) ? (
          <Field id="report-date" label={kind === 'weekly' ? t('ops.reports.weekOf') : t('ops.reports.date')}
            hint={t('ops.reports.dateHint')} error={fieldErr('date')}>
            <input id="report-date" type="date" value={day} max="9999-12-31"
              onChange={(e) => setQ({ date: e.currentTarget.value })}
              aria-invalid={!!fieldErr('date') || undefined}
              aria-describedby={describedBy('report-date', true, fieldErr('date'))} />
          </Field>
        ) : (
          <>
            <Field id="report-from" label={t('ops.reports.from')} hint={t('ops.reports.rangeHint')} error={fieldErr('from')}>
              <input id="report-from" type="date" value={from} onChange={(e) => setQ({ from: e.currentTarget.value })}
                aria-invalid={!!fieldErr('from') || undefined}
                aria-describedby={describedBy('report-from', true, fieldErr('from'))} />
            </Field>
            <Field id="report-to" label={t('ops.reports.to')} error={fieldErr('to')}>
              <input id="report-to" type="date" value={to} onChange={(e) => setQ({ to: e.currentTarget.value })}
                aria-invalid={!!fieldErr('to') || undefined}
                aria-describedby={describedBy('report-to', undefined, fieldErr('to'))} />
            </Field>
          </>
        )}
        <Field id="report-tz" label={t('ops.reports.tz')} error={fieldErr('tz')}>
          <input id="report-tz" value={tz} list="ops-zones" autocomplete="off"
            onChange={(e) => setQ({ tz: e.currentTarget.value.trim() === browserZone() ? null : e.currentTarget.value.trim() })}
            aria-invalid={!!fieldErr('tz') || undefined}
            aria-describedby={describedBy('report-tz', undefined, fieldErr('tz'))} />
        </Field>
        <ZoneList />
      </form>

      <section class="card" aria-labelledby="downloads-title">
        <h2 id="downloads-title" class="small">{t('ops.reports.download')}</h2>
        <div class="ops-downloads">
          {FORMATS.map((f) => (
            <a key={f} class="btn btn-secondary" href={download(f)} download>
              {t('ops.reports.downloadAs', { format: f.toUpperCase() })}
            </a>
          ))}
        </div>
      </section>

      {load.state === 'loading' ? <Skeleton rows={6} /> : null}
      {load.state === 'error' && !(failedField && ['kind', 'date', 'from', 'to', 'tz'].includes(failedField))
        ? <ErrorAlert error={load.error} onRetry={reload} /> : null}
      {load.state === 'ok' ? <ReportView report={load.data} /> : null}
    </>
  );
}

function ReportView({ report }: { report: Report }) {
  const p = report.period;
  const pp = report.previous_period;
  const empty = report.sections.every((s) => !s.metrics.length && !s.tables.length && !s.charts.length);
  return (
    <article aria-labelledby="report-title">
      <h2 id="report-title">{report.title}</h2>
      <p class="muted">
        {p.from === p.to ? t('ops.reports.periodDay', { day: p.from, tz: p.time_zone })
          : t('ops.reports.periodRange', { from: p.from, to: p.to, tz: p.time_zone })}
        {' · '}
        {t('ops.reports.previous', { from: pp.from, to: pp.to })}
        {' · '}
        {t('ops.reports.generated', { at: dateTime(report.generated_at) })}
      </p>
      {report.insights.length || report.recommendations.length ? (
        <div class="grid">
          {report.insights.length ? (
            <section class="card" aria-labelledby="insights-title">
              <h3 id="insights-title">{t('ops.reports.insights')}</h3>
              <ul class="ops-list">{report.insights.map((x, i) => <li key={i}>{x}</li>)}</ul>
            </section>
          ) : null}
          {report.recommendations.length ? (
            <section class="card" aria-labelledby="recs-title">
              <h3 id="recs-title">{t('ops.reports.recommendations')}</h3>
              <ul class="ops-list">{report.recommendations.map((x, i) => <li key={i}>{x}</li>)}</ul>
            </section>
          ) : null}
        </div>
      ) : null}
      {empty ? <Empty title={t('ops.reports.emptyTitle')} body={t('ops.reports.emptyBody')} /> : null}
      {report.sections.map((s) => <SectionView key={s.key} section={s} />)}
    </article>
  );
}

function SectionView({ section }: { section: Section }) {
  const id = `section-${section.key}`;
  return (
    <section class="ops-section" aria-labelledby={id}>
      <h3 id={id}>{section.title}</h3>
      {section.metrics.length ? (
        <div class="grid">{section.metrics.map((m) => <MetricCard key={m.key} m={m} />)}</div>
      ) : null}
      {section.charts.map((c) => <ChartView key={c.key} chart={c} />)}
      {section.tables.map((tb) => <TableView key={tb.key} table={tb} />)}
    </section>
  );
}

export function unitValue(unit: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return t('app.none');
  switch (unit) {
    case 'percent': return percent(v);
    case 'hours': return t('ops.unit.hours', { n: number(v, { maximumFractionDigits: 1 }) });
    case 'days': return t('ops.unit.days', { n: number(v, { maximumFractionDigits: 1 }) });
    default: return number(v, { maximumFractionDigits: 2 });
  }
}

function MetricCard({ m }: { m: Metric }) {
  let verdict: { tone: 'ok' | 'danger' | 'neutral'; text: string } | null = null;
  if (m.change !== null && m.change !== 0 && m.higher_is_better !== null) {
    const better = (m.change > 0) === m.higher_is_better;
    verdict = { tone: better ? 'ok' : 'danger', text: better ? t('ops.reports.better') : t('ops.reports.worse') };
  } else if (m.change === 0) verdict = { tone: 'neutral', text: t('ops.reports.same') };
  const sign = m.change !== null && m.change > 0 ? '+' : '';
  return (
    <div class="card ops-metric">
      <span class="muted">{m.label}</span>
      <span class="kpi">{unitValue(m.unit, m.value)}</span>
      <span class="small">
        {t('ops.reports.previousValue', { value: unitValue(m.unit, m.previous) })}
        {m.change !== null && m.change !== 0 ? ` (${sign}${m.unit === 'percent' ? t('ops.unit.points', { n: number(m.change, { maximumFractionDigits: 1 }) }) : unitValue(m.unit, m.change)})` : ''}
      </span>
      {verdict ? <Badge tone={verdict.tone}>{verdict.text}</Badge> : null}
      {m.goal !== null ? <span class="small muted">{t('ops.reports.goal', { value: unitValue(m.unit, m.goal) })}</span> : null}
    </div>
  );
}

function ChartView({ chart }: { chart: Chart }) {
  const max = Math.max(0, ...chart.bars.map((b) => b.value));
  const id = `chart-${chart.key}`;
  return (
    <figure class="card" aria-labelledby={id}>
      <figcaption id={id}><strong>{chart.title}</strong></figcaption>
      {chart.bars.length ? (
        <ul class="ops-bars">
          {chart.bars.map((b, i) => (
            <li key={i}>
              <span>{b.label}</span>
              <span class="ops-bar" aria-hidden="true"><span style={{ width: `${max > 0 ? (b.value / max) * 100 : 0}%` }} /></span>
              <span class="num">{unitValue(chart.unit, b.value)}</span>
            </li>
          ))}
        </ul>
      ) : <p class="muted">{t('ops.reports.noBars')}</p>}
    </figure>
  );
}

function cell(type: string, v: string | number | null): string {
  if (v === null) return t('app.none');
  if (type === 'datetime' && typeof v === 'string') return dateTime(v);
  if (typeof v === 'number') {
    if (type === 'percent') return percent(v);
    if (type === 'hours') return t('ops.unit.hours', { n: number(v, { maximumFractionDigits: 1 }) });
    return number(v, { maximumFractionDigits: 2 });
  }
  return v;
}

function TableView({ table }: { table: Table }) {
  const numeric = (type: string) => type !== 'text' && type !== 'datetime';
  return (
    <div class="ops-section">
      <h4 id={`table-${table.key}`}>{table.title}</h4>
      {table.rows.length ? (
        <div class="table-wrap">
          <table aria-labelledby={`table-${table.key}`}>
            <TableHead cols={table.columns.map((c) => (numeric(c.type) ? { label: c.label, num: true } : c.label))} />
            <tbody>
              {table.rows.map((row, i) => (
                <tr key={i}>
                  {table.columns.map((c, j) => (
                    <td key={c.key} class={numeric(c.type) ? 'num' : ''}>{cell(c.type, row[j] ?? null)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p class="muted">{t('ops.reports.noRows')}</p>}
      {table.total_rows > table.rows.length ? (
        <p class="small muted">{t('ops.reports.cut', { shown: number(table.rows.length), total: number(table.total_rows) })}</p>
      ) : null}
    </div>
  );
}

const runTone = { running: 'info', succeeded: 'ok', failed: 'danger' } as const;

function Runs() {
  const pager = usePager('runs');
  const { load, reload } = useLoad(
    (signal) => attempt(() => api.get('/api/v1/reports/runs', { params: { query: { limit: 25, ...(pager.cursor ? { cursor: pager.cursor } : {}) } }, signal })),
    [pager.cursor],
  );
  if (load.state === 'loading') return <Skeleton />;
  if (load.state === 'error') return <ErrorAlert error={load.error} onRetry={reload} />;
  const { items, next_cursor } = load.data;
  if (!items.length) return <Empty title={t('ops.runs.emptyTitle')} body={t('ops.runs.emptyBody')} />;
  return (
    <>
      <div class="table-wrap">
        <table aria-label={t('ops.reports.tab.runs')}>
          <TableHead
            cols={[
              t('ops.runs.id'),
              t('ops.reports.kind'),
              t('ops.runs.period'),
              t('ops.runs.status'),
              t('ops.runs.started'),
              t('ops.runs.recipients'),
              t('ops.runs.files'),
            ]}
          />
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td class="num">{r.id}</td>
                <td>{word('ops.kind', r.kind)}<br /><span class="small muted">{word('ops.runs.source', r.source)}</span></td>
                <td>{t('ops.reports.periodRange', { from: r.period.from, to: r.period.to, tz: r.period.time_zone })}</td>
                <td>
                  <Badge tone={runTone[r.status] ?? 'neutral'}>{word('ops.runs.state', r.status)}</Badge>
                  {r.error ? <p class="small tone-danger">{r.error}</p> : null}
                </td>
                <td>{dateTime(r.started_at)}</td>
                <td>{r.recipients.length ? r.recipients.join(', ') : t('app.none')}</td>
                <td>
                  {r.files.length ? (
                    <ul class="ops-list">
                      {r.files.map((f) => (
                        <li key={f.format}>
                          <a href={f.url} download={f.name}>{t('ops.runs.file', { format: f.format.toUpperCase(), name: f.name })}</a>
                        </li>
                      ))}
                    </ul>
                  ) : t('app.none')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager pager={pager} nextCursor={next_cursor} />
    </>
  );
}
