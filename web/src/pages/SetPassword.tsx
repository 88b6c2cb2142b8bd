// /invite#token=...          an invited user sets a first password (POST /auth/password)
// /reset-password            asks for a reset link (POST /auth/password-reset)
// /reset-password#token=...  sets the new password from the link
// The token stays in the fragment: it is never sent to the server in a URL or a Referer.
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { api, attempt, errorField } from '../lib/api';
import { Link, useLocation } from '../lib/router';
import { Button, ErrorAlert, ErrorSummary, Field, PageTitle, describedBy, type FieldError } from '../ui';
import type { Failure } from '../api/client';
import { EMAIL_RE } from './SignIn';

function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}

export default function SetPassword() {
  const loc = useLocation();
  const invite = loc.path === '/invite';
  const token = tokenFromHash(loc.hash);
  if (!invite && !token) return <RequestReset />;
  return <ChoosePassword invite={invite} token={token} />;
}

function RequestReset() {
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = email.trim();
    const found: FieldError[] = !v ? [{ field: 'email', message: t('signIn.emailRequired') }]
      : !EMAIL_RE.test(v) ? [{ field: 'email', message: t('signIn.emailInvalid') }] : [];
    setErrors(found);
    setFailure(null);
    if (found.length) return;
    setPending(true);
    const r = await attempt(() => api.post('/api/v1/auth/password-reset', { body: { email: v } }));
    setPending(false);
    if (r.ok) setSent(v);
    else if (errorField(r.error) === 'email') setErrors([{ field: 'email', message: r.error.message }]);
    else setFailure(r);
  };
  const err = errors[0]?.message;
  return (
    <form onSubmit={submit} noValidate>
      <PageTitle>{t('reset.title')}</PageTitle>
      {sent ? (
        <div class="alert alert-ok" role="status"><p>{t('reset.sent', { email: sent })}</p></div>
      ) : (
        <>
          <p>{t('reset.requestBody')}</p>
          <ErrorSummary errors={errors} />
          <ErrorAlert error={failure} />
          <Field id="email" label={t('reset.email')} error={err}>
            <input id="email" type="email" autocomplete="username" value={email} onInput={(e) => setEmail(e.currentTarget.value)}
              aria-invalid={!!err || undefined} aria-describedby={describedBy('email', undefined, err)} />
          </Field>
          <div class="btn-row">
            <Button type="submit" variant="primary" pending={pending}>{t('reset.send')}</Button>
          </div>
        </>
      )}
      <p class="btn-row"><Link href="/sign-in">{t('signIn.title')}</Link></p>
    </form>
  );
}

function ChoosePassword({ invite, token }: { invite: boolean; token: string }) {
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [done, setDone] = useState(false);
  const [pending, setPending] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const found: FieldError[] = [];
    if ([...password].length < 12) found.push({ field: 'new-password', message: t('invite.tooShort') });
    else if (new TextEncoder().encode(password).length > 1024) found.push({ field: 'new-password', message: t('invite.tooLong') });
    if (confirm !== password) found.push({ field: 'confirm-password', message: t('invite.mismatch') });
    setErrors(found);
    setFailure(null);
    if (found.length) return;
    setPending(true);
    const r = await attempt(() => api.post('/api/v1/auth/password', { body: { token, new_password: password } }));
    setPending(false);
    if (r.ok) {
      setDone(true);
      history.replaceState(null, '', location.pathname); // the used token leaves the address bar
    } else if (errorField(r.error) === 'new_password') setErrors([{ field: 'new-password', message: r.error.message }]);
    else if (r.status === 401) setFailure({ ...r, error: { ...r.error, code: 'validation_failed', message: t(invite ? 'invite.badToken' : 'reset.badToken') } });
    else setFailure(r);
  };
  const err = (f: string) => errors.find((x) => x.field === f)?.message;

  if (!token) {
    return (
      <div>
        <PageTitle>{t('invite.title')}</PageTitle>
        <div class="alert alert-danger" role="alert"><p>{t('invite.noToken')}</p></div>
      </div>
    );
  }
  if (done) {
    return (
      <div>
        <PageTitle>{invite ? t('invite.title') : t('reset.setTitle')}</PageTitle>
        <div class="alert alert-ok" role="status"><p>{invite ? t('invite.done') : t('reset.done')}</p></div>
        <Link class="btn btn-primary" href="/sign-in">{t('signIn.submit')}</Link>
      </div>
    );
  }
  return (
    <form onSubmit={submit} noValidate>
      <PageTitle>{invite ? t('invite.title') : t('reset.setTitle')}</PageTitle>
      {invite ? <p>{t('invite.body')}</p> : null}
      <ErrorSummary errors={errors} />
      <ErrorAlert error={failure} />
      <Field id="new-password" label={t('invite.password')} hint={t('invite.passwordHint')} error={err('new-password')}>
        <input id="new-password" type="password" autocomplete="new-password" value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} aria-invalid={!!err('new-password') || undefined}
          aria-describedby={describedBy('new-password', true, err('new-password'))} />
      </Field>
      <Field id="confirm-password" label={t('invite.confirm')} error={err('confirm-password')}>
        <input id="confirm-password" type="password" autocomplete="new-password" value={confirm}
          onInput={(e) => setConfirm(e.currentTarget.value)} aria-invalid={!!err('confirm-password') || undefined}
          aria-describedby={describedBy('confirm-password', undefined, err('confirm-password'))} />
      </Field>
      <div class="btn-row">
        <Button type="submit" variant="primary" pending={pending}>{invite ? t('invite.submit') : t('reset.setSubmit')}</Button>
      </div>
    </form>
  );
}
