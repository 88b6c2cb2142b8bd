// One bulk job: its progress live (`bulk_progress` frames, with a slow poll as a fallback), the
// per-item results with failed items first (each with its error and a link to the item), paged;
// and cancel while it runs.
import { useEffect, useState } from 'preact/hooks';
import type { components } from '../api/schema';
import type { Failure } from '../api/client';
import { t, tn } from '../i18n';
import { api, attempt } from '../lib/api';
import * as fmt from '../lib/format';
import { onBulkProgress, onReconnected } from '../lib/live';
import { Link } from '../lib/router';
import type { PageProps } from '../routes';
import { Button, Empty, ErrorAlert, PageTitle, Pager, ProgressBar, Skeleton, useLoad, usePager, TableHead } from '../ui';
import { JobStatus, ResultBadge, kindText } from './admin/jobs';
import './admin.css';

type Job = components['schemas']['BulkJob'];
type Item = Job['results'][number];
type Progress = Pick<Job, 'status' | 'done' | 'total' | 'succeeded' | 'failed' | 'cancel_requested' | 'finished_at'>;

const ORDER: Record<string, number> = { failed: 0, cancelled: 1, pending: 2, ok: 3 };
const PAGE = 1000; // results fetched per call; shown 50 at a time, failed first
const SHOW = 50;

function itemLabel(kind: string, id: string): string {
  if (kind.startsWith('profiles.')) return t('admin.job.profile', { id });
  if (kind.startsWith('documents.')) return t('admin.job.document', { id });
  if (kind === 'roles' || kind === 'managers' || kind === 'notifications') return t('admin.job.user', { id });
  return t('admin.job.item', { id });
}

function itemHref(kind: string, id: string | null | undefined): string | null {
  if (!id) return null;
  if (kind === 'profiles.decision' || kind === 'profiles.status') return `/profiles/${encodeURIComponent(id)}`;
  if (kind === 'roles' || kind === 'managers' || kind === 'notifications') return `/people?id=${encodeURIComponent(id)}`;
  return null;
}

