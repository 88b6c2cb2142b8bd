// The details stage: the form (GOV.UK style: labels, an error summary linking to each field, the
// message next to the field) with the server's rules checked before sending, and the read-only
// view once submitted.
import { Fragment } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import type { components } from '../../api/schema';
import type { Failure } from '../../api/client';
import { t, type MessageKey } from '../../i18n';
import { api, attempt } from '../../lib/api';
import { date } from '../../lib/format';
import { Button, ErrorAlert, ErrorSummary, Field, describedBy, toast, type FieldError } from '../../ui';
import { ISO_COUNTRIES } from './countries';

export type Details = components['schemas']['Details'];
export type ProfileView = components['schemas']['ProfileView'];

// Every field, by its API path (the 422's `details.field` names these).
export const FIELDS = [
  'first_name', 'last_name', 'preferred_name', 'date_of_birth', 'phone',
  'address.line1', 'address.line2', 'address.city', 'address.region', 'address.postal_code', 'address.country',
  'emergency_contact.name', 'emergency_contact.phone', 'emergency_contact.relationship',
] as const;
export type FieldPath = (typeof FIELDS)[number];
const REQUIRED: ReadonlySet<FieldPath> = new Set<FieldPath>([
  'first_name', 'last_name', 'date_of_birth', 'phone', 'address.line1', 'address.city', 'address.country',
  'emergency_contact.name', 'emergency_contact.phone',
]);
type Kind = 'name' | 'date' | 'phone' | 'country' | 'text';
const KIND: Record<FieldPath, Kind> = {
  first_name: 'name', last_name: 'name', preferred_name: 'name', date_of_birth: 'date', phone: 'phone',
  'address.line1': 'text', 'address.line2': 'text', 'address.city': 'text', 'address.region': 'text',
  'address.postal_code': 'text', 'address.country': 'country',
  'emergency_contact.name': 'name', 'emergency_contact.phone': 'phone', 'emergency_contact.relationship': 'text',
};

type Values = Record<FieldPath, string>;

/** The input's id for a field path (ids without dots, so they work as fragments). */
export const inputId = (path: string) => `f-${path.replace(/[._]/g, '-')}`;
const label = (path: FieldPath) => t(`onboarding.f.${path}` as MessageKey);

function read(d: Details | undefined): Values {
  const v = {} as Values;
  for (const p of FIELDS) {
    const [a, b] = p.split('.') as [string, string | undefined];
    const raw = b ? (d as Record<string, Record<string, string | null> | undefined> | undefined)?.[a]?.[b]
      : (d as Record<string, string | null> | undefined)?.[a];
    v[p] = typeof raw === 'string' ? raw : '';
  }
  return v;
}

function toBody(v: Values): Details {
  const n = (s: string) => (s.trim() ? s.trim() : null);
  return {
    first_name: n(v.first_name), last_name: n(v.last_name), preferred_name: n(v.preferred_name),
    date_of_birth: n(v.date_of_birth), phone: n(v.phone),
    address: {
      line1: n(v['address.line1']), line2: n(v['address.line2']), city: n(v['address.city']),
      region: n(v['address.region']), postal_code: n(v['address.postal_code']),
      country: n(v['address.country'])?.toUpperCase() ?? null,
    },
    emergency_contact: {
      name: n(v['emergency_contact.name']), phone: n(v['emergency_contact.phone']),
      relationship: n(v['emergency_contact.relationship']),
    },
  };
}

const chars = (s: string) => [...s].length;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function checkDate(path: FieldPath, v: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return t('onboarding.err.dateFormat', { label: label(path) });
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const when = new Date(Date.UTC(y, mo - 1, d));
  if (when.getUTCFullYear() !== y || when.getUTCMonth() !== mo - 1 || when.getUTCDate() !== d)
    return t('onboarding.err.dateFormat', { label: label(path) });
  const now = new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  // The Nth birthday; Date.UTC rolls 29 February into 1 March in a common year, as the server does.
  const birthday = (years: number) => Date.UTC(y + years, mo - 1, d);
  if (today < birthday(16)) return t('onboarding.err.tooYoung');
  if (today >= birthday(101)) return t('onboarding.err.tooOld', { label: label(path) });
  return null;
}

