// /onboarding — the employee's own page: the stage stepper and progress, one sentence saying what
// happens next, then the current stage (the details form, or the documents), read-only while a
// reviewer has it. Live: a notification about the profile reloads it in place.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Failure } from '../api/client';
import { t, type MessageKey } from '../i18n';
import { api, attempt } from '../lib/api';
import { dateTime, percent } from '../lib/format';
import { onNotification, onReconnected } from '../lib/live';
import { Empty, ErrorAlert, Icon, PageTitle, ProgressBar, Skeleton } from '../ui';
import { DetailsForm, DetailsSummary, type ProfileView } from './onboarding/details';
import { Documents, type DocumentType } from './onboarding/documents';
import './onboarding.css';

const STAGES = ['details', 'documents', 'final', 'completed'] as const;

type State =
  | { state: 'loading' }
  | { state: 'error'; error: Failure }
  | { state: 'none' }
  | { state: 'ok'; profile: ProfileView; types: DocumentType[] };

export default function Onboarding() {
  const [data, setData] = useState<State>({ state: 'loading' });
  const [stale, setStale] = useState<Failure | null>(null);
  const seq = useRef(0);
  const types = useRef<DocumentType[] | null>(null);
  const profileId = useRef<number | null>(null);

  const refresh = async () => {
    const mine = ++seq.current;
    const [p, ty] = await Promise.all([
      attempt(() => api.get('/api/v1/profiles/me')),
      types.current ? Promise.resolve(null) : attempt(() => api.get('/api/v1/document-types')),
    ]);
    if (mine !== seq.current) return; // a newer load is under way
    if (ty && ty.ok) types.current = ty.data.items;
    const failed = !p.ok ? p : ty && !ty.ok ? ty : null;
    if (!p.ok && p.status === 404) return setData({ state: 'none' });
    if (failed) {
      // Keep what is on screen (and whatever was being typed); say it may be out of date.
      setData((d) => (d.state === 'ok' ? d : { state: 'error', error: failed }));
      setStale(failed);
      return;
    }
    if (!p.ok) return;
    setStale(null);
    profileId.current = p.data.id;
    setData({ state: 'ok', profile: p.data, types: types.current ?? [] });
  };

  useEffect(() => {
    void refresh();
    const offN = onNotification((n) => {
      if (!n.kind.startsWith('profile.') && !n.kind.startsWith('document.')) return;
      const pid = n.data?.profile_id;
      if (typeof pid === 'number' && profileId.current !== null && pid !== profileId.current) return;
      void refresh();
    });
    const offR = onReconnected(() => void refresh());
    return () => {
      offN();
      offR();
      seq.current++;
    };
  }, []);

  const retry = () => {
    setData((d) => (d.state === 'error' ? { state: 'loading' } : d));
    void refresh();
  };
  const changed = (p: ProfileView) => {
    seq.current++; // an answer to an older load must not overwrite this one
    profileId.current = p.id;
    const before = data.state === 'ok' ? `${data.profile.stage}/${data.profile.status}` : '';
    setData((d) => ({ state: 'ok', profile: p, types: d.state === 'ok' ? d.types : types.current ?? [] }));
    // The person's own submit moved the stage on: the form is gone, so focus what happens next.
    // (Live updates never move focus.)
    if (before && before !== `${p.stage}/${p.status}`) {
      requestAnimationFrame(() => document.getElementById('ob-next')?.focus());
    }
  };

  return (
    <div class="ob">
      <PageTitle>{t('onboarding.title')}</PageTitle>
      {data.state === 'loading' ? <Skeleton rows={6} /> : null}
      {data.state === 'error' ? <ErrorAlert error={data.error} onRetry={retry} /> : null}
      {data.state === 'none' ? <Empty title={t('onboarding.noProfile.title')} body={t('onboarding.noProfile.body')} /> : null}
      {data.state === 'ok' ? (
        <>
          {stale ? (
            <div class="ob-stale">
              <p class="muted small">{t('onboarding.reloadFailed')}</p>
              <ErrorAlert error={stale} onRetry={retry} />
            </div>
          ) : null}
          <Progress profile={data.profile} />
          <Stage profile={data.profile} types={data.types} onChanged={changed} reload={() => void refresh()} />
        </>
      ) : null}
    </div>
  );
}

