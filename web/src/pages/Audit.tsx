// /audit: search the audit trail with filters in the URL, page by keyset, open one entry's
// details (?entry=seq), follow the story of one request (?request_id=...), verify the chain.
import { useState } from 'preact/hooks';
import type { components } from '../api/schema';
import type { Failure } from '../api/client';
import { t } from '../i18n';
import { api, attempt } from '../lib/api';
import { dateTime, number } from '../lib/format';
import { Link, useQueryState } from '../lib/router';
import { Button, Dialog, Empty, ErrorAlert, Field, PageTitle, Pager, useLoad, usePager, LoadStatus, TableHead } from '../ui';
import { Badge, Json, word, type Tone } from './ops/common';
import './ops.css';

type Entry = components['schemas']['AuditEntry'];
type Verification = components['schemas']['AuditVerification'];
const CATEGORIES: components['schemas']['AuditCategory'][] = ['access', 'decision', 'admin', 'security', 'system', 'job'];
const LEVELS: components['schemas']['AuditLevel'][] = ['info', 'warning', 'critical'];
const OUTCOMES: components['schemas']['AuditOutcome'][] = ['success', 'failure', 'denied', 'error'];
const TEXT_FILTERS = ['request_id', 'actor_id', 'action', 'target_type', 'target_id'] as const;
const SELECT_FILTERS = ['category', 'level', 'outcome'] as const;
const TIME_FILTERS = ['from', 'to'] as const;
const ALL = [...TEXT_FILTERS, ...SELECT_FILTERS, ...TIME_FILTERS];
const MORE = ['actor_id', 'level', 'outcome', 'target_type', 'target_id', 'from', 'to'];

const outcomeTone: Record<string, Tone> = { success: 'ok', failure: 'warn', denied: 'danger', error: 'danger' };
const levelTone: Record<string, Tone> = { info: 'neutral', warning: 'warn', critical: 'danger' };

