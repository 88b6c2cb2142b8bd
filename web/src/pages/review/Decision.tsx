// Approve / Reject with a reason: pending until the API answers (never sent twice), the reason
// field focused when Reject is chosen and required before sending, the API's message by the
// buttons when it refuses (conflict, self-review...).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Failure } from '../../api/client';
import { t } from '../../i18n';
import { errorField, errorText } from '../../lib/api';
import { Button, Field, Icon, describedBy } from '../../ui';

export interface DecisionControl {
  approve: () => void;
  reject: () => void;
}

export function DecisionBox({ id, send, control, approveLabel, rejectLabel, children, disabled }: {
  id: string;
  /** Sends the decision; null on success. */
  send: (decision: 'approve' | 'reject', reason: string) => Promise<Failure | null>;
  control?: { current: DecisionControl | null };
  approveLabel: string;
  rejectLabel: string;
  /** Extra fields shown with the reason (e.g. where a final rejection sends the profile). */
  children?: ComponentChildren;
  disabled?: boolean;
}) {
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState<'approve' | 'reject' | null>(null);
  const inFlight = useRef(false);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const reasonId = `${id}-reason`;

  useEffect(() => {
    if (rejecting) reasonRef.current?.focus();
  }, [rejecting]);

  const go = async (decision: 'approve' | 'reject') => {
    if (inFlight.current || disabled) return;
    setFailure(null);
    if (decision === 'reject') {
      if (!rejecting) {
        setRejecting(true);
        reasonRef.current?.focus();
        return;
      }
      if (!reason.trim()) {
        setReasonError(t('review.decision.reasonRequired'));
        reasonRef.current?.focus();
        return;
      }
      if (reason.trim().length > 2000) {
        setReasonError(t('review.decision.reasonTooLong'));
        reasonRef.current?.focus();
        return;
      }
    }
    setReasonError(undefined);
    inFlight.current = true;
    setPending(decision);
    const r = await send(decision, reason.trim());
    inFlight.current = false;
    setPending(null);
    if (!r) {
      setRejecting(false);
      setReason('');
      return;
    }
    if (r.status === 422 && errorField(r.error) === 'reason') {
      setRejecting(true);
      setReasonError(errorText(r.error));
      reasonRef.current?.focus();
    } else {
      setFailure(r);
    }
  };

  if (control) control.current = { approve: () => void go('approve'), reject: () => void go('reject') };

  return (
    <div class="decision">
      {rejecting ? (
        <>
          <Field id={reasonId} label={t('review.decision.reason')} hint={t('review.decision.reasonHint')} error={reasonError}>
            <textarea id={reasonId} ref={reasonRef} rows={3} value={reason} maxLength={2000}
              onInput={(e) => setReason(e.currentTarget.value)}
              aria-invalid={!!reasonError || undefined}
              aria-describedby={describedBy(reasonId, true, reasonError)} />
          </Field>
          {children}
        </>
      ) : null}
      <div class="btn-row">
        {rejecting ? (
          <>
            <Button variant="danger" pending={pending === 'reject'} disabled={!!pending || disabled} onClick={() => go('reject')} aria-keyshortcuts="r">
              <Icon name="x" />{t('review.decision.confirmReject')}
            </Button>
            <Button variant="ghost" disabled={!!pending} onClick={() => { setRejecting(false); setReasonError(undefined); setFailure(null); }}>
              {t('app.cancel')}
            </Button>
          </>
        ) : (
          <>
            <Button variant="primary" pending={pending === 'approve'} disabled={!!pending || disabled} onClick={() => go('approve')} aria-keyshortcuts="a">
              <Icon name="check" />{approveLabel}
            </Button>
            <Button variant="secondary" disabled={!!pending || disabled} onClick={() => go('reject')} aria-keyshortcuts="r">
              <Icon name="x" />{rejectLabel}
            </Button>
          </>
        )}
        {pending ? <span class="muted" role="status">{t('app.pending')}</span> : null}
      </div>
      {failure ? (
        <p class="error-text decision-error" role="alert">
          <Icon name="alert" /> {errorText(failure.error)}
        </p>
      ) : null}
    </div>
  );
}
