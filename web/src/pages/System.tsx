// /system: the live WebSocket sessions and counters of this process, the background jobs with
// their schedule, last run and "Run now", and the recorded job runs (filter by job in the URL).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { components } from '../api/schema';
import { t } from '../i18n';
import { api, attempt } from '../lib/api';
import { dateTime, duration, number, relative } from '../lib/format';
import { useQueryState } from '../lib/router';
import { can, useMe } from '../lib/session';
import { Button, Empty, ErrorAlert, Field, PageTitle, Pager, Skeleton, toast, useLoad, usePager, LoadStatus, TableHead } from '../ui';
import { Badge, Tabs, word, type Tone } from './ops/common';
import './ops.css';

type Job = components['schemas']['Job'];
type JobRun = components['schemas']['JobRun'];
const outcomeTone: Record<string, Tone> = { running: 'info', ok: 'ok', failed: 'danger', interrupted: 'warn' };

export default function System() {
  const [q] = useQueryState();
  const me = useMe();
  const tab = q.get('tab') ?? 'jobs';
  const tabs = [{ id: 'jobs', label: t('ops.system.tab.jobs') }, { id: 'runs', label: t('ops.system.tab.runs') }];
  if (can(me, 'ws.admin')) tabs.push({ id: 'live', label: t('ops.system.tab.live') });
  return (
    <div class="ops-page">
      <PageTitle>{t('ops.system.title')}</PageTitle>
      <Tabs label={t('ops.system.sections')} current={tab} tabs={tabs} />
      {tab === 'live' ? <Live /> : tab === 'runs' ? <Runs /> : <Jobs />}
    </div>
  );
}

function RunBadge({ run }: { run: JobRun }) {
  return <Badge tone={outcomeTone[run.outcome] ?? 'neutral'}>{word('ops.system.outcome', run.outcome)}</Badge>;
}