/** A datetime-local value ("2026-12-01T09:00") as an RFC 3339 instant, or undefined. */
function instant(local: string | null): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export default function Audit() {
  const [q, setQ] = useQueryState();
  const filters: Record<string, string> = {};
  for (const k of ALL) {
    const v = q.get(k);
    if (v) filters[k] = v;
  }
  const key = JSON.stringify(filters);
  const pager = usePager(key);
  const requestId = filters.request_id;
  const entry = q.get('entry');
  const [verify, setVerify] = useState<VerifyState>({ pending: false, result: null, failure: null });

  const query = {
    ...(filters.request_id ? { request_id: filters.request_id } : {}),
    ...(filters.actor_id && /^\d+$/.test(filters.actor_id) ? { actor_id: Number(filters.actor_id) } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.target_type ? { target_type: filters.target_type } : {}),
    ...(filters.target_id ? { target_id: filters.target_id } : {}),
    ...(filters.category ? { category: filters.category as Entry['category'] } : {}),
    ...(filters.level ? { level: filters.level as Entry['level'] } : {}),
    ...(filters.outcome ? { outcome: filters.outcome as Entry['outcome'] } : {}),
    ...(instant(filters.from ?? null) ? { from: instant(filters.from ?? null)! } : {}),
    ...(instant(filters.to ?? null) ? { to: instant(filters.to ?? null)! } : {}),
  };
  const { load, reload } = useLoad(
    (signal) => attempt(() => api.get('/api/v1/audit', {
      params: { query: { ...query, limit: 50, ...(pager.cursor ? { cursor: pager.cursor } : {}) } }, signal,
    })),
    [key, pager.cursor],
  );
  const csv = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  csv.set('format', 'csv');

  const apply = (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const patch: Record<string, string> = {};
    for (const k of ALL) patch[k] = String(data.get(k) ?? '').trim();
    setQ({ ...patch, entry: null });
  };

  return (
    <div class="ops-page">
      <PageTitle actions={<VerifyButton v={verify} set={setVerify} />}>{t('ops.audit.title')}</PageTitle>
      <VerifyResult v={verify} open={(seq) => setQ({ entry: String(seq) })} />
      <form class="filters" onSubmit={apply} aria-label={t('ops.audit.filters')}>
        <Field id="f-request_id" label={t('ops.audit.requestId')}>
          <input id="f-request_id" name="request_id" key={`r${filters.request_id ?? ''}`} defaultValue={filters.request_id ?? ''}
            class="ops-mono" autocomplete="off" spellcheck={false} maxLength={128} />
        </Field>
        <Field id="f-action" label={t('ops.audit.action')}>
          <input id="f-action" name="action" key={`x${filters.action ?? ''}`} defaultValue={filters.action ?? ''} autocomplete="off" size={16} />
        </Field>
        {(['category'] as const).map((k) => (
          <Field key={k} id={`f-${k}`} label={t(`ops.audit.${k}`)}>
            <select id={`f-${k}`} name={k} value={filters[k] ?? ''} onChange={(e) => setQ({ [k]: e.currentTarget.value, entry: null })}>
              <option value="">{t('ops.audit.any')}</option>
              {CATEGORIES.map((v) => (
                <option key={v} value={v}>{word(`ops.audit.${k}`, v)}</option>
              ))}
            </select>
          </Field>
        ))}
        <details class="ops-more" open={MORE.some((k) => filters[k]) || undefined}>
          <summary>{t('ops.audit.moreFilters')}</summary>
          <div>
            <Field id="f-actor_id" label={t('ops.audit.actorId')}>
              <input id="f-actor_id" name="actor_id" key={`a${filters.actor_id ?? ''}`} defaultValue={filters.actor_id ?? ''}
                inputMode="numeric" autocomplete="off" size={8} />
            </Field>
            {(['level', 'outcome'] as const).map((k) => (
              <Field key={k} id={`f-${k}`} label={t(`ops.audit.${k}`)}>
                <select id={`f-${k}`} name={k} value={filters[k] ?? ''} onChange={(e) => setQ({ [k]: e.currentTarget.value, entry: null })}>
                  <option value="">{t('ops.audit.any')}</option>
                  {(k === 'level' ? LEVELS : OUTCOMES).map((v) => (
                    <option key={v} value={v}>{word(`ops.audit.${k}`, v)}</option>
                  ))}
                </select>
              </Field>
            ))}
            <Field id="f-target_type" label={t('ops.audit.targetType')}>
              <input id="f-target_type" name="target_type" key={`tt${filters.target_type ?? ''}`} defaultValue={filters.target_type ?? ''} autocomplete="off" size={10} />
            </Field>
            <Field id="f-target_id" label={t('ops.audit.targetId')}>
              <input id="f-target_id" name="target_id" key={`ti${filters.target_id ?? ''}`} defaultValue={filters.target_id ?? ''} autocomplete="off" size={10} />
            </Field>
            <Field id="f-from" label={t('ops.audit.from')}>
              <input id="f-from" name="from" type="datetime-local" key={`f${filters.from ?? ''}`} defaultValue={filters.from ?? ''} />
            </Field>
            <Field id="f-to" label={t('ops.audit.to')}>
              <input id="f-to" name="to" type="datetime-local" key={`t${filters.to ?? ''}`} defaultValue={filters.to ?? ''} />
            </Field>
          </div>
        </details>
        <div class="btn-row">
          <Button type="submit" variant="primary">{t('ops.audit.search')}</Button>
          {Object.keys(filters).length ? (
            <Link class="btn btn-ghost" href="/audit">{t('ops.audit.clear')}</Link>
          ) : null}
          <a class="btn btn-secondary" href={`/api/v1/audit?${csv.toString()}`} download>{t('ops.audit.csv')}</a>
        </div>
      </form>

      {requestId ? (
        <div class="alert alert-info" role="status">
          <div>
            <p><strong>{t('ops.audit.storyTitle', { id: requestId })}</strong></p>
            <p>{t('ops.audit.storyBody')}</p>
          </div>
        </div>
      ) : null}

      <LoadStatus load={load} retry={reload} rows={8} />
      {load.state === 'ok' ? (
        load.data.items.length ? (
          <>
            <EntryTable items={requestId ? [...load.data.items].reverse() : load.data.items} story={!!requestId}
              open={(seq) => setQ({ entry: String(seq) })} filterRequest={(id) => setQ({ request_id: id, entry: null })} />
            <Pager pager={pager} nextCursor={load.data.next_cursor} />
          </>
        ) : (
          <Empty title={t('ops.audit.emptyTitle')} body={Object.keys(filters).length ? t('ops.audit.emptyFiltered') : t('ops.audit.emptyBody')} />
        )
      ) : null}

      <EntryDialog seq={entry} onClose={() => setQ({ entry: null })} />
    </div>
  );
}