export default function BulkJob({ params }: PageProps) {
  const id = Number(params.id);
  const pager = usePager(String(id));
  const job = useLoad(
    (signal) => attempt(() => api.get('/api/v1/bulk/jobs/{id}', {
      params: { path: { id }, query: { limit: PAGE, ...(pager.cursor ? { cursor: Number(pager.cursor) } : {}) } }, signal,
    })),
    [id, pager.cursor],
  );
  const [progress, setProgress] = useState<Progress | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<Failure | null>(null);
  const [shown, setShown] = useState(SHOW);
  const [onlyFailed, setOnlyFailed] = useState(false);
  useEffect(() => setShown(SHOW), [pager.cursor, onlyFailed]);

  useEffect(() => {
    if (job.load.state === 'ok') {
      const j = job.load.data;
      setProgress((p) => (p && p.done > j.done && j.status === 'running' ? p : j));
    }
  }, [job.load]);

  const running = progress?.status === 'running';

  useEffect(() => {
    const off = onBulkProgress((f) => {
      if (f.job_id !== id) return;
      setProgress((p) => (p ? { ...p, done: f.done, total: f.total, succeeded: f.succeeded, failed: f.failed } : p));
      if (f.done >= f.total) job.reload();
    });
    const off2 = onReconnected(() => job.reload());
    return () => { off(); off2(); };
  }, [id]);

  // A fallback while the socket is quiet: the job's state every few seconds until it ends.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(async () => {
      const r = await attempt(() => api.get('/api/v1/bulk/jobs/{id}', { params: { path: { id }, query: { limit: 1 } } }));
      if (!r.ok) return;
      if (r.data.status !== 'running') job.reload();
      else setProgress((p) => (p && p.done >= r.data.done ? p : r.data));
    }, 4000);
    return () => clearInterval(timer);
  }, [running, id]);

  const cancel = async () => {
    setCancelling(true);
    setCancelError(null);
    const r = await attempt(() => api.post('/api/v1/bulk/jobs/{id}/cancel', { params: { path: { id } } }));
    setCancelling(false);
    if (!r.ok) setCancelError(r);
    else setProgress((p) => (p ? { ...p, cancel_requested: true } : p));
  };

  const title = <PageTitle>{t('admin.job.title', { id: params.id ?? '' })}</PageTitle>;
  const back = <p><Link href="/bulk">{t('admin.job.back')}</Link></p>;
  if (job.load.state === 'loading' && !progress) return <>{back}{title}<Skeleton /></>;
  if (job.load.state === 'error') return <>{back}{title}<ErrorAlert error={job.load.error} onRetry={job.reload} /></>;
  const j = job.load.state === 'ok' ? job.load.data : null;
  const p = progress ?? j;
  if (!p) return <>{back}{title}<Skeleton /></>;
  const all: Item[] = j ? [...j.results].sort((a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) || a.seq - b.seq) : [];
  const filtered = onlyFailed ? all.filter((r) => r.status === 'failed' || r.status === 'cancelled') : all;
  const results = filtered.slice(0, shown);
  const kind = j?.kind ?? '';
  const ended = p.status !== 'running';

  return (
    <>
      {back}
      {title}
      <section class="card" aria-labelledby="job-progress">
        <h2 id="job-progress" class="visually-hidden">{t('admin.job.progress')}</h2>
        <dl class="facts">
          <dt>{t('admin.job.col.kind')}</dt><dd>{kind ? kindText(kind) : t('app.none')}</dd>
          <dt>{t('admin.job.col.status')}</dt><dd><JobStatus status={p.status} />{p.cancel_requested && running ? <span class="muted small"> {t('admin.job.cancelRequested')}</span> : null}</dd>
          {j ? <><dt>{t('admin.job.col.started')}</dt><dd>{fmt.dateTime(j.created_at)}</dd></> : null}
          {p.finished_at ? <><dt>{t('admin.job.finished')}</dt><dd>{fmt.dateTime(p.finished_at)}</dd></> : null}
        </dl>
        <div class="job-progress">
          <ProgressBar value={p.done} max={p.total} label={t('admin.job.progress')} />
          <p class="job-counts" aria-live="polite">
            <strong>{t('admin.job.doneOf', { done: fmt.number(p.done), total: fmt.number(p.total) })}</strong>
            <span class="tone-ok">{tn('admin.job.succeeded', p.succeeded)}</span>
            <span class={p.failed > 0 ? 'tone-danger' : 'muted'}>{tn('admin.job.failed', p.failed)}</span>
          </p>
        </div>
        {running ? (
          <div class="btn-row">
            <Button variant="danger" onClick={cancel} pending={cancelling} disabled={p.cancel_requested}>{t('admin.job.cancel')}</Button>
            <span class="muted small">{t('admin.job.leaveHint')}</span>
          </div>
        ) : null}
        <ErrorAlert error={cancelError} />
      </section>

      {ended ? (
        <div class={`alert ${p.failed > 0 ? 'alert-warn' : 'alert-ok'}`} role="status">
          <p>{p.failed > 0
            ? t('admin.job.endedFailed', { done: fmt.number(p.done), ok: fmt.number(p.succeeded), failed: fmt.number(p.failed) })
            : t(p.status === 'cancelled' ? 'admin.job.endedCancelled' : 'admin.job.endedOk', { done: fmt.number(p.done), ok: fmt.number(p.succeeded) })}</p>
        </div>
      ) : null}

      <h2>{t('admin.job.results')}</h2>
      {job.load.state === 'loading' ? <Skeleton /> : null}
      {j && all.length > 0 ? (
        <label class="check">
          <input type="checkbox" checked={onlyFailed} onChange={(e) => setOnlyFailed(e.currentTarget.checked)} />
          <span>{t('admin.job.onlyFailed')}</span>
        </label>
      ) : null}
      {j && results.length === 0 ? <Empty title={t(onlyFailed ? 'admin.job.noFailures' : 'admin.job.noResults')} /> : null}
      {results.length > 0 ? (
        <>
          <p class="muted small">{t('admin.job.resultsHint', { shown: fmt.number(results.length), total: fmt.number(filtered.length) })}</p>
          <div class="table-wrap">
            <table>
              <TableHead
                cols={[
                  t('admin.job.col.item'),
                  t('admin.job.col.result'),
                  t('admin.job.col.error'),
                ]}
              />
              <tbody>
                {results.map((r) => {
                  const href = itemHref(kind, r.id);
                  const label = r.id ? itemLabel(kind, r.id) : t('app.none');
                  return (
                    <tr key={r.seq}>
                      <td>{href ? <Link href={href}>{label}</Link> : label}</td>
                      <td><ResultBadge status={r.status} /></td>
                      <td>{r.error ? <><span>{r.error.message}</span> <span class="muted small">({r.error.code})</span></> : t('app.none')}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {filtered.length > shown ? (
            <div class="btn-row"><Button onClick={() => setShown((n) => n + SHOW)}>{t('admin.job.showMore', { count: fmt.number(Math.min(SHOW, filtered.length - shown)) })}</Button></div>
          ) : null}
          <Pager pager={pager} nextCursor={j?.next_cursor} />
        </>
      ) : null}
    </>
  );
}