function Progress({ profile }: { profile: ProfileView }) {
  const current = STAGES.indexOf(profile.stage);
  const completed = profile.stage === 'completed';
  const next = nextStep(profile);
  return (
    <section class="ob-progress" aria-label={t('onboarding.progressLabel')}>
      <ol class="stepper" aria-label={t('onboarding.stepsLabel')}>
        {STAGES.map((s, i) => {
          const done = i < current || completed;
          const here = i === current;
          return (
            <li key={s} class={done ? 'done' : here ? 'current' : ''} aria-current={here ? 'step' : undefined}>
              <span class="ob-step-name">
                {done ? <Icon name="check" size={14} aria-hidden="true" /> : null}
                {t(`stage.${s}` as MessageKey)}
              </span>
              <span class="visually-hidden">
                {done ? t('onboarding.step.done') : here ? t('onboarding.step.current') : t('onboarding.step.todo')}
              </span>
            </li>
          );
        })}
      </ol>
      <ProgressBar value={profile.progress} label={t('onboarding.progressLabel')} />
      <p class="muted small ob-percent">{t('onboarding.progressText', { percent: percent(profile.progress, 0) })}</p>
      <div class="next-step" id="ob-next" tabIndex={-1} aria-live="polite" data-testid="next-step">
        <p>{t(next.key)}</p>
        {next.reason ? <p class="ob-reason">{t('onboarding.reason', { reason: next.reason })}</p> : null}
        {next.when ? <p class="muted small">{t('onboarding.submittedAt', { when: dateTime(next.when) })}</p> : null}
      </div>
    </section>
  );
}

/** The one sentence saying what happens next, with the reviewer's reason after a rejection. */
function nextStep(p: ProfileView): { key: MessageKey; reason?: string | undefined; when?: string | undefined } {
  if (p.employment_status !== 'onboarding') {
    if (p.employment_status === 'active' || p.stage === 'completed') return { key: 'onboarding.next.completed' };
    return { key: `onboarding.next.${p.employment_status}` as MessageKey };
  }
  if (p.stage === 'completed') return { key: 'onboarding.next.completed' };
  if (p.stage === 'final') return { key: 'onboarding.next.final', when: p.submitted_at ?? undefined };
  if (p.status === 'rejected') {
    const last = [...p.history].reverse().find((h) => h.decision === 'reject');
    return { key: `onboarding.next.${p.stage}.rejected` as MessageKey, reason: last?.reason ?? undefined };
  }
  if (p.status === 'submitted') {
    const rejectedDoc = p.stage === 'documents' ? p.documents.find((d) => d.status === 'rejected') : undefined;
    // Each rejected card shows its own reason.
    if (rejectedDoc) return { key: 'onboarding.next.documents.replace' };
    return { key: `onboarding.next.${p.stage}.submitted` as MessageKey, when: p.submitted_at ?? undefined };
  }
  return { key: `onboarding.next.${p.stage}.draft` as MessageKey };
}

function Stage({ profile, types, onChanged, reload }: {
  profile: ProfileView; types: DocumentType[]; onChanged: (p: ProfileView) => void; reload: () => void;
}) {
  const editable = profile.employment_status === 'onboarding' && profile.stage === 'details' &&
    (profile.status === 'draft' || profile.status === 'rejected');
  if (profile.stage === 'details') {
    return (
      <section aria-labelledby="ob-details-title">
        <h2 id="ob-details-title">{t('onboarding.details.title')}</h2>
        {editable ? (
          // Keyed by state: a decision re-opens the form with what was stored.
          <DetailsForm key={`${profile.id}-${profile.status}`} profile={profile} onChanged={onChanged} />
        ) : (
          <>
            <p class="muted">{t(profile.employment_status === 'onboarding' ? 'onboarding.details.readonly' : 'onboarding.details.readonlyHold')}</p>
            <DetailsSummary details={profile.details} />
          </>
        )}
      </section>
    );
  }
  return (
    <>
      <Documents profile={profile} types={types} onChanged={onChanged} reload={reload} />
      <details class="ob-more">
        <summary>{t('onboarding.details.title')}</summary>
        <DetailsSummary details={profile.details} />
      </details>
    </>
  );
}