function checkPhone(path: FieldPath, v: string): string | null {
  let digits = '';
  let plus = false;
  for (const c of v) {
    if (' -.()'.includes(c)) continue;
    if (c === '+' && !plus && !digits) { plus = true; continue; }
    if (c < '0' || c > '9') return t('onboarding.err.phoneChars', { label: label(path) });
    digits += c;
  }
  if (digits.length < 7 || digits.length > 15) return t('onboarding.err.phoneDigits', { label: label(path) });
  if (digits.startsWith('0')) return t('onboarding.err.phoneZero', { label: label(path) });
  return null;
}

/** The server's rules (docs/openapi.yaml, Details): well-formed always, complete to submit. */
export function validate(v: Values, complete: boolean): FieldError[] {
  const out: FieldError[] = [];
  for (const p of FIELDS) {
    const value = v[p].trim();
    let problem: string | null = null;
    if (!value) {
      if (complete && REQUIRED.has(p)) problem = t(`onboarding.err.required.${p}` as MessageKey);
    } else {
      switch (KIND[p]) {
        case 'name':
          if (chars(value) > 100) problem = t('onboarding.err.nameLength', { label: label(p) });
          else if (CONTROL.test(value)) problem = t('onboarding.err.control', { label: label(p) });
          break;
        case 'date': problem = checkDate(p, value); break;
        case 'phone': problem = checkPhone(p, value); break;
        case 'country': if (!ISO_COUNTRIES.includes(value.toUpperCase())) problem = t('onboarding.err.country'); break;
        case 'text': if (chars(value) > 200) problem = t('onboarding.err.textLength', { label: label(p) }); break;
      }
    }
    if (problem) out.push({ field: inputId(p), message: problem });
  }
  return out;
}

/** A 422's field errors (`details.fields`, else `details.field`) as errors on our inputs. */
function serverErrors(f: Failure): FieldError[] | null {
  if (f.status !== 422) return null;
  const d = f.error.details as { field?: unknown; fields?: unknown } | null;
  const out: FieldError[] = [];
  if (d && d.fields && typeof d.fields === 'object') {
    for (const [k, m] of Object.entries(d.fields as Record<string, unknown>))
      if ((FIELDS as readonly string[]).includes(k)) out.push({ field: inputId(k), message: String(m) });
  } else if (d && typeof d.field === 'string' && (FIELDS as readonly string[]).includes(d.field)) {
    out.push({ field: inputId(d.field), message: f.error.message });
  }
  return out.length ? out : null;
}