const shortId = (id: string) => (id.length > 10 ? `…${id.slice(-8)}` : id); // ids share their time prefix

function EntryTable({ items, story, open, filterRequest }: {
  items: Entry[]; story: boolean; open: (seq: number) => void; filterRequest: (id: string) => void;
}) {
  return (
    <div class="table-wrap">
      <table aria-label={story ? t('ops.audit.storyCaption') : t('ops.audit.caption')}>
        <TableHead
          cols={[
            t('ops.audit.time'),
            t('ops.audit.what'),
            t('ops.audit.outcome'),
            t('ops.audit.actor'),
            t('ops.audit.target'),
            story ? null : t('ops.audit.requestId'),
            { label: t('ops.audit.details'), hidden: true },
          ]}
        />
        <tbody>
          {items.map((e) => (
            <tr key={e.seq}>
              <td class="ops-nowrap">{dateTime(e.time)}<br /><span class="small muted">#{e.seq}</span></td>
              <td>
                <span class="ops-mono"><strong>{e.action}</strong></span>{' '}
                <span class="small muted">{word('ops.audit.category', e.category)}</span>
                {e.level !== 'info' ? <> <span class={`label tone-${levelTone[e.level] ?? 'neutral'}`}>{word('ops.audit.level', e.level)}</span></> : null}
                {e.method ? <><br /><span class="small muted">{e.method} {e.path}{e.status !== null ? ` → ${e.status}` : ''}</span></> : null}
                {e.reason ? <><br /><span class="small">{e.reason}</span></> : null}
              </td>
              <td><Badge tone={outcomeTone[e.outcome] ?? 'neutral'}>{word('ops.audit.outcome', e.outcome)}</Badge></td>
              <td>{e.actor_id !== null ? t('ops.audit.user', { id: e.actor_id }) : t('ops.audit.system')}</td>
              <td>{e.target_type ? `${e.target_type} ${e.target_id ?? ''}` : t('app.none')}</td>
              {story ? null : (
                <td>
                  {e.request_id ? (
                    <Button variant="ghost" class="ops-link ops-mono ops-nowrap" onClick={() => filterRequest(e.request_id!)}
                      aria-label={t('ops.audit.storyOf', { id: shortId(e.request_id) })} title={e.request_id}>
                      {shortId(e.request_id)}
                    </Button>
                  ) : t('app.none')}
                </td>
              )}
              <td>
                <Button onClick={() => open(e.seq)} aria-label={t('ops.audit.detailsOf', { seq: e.seq })}>{t('ops.audit.details')}</Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EntryDialog({ seq, onClose }: { seq: string | null; onClose: () => void }) {
  const id = seq && /^\d+$/.test(seq) ? Number(seq) : null;
  const { load, reload } = useLoad(
    async (signal) => (id ? attempt(() => api.get('/api/v1/audit/{id}', { params: { path: { id } }, signal })) : { ok: true as const, data: null }),
    [id],
  );
  return (
    <Dialog open={id !== null} title={t('ops.audit.entryTitle', { seq: seq ?? '' })} onClose={onClose}>
      <div class="ops-wide">
        <LoadStatus load={load} retry={reload} rows={4} />
        {load.state === 'ok' && load.data ? <EntryFacts e={load.data} onClose={onClose} /> : null}
      </div>
      <div class="btn-row">
        <Button onClick={onClose}>{t('app.close')}</Button>
      </div>
    </Dialog>
  );
}

function EntryFacts({ e, onClose }: { e: Entry; onClose: () => void }) {
  const [, setQ] = useQueryState();
  const row = (label: string, value: string | number | null | undefined) =>
    value === null || value === undefined || value === '' ? null : <><dt>{label}</dt><dd>{value}</dd></>;
  return (
    <>
      <dl class="facts">
        {row(t('ops.audit.time'), dateTime(e.time))}
        {row(t('ops.audit.category'), word('ops.audit.category', e.category))}
        {row(t('ops.audit.level'), word('ops.audit.level', e.level))}
        {row(t('ops.audit.action'), e.action)}
        <dt>{t('ops.audit.outcome')}</dt><dd><Badge tone={outcomeTone[e.outcome] ?? 'neutral'}>{word('ops.audit.outcome', e.outcome)}</Badge></dd>
        {row(t('ops.audit.actor'), e.actor_id !== null ? t('ops.audit.user', { id: e.actor_id }) : t('ops.audit.system'))}
        {row(t('ops.audit.target'), e.target_type ? `${e.target_type} ${e.target_id ?? ''}` : null)}
        {row(t('ops.audit.reason'), e.reason)}
        {e.request_id ? (
          <>
            <dt>{t('ops.audit.requestId')}</dt>
            <dd>
              <span class="ops-mono">{e.request_id}</span>{' '}
              <Button variant="ghost" onClick={() => { setQ({ request_id: e.request_id, entry: null }); onClose(); }}>
                {t('ops.audit.showStory')}
              </Button>
            </dd>
          </>
        ) : null}
        {row(t('ops.audit.request'), e.method ? `${e.method} ${e.path ?? ''}` : null)}
        {row(t('ops.audit.route'), e.route)}
        {row(t('ops.audit.status'), e.status)}
        {row(t('ops.audit.latency'), e.latency_ms !== null ? t('ops.audit.ms', { n: number(e.latency_ms, { maximumFractionDigits: 1 }) }) : null)}
        {e.slow ? row(t('ops.audit.slow'), t('app.yes')) : null}
        {row(t('ops.audit.ip'), e.ip)}
        {row(t('ops.audit.userAgent'), e.user_agent)}
        {row(t('ops.audit.session'), e.session_id)}
        <dt>{t('ops.audit.hash')}</dt><dd class="ops-mono">{e.hash}</dd>
      </dl>
      <h3>{t('ops.audit.before')}</h3>
      <Json value={e.before} label={t('ops.audit.before')} />
      <h3>{t('ops.audit.after')}</h3>
      <Json value={e.after} label={t('ops.audit.after')} />
      <h3>{t('ops.audit.more')}</h3>
      <Json value={e.details} label={t('ops.audit.more')} />
    </>
  );
}

// The chain check: one button in the title bar, its result under the title.
type VerifyState = { pending: boolean; result: Verification | null; failure: Failure | null };

function VerifyButton({ v, set }: { v: VerifyState; set: (v: VerifyState) => void }) {
  const run = async () => {
    set({ pending: true, result: null, failure: null });
    const r = await attempt(() => api.get('/api/v1/audit/verify'));
    set({ pending: false, result: r.ok ? r.data : null, failure: r.ok ? null : r });
  };
  return <Button variant="primary" pending={v.pending} onClick={run}>{t('ops.audit.verify')}</Button>;
}

function VerifyResult({ v, open }: { v: VerifyState; open: (seq: number) => void }) {
  if (v.failure) return <ErrorAlert error={v.failure} />;
  if (!v.result) return null;
  const r = v.result;
  return r.ok ? (
    <div class="alert alert-ok" role="status">
      <p>{t('ops.audit.verifyOk', { checked: number(r.checked), checkpoints: number(r.checkpoints) })}</p>
    </div>
  ) : (
    <div class="alert alert-danger" role="alert">
      <div>
        <p><strong>{t('ops.audit.verifyBad', { seq: r.first_bad_seq ?? '?' })}</strong></p>
        <p>{r.problem ?? ''}</p>
        <p class="small">{t('ops.audit.verifyChecked', { checked: number(r.checked), checkpoints: number(r.checkpoints) })}</p>
        {r.first_bad_seq ? <Button onClick={() => open(r.first_bad_seq!)}>{t('ops.audit.openBad')}</Button> : null}
      </div>
    </div>
  );
}