function Jobs() {
  const { load, reload, set } = useLoad((signal) => attempt(() => api.get('/api/v1/admin/jobs', { signal })), []);
  const [pending, setPending] = useState<string | null>(null);
  const [, setQ] = useQueryState();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  // After "Run now" the run happens in the background: look again until this process has
  // counted one more run (idle runs of some jobs leave no recorded run to wait for).
  const watch = (before: Job, tries: number) => {
    timer.current = setTimeout(async () => {
      const r = await attempt(() => api.get('/api/v1/admin/jobs'));
      if (!r.ok) return;
      set(r.data);
      const job = r.data.items.find((j) => j.name === before.name);
      const lastChanged = job?.last_run && job.last_run.id !== before.last_run?.id && job.last_run.outcome !== 'running';
      if (job && !job.running && (job.runs > before.runs || lastChanged)) {
        const failed = job.failures > before.failures || (lastChanged && job.last_run!.outcome !== 'ok');
        const outcome = failed ? (lastChanged ? job.last_run!.outcome : 'failed') : 'ok';
        toast(t('ops.system.ranDone', { name: job.name, outcome: word('ops.system.outcome', outcome) }), failed ? 'danger' : 'ok');
      } else if (tries > 0) watch(before, tries - 1);
    }, 400);
  };

  const runNow = async (job: Job) => {
    setPending(job.name);
    const r = await attempt(() => api.post('/api/v1/admin/jobs/{name}/run', { params: { path: { name: job.name } } }));
    setPending(null);
    if (r.ok) {
      toast(t('ops.system.triggered', { name: job.name }), 'info');
      watch(job, 40);
    } else toast(r.error.message, 'danger');
  };

  if (load.state === 'loading') return <Skeleton rows={6} />;
  if (load.state === 'error') return <ErrorAlert error={load.error} onRetry={reload} />;
  const { items, instance } = load.data;
  return (
    <>
      <p class="muted">{t('ops.system.instance', { name: instance })}</p>
      {items.length ? (
        <div class="table-wrap">
          <table class="ops-rowhead ops-stack" aria-label={t('ops.system.tab.jobs')}>
            <TableHead
              cols={[
                t('ops.system.job'),
                t('ops.system.schedule'),
                t('ops.system.lastRun'),
                { label: t('ops.system.counts'), num: true },
                { label: t('ops.system.actions'), hidden: true },
              ]}
            />
            <tbody>
              {items.map((j) => (
                <tr key={j.name}>
                  <th scope="row">
                    <span class="ops-mono">{j.name}</span>
                    <p class="small muted">{j.description}</p>
                  </th>
                  <td data-label={t('ops.system.schedule')}>
                    {t('ops.system.every', { time: duration(j.interval_s * 1000) })}
                    {j.single_instance ? <><br /><span class="small">{t('ops.system.single')}</span></> : null}
                    <br />
                    {j.running ? <Badge tone="info">{t('ops.system.running')}</Badge>
                      : j.next_run_at ? <span class="small">{t('ops.system.next', { when: relative(j.next_run_at) })}</span> : null}
                    {j.lease_holder && j.lease_holder !== instance ? <><br /><span class="small">{t('ops.system.lease', { name: j.lease_holder })}</span></> : null}
                  </td>
                  <td data-label={t('ops.system.lastRun')}>
                    {j.last_run ? (
                      <>
                        <RunBadge run={j.last_run} />
                        <br /><span class="small">{dateTime(j.last_run.started_at)}</span>
                        <br /><span class="small muted">{tnItems(j.last_run.items)}</span>
                        {j.last_run.error ? <p class="small tone-danger">{j.last_run.error}</p> : null}
                      </>
                    ) : <span class="muted">{t('ops.system.never')}</span>}
                  </td>
                  <td class="num" data-label={t('ops.system.counts')}>
                    {t('ops.system.runsCount', { n: number(j.runs) })}
                    <br />{t('ops.system.failuresCount', { n: number(j.failures) })}
                    {j.skipped ? <><br />{t('ops.system.skippedCount', { n: number(j.skipped) })}</> : null}
                  </td>
                  <td>
                    <div class="btn-row">
                      <Button variant="primary" pending={pending === j.name} disabled={j.running}
                        onClick={() => runNow(j)} aria-label={t('ops.system.runNowOf', { name: j.name })}>
                        {t('ops.system.runNow')}
                      </Button>
                      <Button variant="ghost" onClick={() => setQ({ tab: 'runs', job: j.name })}
                        aria-label={t('ops.system.historyOf', { name: j.name })}>
                        {t('ops.system.history')}
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <Empty title={t('ops.system.noJobs')} body={t('ops.system.noJobsBody')} />}
    </>
  );
}

function tnItems(n: number): string {
  return t('ops.system.items', { n: number(n) });
}

function Runs() {
  const [q, setQ] = useQueryState();
  const job = q.get('job') ?? '';
  const pager = usePager(job);
  const jobs = useLoad((signal) => attempt(() => api.get('/api/v1/admin/jobs', { signal })), []);
  const { load, reload } = useLoad(
    (signal) => attempt(() => api.get('/api/v1/admin/jobs/runs', {
      params: { query: { ...(job ? { job } : {}), limit: 50, ...(pager.cursor ? { cursor: pager.cursor } : {}) } }, signal,
    })),
    [job, pager.cursor],
  );
  const names = jobs.load.state === 'ok' ? jobs.load.data.items.map((j) => j.name) : [];
  return (
    <>
      <div class="filters">
        <Field id="f-job" label={t('ops.system.job')}>
          <select id="f-job" value={job} onChange={(e) => setQ({ job: e.currentTarget.value })}>
            <option value="">{t('ops.system.anyJob')}</option>
            {names.map((n) => <option key={n} value={n}>{n}</option>)}
            {job && !names.includes(job) ? <option value={job}>{job}</option> : null}
          </select>
        </Field>
        <div class="btn-row"><Button onClick={reload}>{t('ops.refresh')}</Button></div>
      </div>
      <LoadStatus load={load} retry={reload} rows={6} />
      {load.state === 'ok' ? (
        load.data.items.length ? (
          <>
            <div class="table-wrap">
              <table aria-label={t('ops.system.tab.runs')}>
                <TableHead
                  cols={[
                    t('ops.system.job'),
                    t('ops.system.outcomeCol'),
                    t('ops.system.started'),
                    t('ops.system.took'),
                    { label: t('ops.system.itemsCol'), num: true },
                    t('ops.system.instanceCol'),
                  ]}
                />
                <tbody>
                  {load.data.items.map((r) => (
                    <tr key={r.id}>
                      <td class="ops-mono">{r.job}</td>
                      <td><RunBadge run={r} />{r.error ? <p class="small tone-danger">{r.error}</p> : null}</td>
                      <td>{dateTime(r.started_at)}</td>
                      <td>{r.finished_at ? duration(new Date(r.finished_at).getTime() - new Date(r.started_at).getTime()) : t('app.none')}</td>
                      <td class="num">{number(r.items)}</td>
                      <td class="small ops-mono">{r.instance}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager pager={pager} nextCursor={load.data.next_cursor} />
          </>
        ) : <Empty title={t('ops.system.noRuns')} body={t('ops.system.noRunsBody')} />
      ) : null}
    </>
  );
}

function Live() {
  const stats = useLoad((signal) => attempt(() => api.get('/api/v1/admin/ws/stats', { signal })), []);
  const sessions = useLoad((signal) => attempt(() => api.get('/api/v1/admin/ws/sessions', { signal })), []);
  const refresh = () => { stats.reload(); sessions.reload(); };
  return (
    <>
      <div class="btn-row"><Button onClick={refresh}>{t('ops.refresh')}</Button></div>
      <h2>{t('ops.system.stats')}</h2>
      <LoadStatus load={stats.load} retry={stats.reload} rows={2} />
      {stats.load.state === 'ok' ? (
        <>
          <div class="grid">
            {([
              ['open', stats.load.data.open],
              ['connects', stats.load.data.connects],
              ['disconnects', stats.load.data.disconnects],
              ['messagesSent', stats.load.data.messages_sent],
              ['messagesDropped', stats.load.data.messages_dropped],
              ['cleanupClosed', stats.load.data.cleanup_closed],
            ] as const).map(([k, v]) => (
              <div key={k} class="card ops-metric">
                <span class="muted">{t(`ops.system.stat.${k}`)}</span>
                <span class="kpi">{number(v)}</span>
              </div>
            ))}
          </div>
          {Object.keys(stats.load.data.by_role).length ? (
            <p>
              {t('ops.system.byRole')}{' '}
              {Object.entries(stats.load.data.by_role).map(([role, n]) => t('ops.system.roleCount', { role, n: number(n) })).join(', ')}
            </p>
          ) : null}
        </>
      ) : null}
      <h2>{t('ops.system.sessions')}</h2>
      <LoadStatus load={sessions.load} retry={sessions.reload} rows={3} />
      {sessions.load.state === 'ok' ? (
        sessions.load.data.items.length ? (
          <div class="table-wrap">
            <table aria-label={t('ops.system.sessions')}>
              <TableHead
                cols={[
                  t('ops.system.user'),
                  t('ops.system.roles'),
                  t('ops.system.connected'),
                  t('ops.system.lastSeen'),
                  { label: t('ops.system.sent'), num: true },
                  { label: t('ops.system.dropped'), num: true },
                  { label: t('ops.system.queue'), num: true },
                  t('ops.system.client'),
                ]}
              />
              <tbody>
                {sessions.load.data.items.map((s) => (
                  <tr key={s.session_id}>
                    <td>{t('ops.audit.user', { id: s.user_id })}<br /><span class="small muted ops-mono">{s.session_id}</span></td>
                    <td>{s.roles.join(', ')}</td>
                    <td>{dateTime(s.connected_at)}</td>
                    <td>{relative(s.last_seen_at)}</td>
                    <td class="num">{number(s.messages_sent)}</td>
                    <td class="num">{number(s.messages_dropped)}</td>
                    <td class="num">{number(s.queue_depth)}</td>
                    <td class="small">{s.remote_addr}<br /><span class="muted">{s.user_agent}</span></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : <Empty title={t('ops.system.noSessions')} body={t('ops.system.noSessionsBody')} />
      ) : null}
    </>
  );
}
