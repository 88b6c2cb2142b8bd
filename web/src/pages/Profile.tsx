// One profile as a reviewer sees it: the facts and SLA, the stage decision, each document with
// an in-page preview and its own Approve / Reject, the personal details and the stage history.
// Keys: a approves, r opens reject (on the document last opened, else on the stage), ? lists them.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Failure } from '../api/client';
import { t, type MessageKey } from '../i18n';
import { api, attempt } from '../lib/api';
import { bytes, date, dateTime, duration, number, percent } from '../lib/format';
import { onNotification, onProfilesChanged, onReconnected } from '../lib/live';
import { Link } from '../lib/router';
import { can, useMe } from '../lib/session';
import type { PageProps } from '../routes';
import { Button, Empty, ErrorAlert, Field, Icon, PageTitle, ProgressBar, Skeleton, StatusBadge, toast, useLoad, TableHead } from '../ui';
import { DecisionBox, type DecisionControl } from './review/Decision';
import { Preview, contentUrl } from './review/Preview';
import { KeysDialog, decidedByMe, ignoreKey, lastQueue, stageName, useUserNames, type Doc, type ProfileView } from './review/shared';
import './review.css';

export default function Profile({ params }: PageProps) {
  const id = Number(params.id);
  const me = useMe();
  const valid = Number.isInteger(id) && id > 0;
  const { load, reload, set } = useLoad(
    (signal) => valid
      ? attempt(() => api.get('/api/v1/profiles/{id}', { signal, params: { path: { id } } }))
      : Promise.resolve({ ok: false as const, status: 404, error: { code: 'not_found' as const, message: t('error.not_found'), details: null, request_id: '' }, response: new Response(null) }),
    [id],
  );
  const types = useLoad((signal) => attempt(() => api.get('/api/v1/document-types', { signal })), []).load;
  const [keysOpen, setKeysOpen] = useState(false);
  const [activeDoc, setActiveDoc] = useState<number | null>(null);
  const stageControl = useRef<DecisionControl | null>(null);
  const docControls = useRef(new Map<number, DecisionControl>());

  const p = load.state === 'ok' ? load.data : null;
  const userName = useUserNames(p ? [p.assignee_id, ...p.history.map((h) => h.actor_id), ...p.documents.map((d) => d.reviewed_by)] : []);

  useEffect(() => {
    const offN = onNotification((n) => {
      if (n.data.profile_id === id) reload();
    });
    // Another reviewer's decision (or the employee's submission) on this profile.
    const offC = onProfilesChanged((f) => {
      if (f.more > 0 || f.changes.some((c) => c.profile_id === id)) reload();
    });
    const offR = onReconnected(reload);
    return () => {
      offN();
      offC();
      offR();
    };
  }, [id]);

  const onboarding = p?.employment_status === 'onboarding';
  const stageOpen = !!p && onboarding && p.status === 'submitted' && p.stage !== 'completed' && can(me, 'profiles.review');
  const docsOpen = !!p && onboarding && p.stage === 'documents' && p.status === 'submitted' && can(me, 'documents.review');

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (ignoreKey(e)) return;
      if (e.key === '?') {
        e.preventDefault();
        setKeysOpen(true);
        return;
      }
      if (e.key !== 'a' && e.key !== 'r') return;
      const target = (docsOpen && activeDoc !== null ? docControls.current.get(activeDoc) : null) ?? (stageOpen ? stageControl.current : null);
      if (!target) return;
      e.preventDefault();
      if (e.key === 'a') target.approve();
      else target.reject();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [activeDoc, docsOpen, stageOpen]);

  if (load.state === 'loading') return <><PageTitle>{t('review.profile.loading')}</PageTitle><Skeleton rows={10} /></>;
  if (load.state === 'error') {
    return (
      <>
        <PageTitle>{t('review.profile.title')}</PageTitle>
        {load.error.status === 404 ? <ErrorAlert error={load.error} /> : <ErrorAlert error={load.error} onRetry={reload} />}
        <p><Link href={lastQueue.href}>{t('review.profile.back')}</Link></p>
      </>
    );
  }
  const prof = load.data;
  const typeName = (code: string) => (types.state === 'ok' ? types.data.items.find((x) => x.code === code)?.name : undefined) ?? code;

  // A decision whose answer was lost (the connection dropped): it stays pending while we ask
  // the server whether it arrived, so it is neither lost nor sent twice.
  const fetchProfile = async () => {
    const r = await attempt(() => api.get('/api/v1/profiles/{id}', { params: { path: { id } } }));
    return r.ok ? r.data : r.status === 0 ? undefined : null;
  };

  const decideStage = async (decision: 'approve' | 'reject', reason: string, sendBack?: string): Promise<Failure | null> => {
    const stage = prof.stage as 'details' | 'documents' | 'final';
    const body: { stage: typeof stage; decision: typeof decision; reason?: string; send_back_to?: 'details' | 'documents' } = { stage, decision };
    if (decision === 'reject') body.reason = reason;
    else if (reason) body.reason = reason;
    if (decision === 'reject' && stage === 'final' && sendBack) body.send_back_to = sendBack as 'details' | 'documents';
    const started = Date.now();
    let r = await attempt(() => api.post('/api/v1/profiles/{id}/decision', { params: { path: { id } }, body }));
    if (!r.ok && r.status === 0) {
      const fresh = await untilAnswered(fetchProfile);
      const last = fresh?.history[fresh.history.length - 1];
      const arrived = !!fresh && !!last && last.decision === decision && last.actor_id === me?.id &&
        last.from.stage === stage && new Date(last.at).getTime() >= started - 60_000;
      if (fresh && arrived) r = { ok: true, status: 200, data: fresh, response: new Response(null) };
      else if (fresh) return notSent(r);
    }
    if (!r.ok) return r;
    decidedByMe.add(id);
    set(r.data);
    toast(decision === 'approve' ? t('review.decision.stageApproved', { stage: stageName(stage) }) : t('review.decision.stageRejected', { stage: stageName(stage) }), 'ok');
    return null;
  };

  const decideDoc = async (doc: Doc, decision: 'approve' | 'reject', reason: string): Promise<Failure | null> => {
    let r = await attempt(() => api.post('/api/v1/documents/{id}/decision', {
      params: { path: { id: doc.id } },
      body: decision === 'reject' ? { decision, reason } : { decision },
    }));
    if (!r.ok && r.status === 0) {
      const fresh = await untilAnswered(fetchProfile);
      const now = fresh?.documents.find((d) => d.id === doc.id);
      const arrived = !!now && now.status === (decision === 'approve' ? 'approved' : 'rejected') && now.reviewed_by === me?.id;
      if (now && arrived) r = { ok: true, status: 200, data: now, response: new Response(null) };
      else if (fresh) return notSent(r);
    }
    if (!r.ok) return r;
    set({ ...prof, documents: prof.documents.map((d) => (d.id === doc.id ? r.data : d)) });
    toast(decision === 'approve' ? t('review.doc.approved', { type: typeName(doc.type) }) : t('review.doc.rejected', { type: typeName(doc.type) }), 'ok');
    reload(); // progress and the stage may have moved too
    return null;
  };

  return (
    <div class="review-profile">
      <p class="crumb"><Link href={lastQueue.href}>{t('review.profile.back')}</Link></p>
      <PageTitle actions={<Button variant="ghost" onClick={() => setKeysOpen(true)} aria-keyshortcuts="?">{t('review.keys.button')}</Button>}>
        {prof.name}
      </PageTitle>
      <p class="profile-sub">
        <span>{prof.email}</span>
        <span>{stageName(prof.stage)}</span>
        <StatusBadge status={prof.stage === 'completed' ? 'completed' : prof.status} />
        {prof.employment_status !== 'onboarding' ? <span class="label tone-warn">{t(`review.employment.${prof.employment_status}` as MessageKey)}</span> : null}
      </p>

      <div class="profile-grid">
        <div class="profile-main">
          {stageOpen ? (
            <section class="card decision-card" aria-labelledby="stage-decision-h">
              <h2 id="stage-decision-h">{t('review.decision.title', { stage: stageName(prof.stage) })}</h2>
              <p class="muted">{t(`review.decision.help.${prof.stage}` as MessageKey)}</p>
              <StageDecision prof={prof} control={stageControl} send={decideStage} />
            </section>
          ) : (
            <p class="alert alert-info">
              <Icon name="clock" />
              <span>{t(nextKey(prof))}</span>
            </p>
          )}

          <section class="card" aria-labelledby="docs-h">
            <h2 id="docs-h">{t('review.doc.title')}</h2>
            {prof.documents.length === 0 ? (
              <Empty title={t('review.doc.empty')} body={t('review.doc.emptyBody')} />
            ) : (
              <ul class="doc-list">
                {prof.documents.map((d) => (
                  <DocCard key={d.id} doc={d} title={typeName(d.type)} open={docsOpen} active={activeDoc === d.id}
                    reviewer={d.reviewed_by == null ? undefined : d.reviewed_by === me?.id ? t('review.you') : userName(d.reviewed_by)}
                    onActive={() => setActiveDoc(d.id)}
                    control={{
                      get current() { return docControls.current.get(d.id) ?? null; },
                      set current(c: DecisionControl | null) { if (c) docControls.current.set(d.id, c); else docControls.current.delete(d.id); },
                    }}
                    send={(decision, reason) => decideDoc(d, decision, reason)} />
                ))}
              </ul>
            )}
          </section>

          <section class="card" aria-labelledby="details-h">
            <h2 id="details-h">{t('review.details.title')}</h2>
            <DetailsFacts prof={prof} />
          </section>

        </div>

        <aside class="profile-side">
          <section class="card" aria-labelledby="summary-h">
            <h2 id="summary-h">{t('review.summary.title')}</h2>
            <dl class="facts">
              <dt>{t('review.col.stage')}</dt><dd>{stageName(prof.stage)}</dd>
              <dt>{t('review.col.status')}</dt><dd><StatusBadge status={prof.stage === 'completed' ? 'completed' : prof.status} /></dd>
              <dt>{t('review.summary.employment')}</dt><dd>{t(`review.employment.${prof.employment_status}` as MessageKey)}</dd>
              <dt>{t('review.summary.progress')}</dt>
              <dd>
                {percent(prof.progress, 0)}
                <ProgressBar value={prof.progress} label={t('review.summary.progress')} />
              </dd>
              <dt>{t('review.col.submitted')}</dt><dd>{dateTime(prof.submitted_at)}</dd>
              <dt>{t('review.col.assignee')}</dt>
              <dd>{prof.assignee_id == null ? t('review.unassigned') : prof.assignee_id === me?.id ? t('review.you') : userName(prof.assignee_id)}</dd>
              <dt>{t('review.summary.created')}</dt><dd>{date(prof.created_at)}</dd>
            </dl>
            {can(me, 'profiles.assign') ? <Assign prof={prof} onDone={set} /> : null}
          </section>
          <section class="card" aria-labelledby="sla-h">
            <h2 id="sla-h">{t('review.sla.title')}</h2>
            {prof.sla ? (
              <dl class="facts">
                <dt>{t('review.sla.state')}</dt><dd>{t(`review.sla.state.${prof.sla.state}` as MessageKey)}</dd>
                <dt>{t('review.sla.time')}</dt>
                <dd>{prof.sla.state === 'running'
                  ? <SlaRunning sla={prof.sla} />
                  : <>{prof.sla.overdue ? <span class="label tone-danger">{t('review.sla.wasOverdue')}</span> : null}
                    {prof.sla.urgent ? <span class="label tone-warn">{t('sla.urgent')}</span> : null}
                    {!prof.sla.overdue && !prof.sla.urgent ? <span class="muted">{t('app.none')}</span> : null}</>}</dd>
                <dt>{t('review.sla.used')}</dt>
                <dd>{t('review.sla.hours', { elapsed: number(prof.sla.elapsed_hours, { maximumFractionDigits: 1 }), budget: number(prof.sla.budget_hours) })}</dd>
                <dt>{t('review.sla.deadline')}</dt><dd>{dateTime(prof.sla.deadline)}</dd>
              </dl>
            ) : <p class="muted">{t('review.sla.noClock')}</p>}
          </section>
        </aside>
      </div>
      <section class="card" aria-labelledby="history-h">
        <h2 id="history-h">{t('review.history.title')}</h2>
        {prof.history.length === 0 ? <Empty title={t('review.history.empty')} body={t('review.history.emptyBody')} /> : (
          <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="history-h">
            <table class="history-table">
              <TableHead
                cols={[
                  t('review.history.when'),
                  t('review.history.who'),
                  t('review.history.change'),
                  t('review.history.decision'),
                  t('review.history.reason'),
                ]}
              />
              <tbody>
                {[...prof.history].reverse().map((h, i) => (
                  <tr key={i}>
                    <td class="when"><time dateTime={h.at}>{dateTime(h.at)}</time></td>
                    <td>{h.actor_id == null ? t('review.history.system') : h.actor_id === me?.id ? t('review.you') : userName(h.actor_id)}</td>
                    <td>{change(h)}</td>
                    <td>{decisionWord(h.decision)}</td>
                    <td class="reason">{h.reason || <span class="muted">{t('app.none')}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <KeysDialog open={keysOpen} onClose={() => setKeysOpen(false)} keys={[
        ['a', 'review.keys.approve'], ['r', 'review.keys.reject'], ['?', 'review.keys.help'],
      ]} />
    </div>
  );
}

/** Time left or past from the server's own count (elapsed against budget), not this device's clock. */
function SlaRunning({ sla }: { sla: NonNullable<ProfileView['sla']> }) {
  const ms = (sla.budget_hours - sla.elapsed_hours) * 3600_000;
  return (
    <span class="sla-labels">
      {sla.overdue || ms < 0
        ? <span class="label tone-danger">{t('sla.overdue', { time: duration(ms) })}</span>
        : <span>{t('sla.left', { time: duration(ms) })}</span>}
      {sla.urgent ? <span class="label tone-warn">{t('sla.urgent')}</span> : null}
    </span>
  );
}

function nextKey(p: ProfileView): MessageKey {
  if (p.employment_status !== 'onboarding' && p.stage !== 'completed') return 'review.next.paused';
  if (p.stage === 'completed') return 'review.next.completed';
  if (p.status === 'submitted') return 'review.next.noPermission';
  return 'review.next.employee';
}

function change(h: ProfileView['history'][number]): string {
  const status = (s: string) => t(`status.${s}` as MessageKey);
  if (h.from.stage === h.to.stage) {
    return t('review.history.sameStage', { stage: stageName(h.to.stage), from: status(h.from.status), to: status(h.to.status) });
  }
  return t('review.history.fromTo', {
    from: `${stageName(h.from.stage)} (${status(h.from.status)})`,
    to: `${stageName(h.to.stage)} (${status(h.to.status)})`,
  });
}

function decisionWord(d: string | null): string {
  if (d === null) return t('review.history.submitted');
  if (d === 'approve') return t('review.history.approved');
  if (d === 'reject') return t('review.history.rejected');
  const status = d.replace('employment.', '');
  return t('review.history.employment', { status: t(`review.employment.${status}` as MessageKey) });
}

function StageDecision({ prof, control, send }: {
  prof: ProfileView;
  control: { current: DecisionControl | null };
  send: (decision: 'approve' | 'reject', reason: string, sendBack?: string) => Promise<Failure | null>;
}) {
  const [sendBack, setSendBack] = useState('documents');
  return (
    <DecisionBox id="stage" control={control}
      approveLabel={t('review.decision.approveStage')} rejectLabel={t('review.decision.rejectStage')}
      send={(d, reason) => send(d, reason, sendBack)}>
      {prof.stage === 'final' ? (
        <Field id="send-back" label={t('review.decision.sendBack')}>
          <select id="send-back" value={sendBack} onChange={(e) => setSendBack(e.currentTarget.value)}>
            <option value="documents">{stageName('documents')}</option>
            <option value="details">{stageName('details')}</option>
          </select>
        </Field>
      ) : null}
    </DecisionBox>
  );
}

function DocCard({ doc, title, open, active, reviewer, onActive, control, send }: {
  doc: Doc; title: string; open: boolean; active: boolean; reviewer: string | undefined;
  onActive: () => void;
  control: { current: DecisionControl | null };
  send: (decision: 'approve' | 'reject', reason: string) => Promise<Failure | null>;
}) {
  const [showing, setShowing] = useState(false);
  const hId = `doc-${doc.id}-h`;
  return (
    <li class={`doc card${active ? ' active' : ''}`} aria-labelledby={hId} onFocusIn={onActive}>
      <div class="doc-head">
        <h3 id={hId}>{title}</h3>
        <StatusBadge status={doc.status} />
      </div>
      <p class="muted small">
        {t('review.doc.meta', { file: doc.filename, size: bytes(doc.size), when: dateTime(doc.uploaded_at) })}
      </p>
      {doc.status !== 'pending' && reviewer ? (
        <p class="small">{t('review.doc.reviewedBy', { who: reviewer, when: dateTime(doc.reviewed_at) })}</p>
      ) : null}
      {doc.review_reason ? <p class="doc-reason"><strong>{t('review.doc.reason')}</strong> {doc.review_reason}</p> : null}
      <div class="btn-row">
        <Button aria-expanded={showing} onClick={() => { setShowing((s) => !s); onActive(); }}>
          <Icon name="file" />{showing ? t('review.doc.hide') : t('review.doc.preview')}
        </Button>
        <a class="btn btn-ghost" href={contentUrl(doc)} download={doc.filename}>
          <Icon name="download" />{t('review.doc.download')}
        </a>
      </div>
      {showing ? <div class="doc-preview"><Preview doc={doc} title={t('review.doc.previewOf', { type: title, file: doc.filename })} /></div> : null}
      {open ? (
        <DecisionBox id={`doc-${doc.id}`} control={control}
          approveLabel={t('review.doc.approve')} rejectLabel={t('review.doc.reject')} send={send} />
      ) : null}
    </li>
  );
}

function DetailsFacts({ prof }: { prof: ProfileView }) {
  const d = prof.details;
  const none = <span class="muted">{t('app.none')}</span>;
  const v = (x: string | null | undefined) => (x ? x : none);
  const address = [d.address?.line1, d.address?.line2, d.address?.city, d.address?.region, d.address?.postal_code, d.address?.country].filter(Boolean).join(', ');
  const ec = d.emergency_contact;
  return (
    <dl class="facts">
      <dt>{t('review.details.firstName')}</dt><dd>{v(d.first_name)}</dd>
      <dt>{t('review.details.lastName')}</dt><dd>{v(d.last_name)}</dd>
      <dt>{t('review.details.preferredName')}</dt><dd>{v(d.preferred_name)}</dd>
      <dt>{t('review.details.dob')}</dt><dd>{d.date_of_birth ? date(`${d.date_of_birth}T12:00:00`) : none}</dd>
      <dt>{t('review.details.phone')}</dt><dd>{v(d.phone)}</dd>
      <dt>{t('review.details.address')}</dt><dd>{v(address)}</dd>
      <dt>{t('review.details.emergency')}</dt>
      <dd>{ec?.name ? [ec.name, ec.relationship, ec.phone].filter(Boolean).join(' · ') : none}</dd>
    </dl>
  );
}

function Assign({ prof, onDone }: { prof: ProfileView; onDone: (p: ProfileView) => void }) {
  const me = useMe();
  const reviewers = useLoad((signal) => attempt(() => api.get('/api/v1/users', { signal, params: { query: { role: 'reviewer', limit: 100 } } })), []).load;
  const [who, setWho] = useState(prof.assignee_id == null ? '' : String(prof.assignee_id));
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  useEffect(() => setWho(prof.assignee_id == null ? '' : String(prof.assignee_id)), [prof.assignee_id]);
  const options: [string, string][] = [['', t('review.unassigned')]];
  if (me && can(me, 'profiles.review')) options.push([String(me.id), t('review.you')]);
  if (reviewers.state === 'ok') for (const u of reviewers.data.items) if (u.id !== me?.id) options.push([String(u.id), u.name]);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (pending) return;
    setPending(true);
    setFailure(null);
    const r = await attempt(() => api.post('/api/v1/profiles/{id}/assign', { params: { path: { id: prof.id } }, body: { reviewer_id: who ? Number(who) : null } }));
    setPending(false);
    if (r.ok) {
      onDone(r.data);
      toast(t('review.assign.done'), 'ok');
    } else setFailure(r);
  };
  return (
    <form class="assign" onSubmit={submit}>
      <Field id="assign-to" label={t('review.assign.label')}>
        <select id="assign-to" value={who} onChange={(e) => setWho(e.currentTarget.value)}>
          {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select>
      </Field>
      <Button type="submit" pending={pending}>{t('review.assign.submit')}</Button>
      {failure ? <ErrorAlert error={failure} /> : null}
    </form>
  );
}

/** Calls `ask` every second until the server answers (undefined: unreachable), for up to two
 * minutes; the answer, or undefined when it never came. */
async function untilAnswered<T>(ask: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let i = 0; i < 120; i++) {
    const v = await ask();
    if (v !== undefined) return v;
    await new Promise((ok) => setTimeout(ok, 1000));
  }
  return undefined;
}

/** The server answered again and the decision is not there: nothing was recorded. */
function notSent(f: Failure): Failure {
  return { ...f, error: { ...f.error, message: t('review.decision.notSent') } };
}
