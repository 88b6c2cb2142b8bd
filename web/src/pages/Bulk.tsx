// Bulk work: pick profiles with the queue's filters, select rows here or every profile matching
// the filter across pages, choose the action, confirm it with the count, then follow the job
// (/bulk/:id). The jobs started before are listed below, so a job can always be found again.
import { useEffect, useState } from 'preact/hooks';
import type { components, paths } from '../api/schema';
import type { Failure } from '../api/client';
import { t, tn, type MessageKey } from '../i18n';
import { api, attempt } from '../lib/api';
import * as fmt from '../lib/format';
import { onBulkProgress, type BulkProgressFrame } from '../lib/live';
import { Link, navigate, useQueryState } from '../lib/router';
import { Button, Dialog, Empty, ErrorAlert, ErrorSummary, Field, PageTitle, Pager, StatusBadge, describedBy, toast, useLoad, usePager, LoadStatus, type FieldError, TableHead } from '../ui';
import { JobStatus, kindText } from './admin/jobs';
import './admin.css';

type Profile = components['schemas']['ProfilePage']['items'][number];
type JobSummary = components['schemas']['BulkJobSummary'];
type Query = paths['/api/v1/profiles']['get']['parameters']['query'];

const STAGES = ['details', 'documents', 'final', 'completed'] as const;
const STATUSES = ['draft', 'submitted', 'rejected'] as const;
const MAX_ITEMS = 10000;

type Selection = { all: false; ids: Set<number> } | { all: true; ids: number[] };

function filterQuery(q: URLSearchParams): NonNullable<Query> {
  const out: NonNullable<Query> = {};
  const stage = q.get('stage');
  const status = q.get('status');
  const overdue = q.get('overdue');
  const urgent = q.get('urgent');
  const text = q.get('q');
  if (stage) out.stage = stage as NonNullable<NonNullable<Query>['stage']>;
  if (status) out.status = status as NonNullable<NonNullable<Query>['status']>;
  if (overdue === 'true' || overdue === 'false') out.overdue = overdue;
  if (urgent === 'true' || urgent === 'false') out.urgent = urgent;
  if (text) out.q = text;
  return out;
}