function useCountries(): { code: string; name: string }[] {
  return useMemo(() => {
    let names: Intl.DisplayNames | null = null;
    try {
      names = new Intl.DisplayNames([document.documentElement.lang || 'en'], { type: 'region' });
    } catch {
      names = null;
    }
    return ISO_COUNTRIES.map((code) => ({ code, name: names?.of(code) ?? code }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, []);
}

export function DetailsForm({ profile, onChanged }: { profile: ProfileView; onChanged: (p: ProfileView) => void }) {
  const [values, setValues] = useState<Values>(() => read(profile.details));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState<'save' | 'submit' | null>(null);
  const busy = useRef(false); // synchronous guard: a double click never sends twice
  const countries = useCountries();

  const set = (p: FieldPath) => (e: Event) => {
    const value = (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;
    setValues((v) => ({ ...v, [p]: value }));
  };

  const send = async (submit: boolean) => {
    if (busy.current) return;
    const found = validate(values, submit);
    setErrors(found);
    setFailure(null);
    if (found.length) return;
    busy.current = true;
    try {
      await sendChecked(submit);
    } finally {
      busy.current = false;
    }
  };

  const sendChecked = async (submit: boolean) => {
    setPending(submit ? 'submit' : 'save');
    const saved = await attempt(() => api.put('/api/v1/profiles/me/details', { body: toBody(values) }));
    if (!saved.ok) {
      setPending(null);
      const fe = serverErrors(saved);
      if (fe) setErrors(fe);
      else setFailure(saved);
      return;
    }
    if (!submit) {
      setPending(null);
      toast(t('onboarding.saved'), 'ok');
      onChanged(saved.data);
      return;
    }
    const sub = await attempt(() => api.post('/api/v1/profiles/me/submit'));
    setPending(null);
    if (!sub.ok) {
      onChanged(saved.data);
      const fe = serverErrors(sub);
      if (fe) setErrors(fe);
      else setFailure(sub);
      return;
    }
    onChanged(sub.data); // the next-step sentence says it (and the bell's notification)
  };

  const err = (p: FieldPath) => errors.find((x) => x.field === inputId(p))?.message;
  const input = (p: FieldPath, extra: Record<string, string> = {}, hint = false) => {
    const id = inputId(p);
    const e = err(p);
    const h = hint ? t(`onboarding.f.${p}.hint` as MessageKey) : undefined;
    return (
      <Field id={id} label={label(p)} hint={h} error={e} optional={!REQUIRED.has(p)}>
        <input id={id} name={p} type="text" value={values[p]} onInput={set(p)} {...extra}
          aria-invalid={!!e || undefined} aria-describedby={describedBy(id, h, e)} />
      </Field>
    );
  };
  const countryId = inputId('address.country');
  const countryErr = err('address.country');

  return (
    <form noValidate onSubmit={(e) => { e.preventDefault(); void send(true); }} class="ob-details">
      <ErrorSummary errors={errors} />
      <ErrorAlert error={failure} />
      <fieldset>
        <legend>{t('onboarding.details.personal')}</legend>
        {input('first_name', { autocomplete: 'given-name' })}
        {input('last_name', { autocomplete: 'family-name' })}
        {input('preferred_name', { autocomplete: 'nickname' }, true)}
        {input('date_of_birth', { type: 'date', autocomplete: 'bday', class: 'ob-short' }, true)}
        {input('phone', { type: 'tel', autocomplete: 'tel' }, true)}
      </fieldset>
      <fieldset>
        <legend>{t('onboarding.details.address')}</legend>
        {input('address.line1', { autocomplete: 'address-line1' })}
        {input('address.line2', { autocomplete: 'address-line2' })}
        {input('address.city', { autocomplete: 'address-level2' })}
        {input('address.region', { autocomplete: 'address-level1' })}
        {input('address.postal_code', { autocomplete: 'postal-code', class: 'ob-short' })}
        <Field id={countryId} label={label('address.country')} error={countryErr}>
          <select id={countryId} name="address.country" autocomplete="country" value={values['address.country'].toUpperCase()}
            onChange={set('address.country')} aria-invalid={!!countryErr || undefined}
            aria-describedby={describedBy(countryId, undefined, countryErr)}>
            <option value="">{t('onboarding.f.address.country.choose')}</option>
            {countries.map((c) => <option key={c.code} value={c.code}>{c.name}</option>)}
          </select>
        </Field>
      </fieldset>
      <fieldset>
        <legend>{t('onboarding.details.emergency')}</legend>
        {input('emergency_contact.name', { autocomplete: 'off' })}
        {input('emergency_contact.phone', { type: 'tel', autocomplete: 'off' })}
        {input('emergency_contact.relationship', { autocomplete: 'off' }, true)}
      </fieldset>
      <div class="btn-row">
        <Button type="submit" variant="primary" pending={pending === 'submit'} disabled={pending === 'save'}>
          {t('onboarding.submitDetails')}
        </Button>
        <Button onClick={() => void send(false)} pending={pending === 'save'} disabled={pending === 'submit'}>
          {t('onboarding.save')}
        </Button>
      </div>
    </form>
  );
}

/** The details as submitted ("check your answers" without the change links). */
export function DetailsSummary({ details }: { details: Details }) {
  const v = read(details);
  const countries = useCountries();
  const show = (p: FieldPath) => {
    const raw = v[p];
    if (!raw) return t('app.none');
    if (p === 'address.country') return countries.find((c) => c.code === raw.toUpperCase())?.name ?? raw;
    if (p === 'date_of_birth') return date(`${raw}T12:00:00`);
    return raw;
  };
  const groups: [MessageKey, FieldPath[]][] = [
    ['onboarding.details.personal', FIELDS.filter((p) => !p.includes('.'))],
    ['onboarding.details.address', FIELDS.filter((p) => p.startsWith('address.'))],
    ['onboarding.details.emergency', FIELDS.filter((p) => p.startsWith('emergency_contact.'))],
  ];
  return (
    <div class="ob-summary">
      {groups.map(([title, paths]) => (
        <Fragment key={title}>
          <h3>{t(title)}</h3>
          <dl class="facts ob-facts">
            {paths.map((p) => (
              <Fragment key={p}>
                <dt>{label(p)}</dt>
                <dd>{show(p)}</dd>
              </Fragment>
            ))}
          </dl>
        </Fragment>
      ))}
    </div>
  );
}
