// The reviewers' queue: a dense table of profiles with a filter bar kept in the URL (every view
// is a link), keyset paging, live updates (the changed row is highlighted, a row decided by
// someone else greys out) and the keys j/k/Enter/?.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { api, attempt } from '../lib/api';
import { dateTime, relative } from '../lib/format';
import { onNotification, onProfilesChanged, onReconnected } from '../lib/live';
import { Link, navigate, useQueryState } from '../lib/router';
import { can, useMe } from '../lib/session';
import { Button, Empty, Field, Icon, PageTitle, Pager, StatusBadge, useLoad, usePager, LoadStatus, TableHead } from '../ui';
import { KeysDialog, SlaLabels, STAGES, STATUSES, stageName, ignoreKey, useUserNames, decidedByMe, lastQueue, type Summary } from './review/shared';
import './review.css';

const PAGE_SIZE = 50;

/** The answer is here: bench/web.mjs times the render from this mark. */
function marked<T>(r: T): T {
  performance.mark('queue:data');
  return r;
}
const FILTERS = ['q', 'stage', 'status', 'overdue', 'urgent', 'assignee'] as const;
const DECIDED_KINDS = new Set(['profile.stage_advanced', 'profile.rejected', 'profile.completed']);

export default function Queue() {
  const me = useMe();
  const [query, setQuery] = useQueryState();
  const f = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  lastQueue.href = `/queue${query.toString() ? `?${query.toString()}` : ''}`;
  const filterKey = FILTERS.map((k) => `${k}=${f[k]}`).join('&');
  const pager = usePager(filterKey);
  const [search, setSearch] = useState(f.q);
  const [changed, setChanged] = useState<Set<number>>(new Set());
  // Rows someone else decided while we watched: who did it (null until known); rows that left
  // the filtered list stay as greyed "ghosts" until the view changes.
  const [decided, setDecided] = useState<Map<number, number | null>>(new Map());
  const [ghosts, setGhosts] = useState<Summary[]>([]);
  // Who acted, as the live frames name them (reviewers may not be allowed to read users).
  const [actors, setActors] = useState<Map<number, string>>(new Map());
  const meRef = useRef(me);
  meRef.current = me;
  const [selected, setSelected] = useState(-1);
  const [keysOpen, setKeysOpen] = useState(false);
  const prev = useRef<Map<number, Summary>>(new Map());
  const tbody = useRef<HTMLTableSectionElement>(null);

  // The search box writes to the URL a moment after typing stops.
  useEffect(() => {
    // From the URL (back/forward, a pasted link, Clear), without undoing a space being typed.
    setSearch((cur) => (cur.trim() === f.q ? cur : f.q));
  }, [f.q]);
  useEffect(() => {
    if (search.trim() === f.q) return;
    const id = setTimeout(() => setQuery({ q: search.trim() }), 300);
    return () => clearTimeout(id);
  }, [search]);

  const { load, reload } = useLoad<{ items: Summary[]; next_cursor: string | null }>(
    (signal) => attempt(() => api.get('/api/v1/profiles', {
      signal,
      params: {
        query: {
          q: f.q || undefined,
          stage: (f.stage || undefined) as Summary['stage'] | undefined,
          status: (f.status || undefined) as Summary['status'] | undefined,
          overdue: (f.overdue || undefined) as 'true' | 'false' | undefined,
          urgent: (f.urgent || undefined) as 'true' | 'false' | undefined,
          assignee: f.assignee ? Number(f.assignee) : undefined,
          limit: PAGE_SIZE,
          cursor: pager.cursor ?? undefined,
        },
      },
    }).then(marked)),
    [filterKey, pager.cursor],
  );
  const soonTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const soon = () => {
    if (soonTimer.current !== undefined) return;
    soonTimer.current = setTimeout(() => {
      soonTimer.current = undefined;
      reload();
    }, 250);
  };
  // The rows are on screen at the next frame after this commit (bench/web.mjs).
  useEffect(() => {
    if (load.state !== 'ok') return;
    requestAnimationFrame(() => setTimeout(() => performance.mark('queue:rendered'), 0));
  }, [load]);
  const fresh = load.state === 'ok' ? load.data.items : [];
  const items = ghosts.length
    ? [...fresh, ...ghosts.filter((g) => !fresh.some((p) => p.id === g.id))].sort((a, b) => a.id - b.id)
    : fresh;
  const userName = useUserNames([...items.map((p) => p.assignee_id), ...decided.values()]);
  const reviewers = useLoad(
    (signal) => can(me, 'users.read')
      ? attempt(() => api.get('/api/v1/users', { signal, params: { query: { role: 'reviewer', limit: 100 } } }))
      : Promise.resolve({ ok: true as const, data: { items: [], next_cursor: null } }),
    [me?.id],
  ).load;

  const flash = (ids: number[]) => {
    if (!ids.length) return;
    setChanged((s) => new Set([...s, ...ids]));
    setTimeout(() => setChanged((s) => new Set([...s].filter((x) => !ids.includes(x)))), 2500);
  };

  const markDecided = (ids: number[]) => {
    const todo = ids.filter((id) => !decidedByMe.has(id));
    if (!todo.length) return;
    setDecided((m) => new Map([...m, ...todo.map((id) => [id, m.get(id) ?? null] as [number, number | null])]));
    for (const id of todo) {
      void attempt(() => api.get('/api/v1/profiles/{id}', { params: { path: { id } } })).then((r) => {
        if (!r.ok) return;
        const last = [...r.data.history].reverse().find((h) => h.decision === 'approve' || h.decision === 'reject');
        if (last?.actor_id != null) setDecided((m) => (m.has(id) ? new Map(m).set(id, last.actor_id) : m));
      });
    }
  };

  // A reload after a live event: new rows and rows whose stage or status moved are highlighted;
  // a row that left review without us deciding it greys out (and stays, greyed, if it no longer
  // matches the filters).
  useEffect(() => {
    if (load.state !== 'ok') return;
    const before = prev.current;
    const moved: number[] = [];
    const gone: number[] = [];
    const now = new Map(load.data.items.map((p) => [p.id, p]));
    for (const p of load.data.items) {
      const old = before.get(p.id);
      if (old && (old.stage !== p.stage || old.status !== p.status || old.assignee_id !== p.assignee_id)) {
        moved.push(p.id);
        if (old.status === 'submitted' && p.status !== 'submitted') gone.push(p.id);
      }
      if (!old && before.size) moved.push(p.id);
      if (old && p.status === 'submitted' && old.status !== 'submitted') {
        setDecided((m) => {
          const n = new Map(m);
          n.delete(p.id);
          return n;
        });
      }
    }
    const left: Summary[] = [];
    for (const [id, old] of before) {
      if (!now.has(id) && old.status === 'submitted' && !decidedByMe.has(id)) {
        gone.push(id);
        left.push(old);
      }
    }
    if (left.length) setGhosts((g) => [...g.filter((x) => !left.some((l) => l.id === x.id)), ...left]);
    prev.current = new Map([...now, ...left.map((l) => [l.id, { ...l, status: 'draft' as const }] as [number, Summary])]);
    flash(moved);
    markDecided(gone);
  }, [load]);

  useEffect(() => {
    prev.current = new Map();
    setSelected(-1);
    setGhosts([]);
  }, [filterKey, pager.cursor]);

  useEffect(() => {
    const offN = onNotification((n) => {
      const id = typeof n.data.profile_id === 'number' ? n.data.profile_id : undefined;
      if (!(n.kind === 'admin.new_submission' || n.kind === 'admin.urgent_review' || n.kind.startsWith('profile.') || n.kind.startsWith('document.'))) return;
      if (id !== undefined && DECIDED_KINDS.has(n.kind)) markDecided([id]);
      if (id !== undefined) flash([id]);
      reload();
    });
    // Every move of a profile reaches reviewers as a profiles_changed frame, saying who acted:
    // a decision someone else took greys its row out with their name. A burst (a bulk job) is
    // coalesced into one reload.
    const offD = onProfilesChanged((frame) => {
      const others = frame.changes.filter((c) => c.event === 'stage' && c.decision !== null && c.actor_id !== meRef.current?.id &&
        !decidedByMe.has(c.profile_id));
      if (others.length) {
        setDecided((m) => new Map([...m, ...others.map((c) => [c.profile_id, c.actor_id] as [number, number | null])]));
        setActors((m) => new Map([...m, ...others.filter((c) => c.actor_id !== null && c.actor_name)
          .map((c) => [c.actor_id!, c.actor_name!] as [number, string])]));
      }
      flash(frame.changes.map((c) => c.profile_id));
      soon();
    });
    const offR = onReconnected(reload);
    const onVisible = () => {
      if (document.visibilityState === 'visible') reload();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(soonTimer.current);
      offN();
      offD();
      offR();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, []);

  // j/k move, Enter opens (the focused link does it), ? lists the keys.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (ignoreKey(e)) return;
      const rows = tbody.current ? Array.from(tbody.current.querySelectorAll<HTMLAnchorElement>('a.row-link')) : [];
      if (e.key === '?') {
        e.preventDefault();
        setKeysOpen(true);
      } else if ((e.key === 'j' || e.key === 'k') && rows.length) {
        e.preventDefault();
        setSelected((i) => {
          const next = e.key === 'j' ? Math.min(rows.length - 1, i + 1) : Math.max(0, i < 0 ? 0 : i - 1);
          rows[next]?.focus();
          return next;
        });
      } else if (e.key === 'Enter' && selected >= 0 && document.activeElement === document.body) {
        const href = rows[selected]?.getAttribute('href');
        if (href) navigate(href);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [selected]);

  const anyFilter = FILTERS.some((k) => f[k]);
  const select = (id: string, label: string, value: string, options: [string, string][]) => (
    <Field id={id} label={label}>
      <select id={id} value={value} onChange={(e) => setQuery({ [id.replace('f-', '')]: e.currentTarget.value })}>
        {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
    </Field>
  );

  return (
    <div class="review-queue">
      <PageTitle actions={<Button variant="ghost" onClick={() => setKeysOpen(true)} aria-keyshortcuts="?">{t('review.keys.button')}</Button>}>
        {t('review.queue.title')}
      </PageTitle>
      <form class="filters" role="search" aria-label={t('review.filters.label')} onSubmit={(e) => {
        e.preventDefault();
        setQuery({ q: search.trim() });
      }}>
        <Field id="f-q" label={t('review.filters.search')}>
          <input id="f-q" type="search" value={search} maxLength={200} autocomplete="off"
            onInput={(e) => setSearch(e.currentTarget.value)} />
        </Field>
        {select('f-stage', t('review.filters.stage'), f.stage, [['', t('review.filters.any')], ...STAGES.map((s) => [s, stageName(s)] as [string, string])])}
        {select('f-status', t('review.filters.status'), f.status, [['', t('review.filters.any')], ...STATUSES.map((s) => [s, t(`status.${s}`)] as [string, string])])}
        {select('f-overdue', t('review.filters.sla'), f.overdue, [['', t('review.filters.any')], ['true', t('review.filters.overdue')], ['false', t('review.filters.onTime')]])}
        {select('f-urgent', t('review.filters.urgent'), f.urgent, [['', t('review.filters.any')], ['true', t('review.filters.urgentOnly')], ['false', t('review.filters.notUrgent')]])}
        {select('f-assignee', t('review.filters.assignee'), f.assignee, [
          ['', t('review.filters.anyone')],
          ...(me && can(me, 'profiles.review') ? [[String(me.id), t('review.filters.me')] as [string, string]] : []),
          ...(reviewers.state === 'ok' ? reviewers.data.items.filter((u) => u.id !== me?.id).map((u) => [String(u.id), u.name] as [string, string]) : []),
          ...(f.assignee && String(me?.id) !== f.assignee && !(reviewers.state === 'ok' && reviewers.data.items.some((u) => String(u.id) === f.assignee))
            ? [[f.assignee, userName(Number(f.assignee))] as [string, string]] : []),
        ])}
        {anyFilter ? (
          <Button variant="ghost" onClick={() => { setSearch(''); setQuery(Object.fromEntries(FILTERS.map((k) => [k, null]))); }}>
            {t('review.filters.clear')}
          </Button>
        ) : null}
      </form>

      <LoadStatus load={load} retry={reload} rows={8} />
      {load.state === 'ok' && !items.length ? (
        anyFilter
          ? <Empty title={t('review.queue.emptyFiltered')} body={t('review.queue.emptyFilteredBody')} />
          : <Empty title={t('review.queue.empty')} body={t('review.queue.emptyBody')} />
      ) : null}
      {load.state === 'ok' && items.length ? (
        <>
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t('review.queue.caption')}>
            <table class="queue-table">
              <caption class="visually-hidden">{t('review.queue.caption')}</caption>
              <TableHead
                cols={[
                  t('review.col.name'),
                  t('review.col.email'),
                  t('review.col.stage'),
                  t('review.col.status'),
                  t('review.col.sla'),
                  t('review.col.submitted'),
                  t('review.col.assignee'),
                ]}
              />
              <tbody ref={tbody}>
                {items.map((p, i) => {
                  const isDecided = decided.has(p.id);
                  const who = decided.get(p.id);
                  const cls = [changed.has(p.id) ? 'changed' : '', isDecided ? 'decided' : '', i === selected ? 'selected' : ''].filter(Boolean).join(' ');
                  return (
                    <tr key={p.id} class={cls || undefined} data-profile={p.id}>
                      <th scope="row">
                        <Link class="row-link" href={`/profiles/${p.id}`} onFocus={() => setSelected(i)}>{p.name}</Link>
                        {isDecided ? (
                          <span class="label tone-neutral decided-label">
                            {who == null ? t('review.queue.decided') : t('review.queue.decidedBy', { who: who === me?.id ? t('review.you') : (actors.get(who) ?? userName(who)) })}
                          </span>
                        ) : null}
                      </th>
                      <td class="email">{p.email}</td>
                      <td>{stageName(p.stage)}</td>
                      <td>
                        <StatusBadge status={p.stage === 'completed' ? 'completed' : p.status} />
                        {p.employment_status === 'on_hold' || p.employment_status === 'withdrawn'
                          ? <> <span class="label tone-warn">{t(`review.employment.${p.employment_status}`)}</span></> : null}
                      </td>
                      {/* The list does not say which reviews are urgent; under the urgent filter all are. */}
                      <td><SlaLabels due={p.sla_due_at} urgent={f.urgent === 'true'} /></td>
                      <td>{p.submitted_at ? <time dateTime={p.submitted_at} title={dateTime(p.submitted_at)}>{relative(p.submitted_at)}</time> : <span class="muted">{t('app.none')}</span>}</td>
                      <td>{p.assignee_id == null ? <span class="muted">{t('review.unassigned')}</span>
                        : me && p.assignee_id === me.id ? t('review.you') : userName(p.assignee_id)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager pager={pager} nextCursor={load.data.next_cursor} />
          <p class="muted small keys-hint"><Icon name="chevron" /> {t('review.keys.hint')}</p>
        </>
      ) : null}
      <KeysDialog open={keysOpen} onClose={() => setKeysOpen(false)} keys={[
        ['j', 'review.keys.down'], ['k', 'review.keys.up'], ['Enter', 'review.keys.open'], ['?', 'review.keys.help'],
      ]} />
    </div>
  );
}