export default function Bulk() {
  const [query, setQuery] = useQueryState();
  const filter = filterQuery(query);
  const filterKey = JSON.stringify(filter);
  const pager = usePager(filterKey);
  const list = useLoad(
    (signal) => attempt(() => api.get('/api/v1/profiles', { params: { query: { ...filter, limit: 50, ...(pager.cursor ? { cursor: pager.cursor } : {}) } }, signal })),
    [filterKey, pager.cursor],
  );
  const [sel, setSel] = useState<Selection>({ all: false, ids: new Set() });
  const [collecting, setCollecting] = useState(false);
  const [collectError, setCollectError] = useState<Failure | null>(null);
  const [action, setAction] = useState<'approve' | 'reject'>('approve');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [confirming, setConfirming] = useState(false);
  const [sending, setSending] = useState(false);
  const [sendError, setSendError] = useState<Failure | null>(null);
  const [zipping, setZipping] = useState(false);
  const [zipError, setZipError] = useState<Failure | null>(null);
  const [searchText, setSearchText] = useState(query.get('q') ?? '');

  useEffect(() => {
    setSel({ all: false, ids: new Set() });
    setCollectError(null);
  }, [filterKey]);

  const count = sel.all ? sel.ids.length : sel.ids.size;
  const selectedIds = () => (sel.all ? sel.ids : [...sel.ids]);
  const rows: Profile[] = list.load.state === 'ok' ? list.load.data.items : [];
  const nextCursor = list.load.state === 'ok' ? list.load.data.next_cursor : null;
  const isSelected = (id: number) => (sel.all ? sel.ids.includes(id) : sel.ids.has(id));
  const pageAllSelected = rows.length > 0 && rows.every((r) => isSelected(r.id));

  const toggle = (id: number) => {
    const ids = new Set(selectedIds());
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    setSel({ all: false, ids });
  };
  const togglePage = () => {
    const ids = new Set(selectedIds());
    if (pageAllSelected) rows.forEach((r) => ids.delete(r.id));
    else rows.forEach((r) => ids.add(r.id));
    setSel({ all: false, ids });
  };

  /** Every profile matching the filter, across pages (the API has no count: we page through). */
  const selectAllMatching = async () => {
    setCollecting(true);
    setCollectError(null);
    const ids: number[] = [];
    let cursor: string | null = null;
    for (;;) {
      const r = await attempt(() => api.get('/api/v1/profiles', { params: { query: { ...filter, limit: 200, ...(cursor ? { cursor } : {}) } } }));
      if (!r.ok) {
        setCollectError(r);
        setCollecting(false);
        return;
      }
      ids.push(...r.data.items.map((p) => p.id));
      cursor = r.data.next_cursor ?? null;
      if (!cursor || ids.length >= MAX_ITEMS) break;
    }
    setCollecting(false);
    setSel({ all: true, ids: ids.slice(0, MAX_ITEMS) });
  };

  const review = (e: Event) => {
    e.preventDefault();
    const found: FieldError[] = [];
    if (count === 0) found.push({ field: 'bulk-select-all', message: t('admin.bulk.err.none') });
    if (action === 'reject' && !reason.trim()) found.push({ field: 'bulk-reason', message: t('admin.bulk.err.reason') });
    if (reason.length > 2000) found.push({ field: 'bulk-reason', message: t('admin.bulk.err.reasonLong') });
    setErrors(found);
    setSendError(null);
    if (!found.length) setConfirming(true);
  };

  const run = async () => {
    setSending(true);
    setSendError(null);
    const body: components['schemas']['BulkProfileDecisionRequest'] = {
      profile_ids: selectedIds(), decision: action, ...(action === 'reject' ? { reason: reason.trim() } : {}),
    };
    const key = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
    const r = await attempt(() => api.post('/api/v1/bulk/profiles/decision', { body, params: { header: { 'Idempotency-Key': key } } }));
    setSending(false);
    if (!r.ok) {
      setSendError(r);
      return;
    }
    setConfirming(false);
    navigate(`/bulk/${r.data.job_id}`);
  };

  const downloadZip = async () => {
    if (count === 0) {
      setErrors([{ field: 'bulk-select-all', message: t('admin.bulk.err.none') }]);
      return;
    }
    setZipping(true);
    setZipError(null);
    const r = await attempt(() => api.post('/api/v1/bulk/documents/archive', { body: { profile_ids: selectedIds() } }));
    if (!r.ok) {
      setZipping(false);
      setZipError(r);
      return;
    }
    const blob = await r.response.blob();
    setZipping(false);
    const disposition = r.response.headers.get('Content-Disposition') ?? '';
    const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'documents.zip';
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    toast(t('admin.bulk.zipDone', { name }), 'ok');
  };

  const err = (f: string) => errors.find((x) => x.field === f)?.message;
  const actionWords = (n: number) => tn(action === 'approve' ? 'admin.bulk.approveN' : 'admin.bulk.rejectN', n);

  return (
    <>
      <PageTitle actions={<a class="btn btn-ghost" href="#bulk-jobs">{t('admin.bulk.toJobs')}</a>}>{t('admin.bulk.title')}</PageTitle>
      <p class="muted">{t('admin.bulk.intro')}</p>

      <form class="filters" role="search" aria-label={t('admin.bulk.filters')}
        onSubmit={(e) => { e.preventDefault(); setQuery({ q: searchText.trim() }); }}>
        <Field id="bulk-q" label={t('admin.bulk.search')}>
          <input id="bulk-q" type="search" value={searchText} onInput={(e) => setSearchText(e.currentTarget.value)} />
        </Field>
        <Field id="bulk-stage" label={t('admin.bulk.stage')}>
          <select id="bulk-stage" value={query.get('stage') ?? ''} onChange={(e) => setQuery({ stage: e.currentTarget.value })}>
            <option value="">{t('admin.bulk.any')}</option>
            {STAGES.map((s) => <option key={s} value={s}>{t(`stage.${s}` as MessageKey)}</option>)}
          </select>
        </Field>
        <Field id="bulk-status" label={t('admin.bulk.status')}>
          <select id="bulk-status" value={query.get('status') ?? ''} onChange={(e) => setQuery({ status: e.currentTarget.value })}>
            <option value="">{t('admin.bulk.any')}</option>
            {STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}` as MessageKey)}</option>)}
          </select>
        </Field>
        <Field id="bulk-overdue" label={t('admin.bulk.overdue')}>
          <select id="bulk-overdue" value={query.get('overdue') ?? ''} onChange={(e) => setQuery({ overdue: e.currentTarget.value })}>
            <option value="">{t('admin.bulk.any')}</option>
            <option value="true">{t('admin.bulk.onlyOverdue')}</option>
            <option value="false">{t('admin.bulk.notOverdue')}</option>
          </select>
        </Field>
        <Field id="bulk-urgent" label={t('admin.bulk.urgent')}>
          <select id="bulk-urgent" value={query.get('urgent') ?? ''} onChange={(e) => setQuery({ urgent: e.currentTarget.value })}>
            <option value="">{t('admin.bulk.any')}</option>
            <option value="true">{t('admin.bulk.onlyUrgent')}</option>
            <option value="false">{t('admin.bulk.notUrgent')}</option>
          </select>
        </Field>
        <Button type="submit">{t('admin.bulk.apply')}</Button>
      </form>

      <ErrorSummary errors={errors} />

      <div class="select-banner" aria-live="polite">
        <p>
          {sel.all
            ? tn('admin.bulk.allSelected', count)
            : tn('admin.bulk.selected', count)}
        </p>
        {!sel.all && rows.length > 0 ? (
          <Button id="bulk-select-all" onClick={selectAllMatching} pending={collecting}>
            {t('admin.bulk.selectAll')}
          </Button>
        ) : null}
        {count > 0 ? <Button variant="ghost" onClick={() => setSel({ all: false, ids: new Set() })}>{t('admin.bulk.clear')}</Button> : null}
      </div>
      <ErrorAlert error={collectError} onRetry={selectAllMatching} />
      {sel.all && sel.ids.length >= MAX_ITEMS ? <div class="alert alert-warn"><p>{t('admin.bulk.capped', { max: fmt.number(MAX_ITEMS) })}</p></div> : null}

      <form onSubmit={review} noValidate class="card bulk-action" aria-labelledby="bulk-action-title">
        <h2 id="bulk-action-title">{t('admin.bulk.actionTitle')}</h2>
        <div class="actions-bar">
          <Field id="bulk-action" label={t('admin.bulk.action')} hint={t('admin.bulk.actionHint')}>
            <select id="bulk-action" aria-describedby="bulk-action-hint" value={action} onChange={(e) => setAction(e.currentTarget.value as 'approve' | 'reject')}>
              <option value="approve">{t('admin.bulk.approve')}</option>
              <option value="reject">{t('admin.bulk.reject')}</option>
            </select>
          </Field>
        </div>
        {action === 'reject' ? (
          <Field id="bulk-reason" label={t('admin.bulk.reason')} hint={t('admin.bulk.reasonHint')} error={err('bulk-reason')}>
            <textarea id="bulk-reason" value={reason} maxLength={2000} onInput={(e) => setReason(e.currentTarget.value)}
              aria-invalid={!!err('bulk-reason') || undefined}
              aria-describedby={describedBy('bulk-reason', true, err('bulk-reason'))} />
          </Field>
        ) : null}
        <div class="btn-row">
          <Button type="submit" variant="primary" disabled={count === 0}>
            {count > 0 ? actionWords(count) : t('admin.bulk.pickFirst')}
          </Button>
          <Button onClick={downloadZip} pending={zipping} disabled={count === 0}>{t('admin.bulk.zip')}</Button>
        </div>
        <ErrorAlert error={zipError} />
      </form>

      <LoadStatus load={list.load} retry={list.reload} />
      {list.load.state === 'ok' && rows.length === 0 ? (
        <Empty title={t('admin.bulk.empty.title')} body={t('admin.bulk.empty.body')}>
          <Button onClick={() => { setSearchText(''); setQuery({ stage: null, status: null, overdue: null, urgent: null, q: null }); }}>
            {t('admin.bulk.clearFilters')}
          </Button>
        </Empty>
      ) : null}
      {rows.length > 0 ? (
        <>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">{t('admin.bulk.tableCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col" class="check-cell">
                    <input type="checkbox" checked={pageAllSelected} onChange={togglePage} aria-label={t('admin.bulk.selectPage')} />
                  </th>
                  <th scope="col">{t('admin.bulk.col.employee')}</th>
                  <th scope="col">{t('admin.bulk.col.stage')}</th>
                  <th scope="col">{t('admin.bulk.col.status')}</th>
                  <th scope="col">{t('admin.bulk.col.submitted')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => (
                  <tr key={p.id} class={isSelected(p.id) ? 'selected' : ''}>
                    <td class="check-cell">
                      <input type="checkbox" checked={isSelected(p.id)} onChange={() => toggle(p.id)}
                        aria-label={t('admin.bulk.selectOne', { name: p.name })} />
                    </td>
                    <td><Link href={`/profiles/${p.id}`}>{p.name}</Link><br /><span class="muted small">{p.email}</span></td>
                    <td>{t(`stage.${p.stage}` as MessageKey)}</td>
                    <td><StatusBadge status={p.status} /></td>
                    <td>{p.submitted_at ? fmt.dateTime(p.submitted_at) : t('app.none')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager pager={pager} nextCursor={nextCursor} />
        </>
      ) : null}


      <Dialog open={confirming} title={t(action === 'approve' ? 'admin.bulk.confirmApprove' : 'admin.bulk.confirmReject', { count: fmt.number(count) })}
        onClose={() => setConfirming(false)}>
        <p>{t(action === 'approve' ? 'admin.bulk.confirmApproveBody' : 'admin.bulk.confirmRejectBody')}</p>
        {action === 'reject' ? <p><strong>{t('admin.bulk.reason')}:</strong> {reason}</p> : null}
        <ErrorAlert error={sendError} />
        <div class="btn-row">
          <Button variant={action === 'approve' ? 'primary' : 'danger'} pending={sending} onClick={run}>{actionWords(count)}</Button>
          <Button onClick={() => setConfirming(false)} disabled={sending}>{t('app.cancel')}</Button>
        </div>
      </Dialog>

      <Jobs />
    </>
  );
}

function Jobs() {
  const pager = usePager('jobs');
  const jobs = useLoad(
    (signal) => attempt(() => api.get('/api/v1/bulk/jobs', { params: { query: { limit: 10, ...(pager.cursor ? { cursor: pager.cursor } : {}) } }, signal })),
    [pager.cursor],
  );
  useEffect(() => onBulkProgress((f: BulkProgressFrame) => {
    if (jobs.load.state !== 'ok') return;
    const data = jobs.load.data;
    if (!data.items.some((j) => j.job_id === f.job_id)) return;
    jobs.set({ ...data, items: data.items.map((j): JobSummary => (j.job_id === f.job_id
      ? { ...j, done: f.done, succeeded: f.succeeded, failed: f.failed, status: f.done >= f.total ? 'completed' : j.status }
      : j)) });
  }), [jobs.load]);
  return (
    <section aria-labelledby="bulk-jobs">
      <h2 id="bulk-jobs">{t('admin.bulk.jobs')}</h2>
      <LoadStatus load={jobs.load} retry={jobs.reload} rows={3} />
      {jobs.load.state === 'ok' && jobs.load.data.items.length === 0 ? (
        <Empty title={t('admin.bulk.jobs.empty')} body={t('admin.bulk.jobs.emptyBody')} />
      ) : null}
      {jobs.load.state === 'ok' && jobs.load.data.items.length > 0 ? (
        <>
          <div class="table-wrap">
            <table>
              <TableHead
                cols={[
                  t('admin.job.col.job'),
                  t('admin.job.col.kind'),
                  t('admin.job.col.status'),
                  t('admin.job.col.progress'),
                  t('admin.job.col.failed'),
                  t('admin.job.col.started'),
                ]}
              />
              <tbody>
                {jobs.load.data.items.map((j) => (
                  <tr key={j.job_id}>
                    <td><Link href={`/bulk/${j.job_id}`}>{t('admin.job.name', { id: j.job_id })}</Link></td>
                    <td>{kindText(j.kind)}</td>
                    <td><JobStatus status={j.status} /></td>
                    <td class="num">{t('admin.job.doneOf', { done: fmt.number(j.done), total: fmt.number(j.total) })}</td>
                    <td class="num">{j.failed > 0 ? <span class="tone-danger">{fmt.number(j.failed)}</span> : fmt.number(0)}</td>
                    <td>{fmt.dateTime(j.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager pager={pager} nextCursor={jobs.load.data.next_cursor} />
        </>
      ) : null}
    </section>
  );
}

