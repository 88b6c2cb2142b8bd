// Sign in (GOV.UK pattern: error summary on top, the message next to the field).
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { signIn } from '../lib/auth';
import { Link, useLocation } from '../lib/router';
import { Button, ErrorAlert, ErrorSummary, Field, PageTitle, describedBy, type FieldError } from '../ui';
import type { Failure } from '../api/client';

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export default function SignIn() {
  const loc = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState(false);
  const signedOut = loc.query.get('signed_out');

  const submit = async (e: Event) => {
    e.preventDefault();
    const found: FieldError[] = [];
    if (!email.trim()) found.push({ field: 'email', message: t('signIn.emailRequired') });
    else if (!EMAIL_RE.test(email.trim())) found.push({ field: 'email', message: t('signIn.emailInvalid') });
    if (!password) found.push({ field: 'password', message: t('signIn.passwordRequired') });
    setErrors(found);
    setFailure(null);
    if (found.length) return;
    setPending(true);
    const r = await signIn(email.trim(), password);
    setPending(false);
    if (!r) return; // the shell moves on to the user's home
    if (r.status === 401) setErrors([{ field: 'password', message: t('signIn.failed') }]);
    else setFailure(r);
  };
  const err = (f: string) => errors.find((x) => x.field === f)?.message;

  return (
    <form onSubmit={submit} noValidate>
      <PageTitle>{t('signIn.title')}</PageTitle>
      {signedOut ? (
        <div class="alert alert-ok" role="status">
          <p>{signedOut === 'everywhere' ? t('signIn.signedOutEverywhere') : t('signIn.signedOut')}</p>
        </div>
      ) : null}
      <ErrorSummary errors={errors} />
      <ErrorAlert error={failure} />
      <Field id="email" label={t('signIn.email')} error={err('email')}>
        <input id="email" name="email" type="email" autocomplete="username" spellcheck={false} value={email}
          onInput={(e) => setEmail(e.currentTarget.value)} aria-invalid={!!err('email') || undefined}
          aria-describedby={describedBy('email', undefined, err('email'))} />
      </Field>
      <Field id="password" label={t('signIn.password')} error={err('password')}>
        <input id="password" name="password" type="password" autocomplete="current-password" value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} aria-invalid={!!err('password') || undefined}
          aria-describedby={describedBy('password', undefined, err('password'))} />
      </Field>
      <div class="btn-row">
        <Button type="submit" variant="primary" pending={pending}>{t('signIn.submit')}</Button>
        <Link href="/reset-password">{t('signIn.forgot')}</Link>
      </div>
    </form>
  );
}
