// The report schedules editor: the whole list is replaced on save (PUT /reports/schedules); a
// field the server refuses (`schedules[i].<field>`) lands next to that field.
import { useEffect, useState } from 'preact/hooks';
import type { components } from '../../api/schema';
import type { Failure } from '../../api/client';
import { t } from '../../i18n';
import { api, attempt, errorField } from '../../lib/api';
import { dateTime } from '../../lib/format';
import { can, useMe } from '../../lib/session';
import { Button, Empty, ErrorAlert, ErrorSummary, Field, Skeleton, describedBy, toast, useLoad, type FieldError } from '../../ui';
import { EMAIL_RE } from '../SignIn';
import { KINDS, REPORT_FORMATS, ZoneList, browserZone, word } from './common';

type Schedule = components['schemas']['ReportSchedule'];
type Input = components['schemas']['ReportScheduleInput'];
type Format = (typeof REPORT_FORMATS)[number];

interface Draft {
  key: number;
  name: string;
  kind: (typeof KINDS)[number];
  cadence: 'daily' | 'weekly';
  weekday: number;
  at: string;
  time_zone: string;
  formats: Format[];
  recipients: string;
  enabled: boolean;
  next_run_at?: string;
}

let keySeq = 0;
const fromSchedule = (s: Schedule): Draft => ({
  key: ++keySeq,
  name: s.name,
  kind: s.kind,
  cadence: s.cadence ?? 'daily',
  weekday: s.weekday ?? 0,
  at: s.at ?? '07:00',
  time_zone: s.time_zone ?? browserZone(),
  formats: (s.formats ?? ['pdf']) as Format[],
  recipients: s.recipients.join('\n'),
  enabled: s.enabled ?? true,
  next_run_at: s.next_run_at,
});
const blank = (): Draft => ({
  key: ++keySeq, name: '', kind: 'weekly', cadence: 'weekly', weekday: 0, at: '07:00',
  time_zone: browserZone(), formats: ['pdf'], recipients: '', enabled: true,
});
const splitRecipients = (text: string) => text.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean);
const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];

/** The input id a server field name (`schedules[2].at`) stands for. */
function fieldId(serverField: string): string | null {
  const m = /^schedules\[(\d+)\]\.(\w+)/.exec(serverField);
  return m ? `sched-${m[1]}-${m[2]}` : null;
}

export function Schedules() {
  const me = useMe();
  const manage = can(me, 'reports.manage');
  const { load, reload } = useLoad((signal) => attempt(() => api.get('/api/v1/reports/schedules', { signal })), []);
  const [drafts, setDrafts] = useState<Draft[] | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    if (load.state === 'ok') setDrafts(load.data.items.map(fromSchedule));
  }, [load]);

  if (load.state === 'loading' || (load.state === 'ok' && !drafts)) return <Skeleton />;
  if (load.state === 'error') return <ErrorAlert error={load.error} onRetry={reload} />;
  const list = drafts ?? [];

  const update = (i: number, patch: Partial<Draft>) =>
    setDrafts(list.map((d, j) => (j === i ? { ...d, ...patch } : d)));

  const validate = (): FieldError[] => {
    const found: FieldError[] = [];
    list.forEach((d, i) => {
      const n = i + 1;
      if (!d.name.trim()) found.push({ field: `sched-${i}-name`, message: t('ops.sched.nameRequired', { n }) });
      if (!/^[0-2][0-9]:[0-5][0-9]$/.test(d.at) || Number(d.at.slice(0, 2)) > 23)
        found.push({ field: `sched-${i}-at`, message: t('ops.sched.atInvalid', { n }) });
      if (!d.formats.length) found.push({ field: `sched-${i}-formats`, message: t('ops.sched.formatsRequired', { n }) });
      const rcpt = splitRecipients(d.recipients);
      if (!rcpt.length) found.push({ field: `sched-${i}-recipients`, message: t('ops.sched.recipientsRequired', { n }) });
      else if (rcpt.length > 50) found.push({ field: `sched-${i}-recipients`, message: t('ops.sched.recipientsTooMany', { n }) });
      else {
        const bad = rcpt.find((r) => !EMAIL_RE.test(r));
        if (bad) found.push({ field: `sched-${i}-recipients`, message: t('ops.sched.recipientInvalid', { n, email: bad }) });
      }
    });
    return found;
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const found = validate();
    setErrors(found);
    setFailure(null);
    if (found.length) return;
    const body: { schedules: Input[] } = {
      schedules: list.map((d) => ({
        name: d.name.trim(), kind: d.kind, cadence: d.cadence, weekday: d.weekday, at: d.at,
        time_zone: d.time_zone.trim() || browserZone(), formats: d.formats, recipients: splitRecipients(d.recipients),
        enabled: d.enabled,
      })),
    };
    setPending(true);
    const r = await attempt(() => api.put('/api/v1/reports/schedules', { body }));
    setPending(false);
    if (r.ok) {
      setDrafts(r.data.items.map(fromSchedule));
      toast(t('ops.sched.saved'), 'ok');
      return;
    }
    const f = errorField(r.error);
    const id = f ? fieldId(f) : null;
    if (id) setErrors([{ field: id, message: r.error.message }]);
    else setFailure(r);
  };

  const err = (id: string) => errors.find((x) => x.field === id)?.message;

  return (
    <form onSubmit={save} noValidate>
      <p>{t('ops.sched.intro')}</p>
      {!manage ? <div class="alert alert-info"><p>{t('ops.sched.readOnly')}</p></div> : null}
      <ErrorSummary errors={errors} />
      <ErrorAlert error={failure} />
      {!list.length ? <Empty title={t('ops.sched.emptyTitle')} body={t('ops.sched.emptyBody')} /> : null}
      {list.map((d, i) => {
        const id = (f: string) => `sched-${i}-${f}`;
        const field = (f: string) => ({
          id: id(f),
          'aria-invalid': !!err(id(f)) || undefined,
          'aria-describedby': describedBy(id(f), undefined, err(id(f))),
          disabled: !manage,
        });
        return (
          <fieldset key={d.key} class="ops-fieldset">
            <legend>{d.name.trim() || t('ops.sched.untitled', { n: i + 1 })}</legend>
            {d.next_run_at ? <p class="small muted">{t('ops.sched.nextRun', { at: dateTime(d.next_run_at) })}</p> : null}
            <Field id={id('name')} label={t('ops.sched.name')} error={err(id('name'))}>
              <input {...field('name')} value={d.name} maxLength={100} onInput={(e) => update(i, { name: e.currentTarget.value })} />
            </Field>
            <div class="ops-row-2">
              <Field id={id('kind')} label={t('ops.reports.kind')} error={err(id('kind'))}>
                <select {...field('kind')} value={d.kind} onChange={(e) => update(i, { kind: e.currentTarget.value as Draft['kind'] })}>
                  {KINDS.map((k) => <option key={k} value={k}>{word('ops.kind', k)}</option>)}
                </select>
              </Field>
              <Field id={id('cadence')} label={t('ops.sched.cadence')} error={err(id('cadence'))}>
                <select {...field('cadence')} value={d.cadence} onChange={(e) => update(i, { cadence: e.currentTarget.value as Draft['cadence'] })}>
                  <option value="daily">{t('ops.sched.cadence.daily')}</option>
                  <option value="weekly">{t('ops.sched.cadence.weekly')}</option>
                </select>
              </Field>
              {d.cadence === 'weekly' ? (
                <Field id={id('weekday')} label={t('ops.sched.weekday')} error={err(id('weekday'))}>
                  <select {...field('weekday')} value={String(d.weekday)} onChange={(e) => update(i, { weekday: Number(e.currentTarget.value) })}>
                    {WEEKDAYS.map((w) => <option key={w} value={String(w)}>{word('ops.weekday', String(w))}</option>)}
                  </select>
                </Field>
              ) : null}
              <Field id={id('at')} label={t('ops.sched.at')} hint={t('ops.sched.atHint')} error={err(id('at'))}>
                <input {...field('at')} aria-describedby={describedBy(id('at'), true, err(id('at')))} type="time" value={d.at}
                  onInput={(e) => update(i, { at: e.currentTarget.value })} />
              </Field>
              <Field id={id('time_zone')} label={t('ops.reports.tz')} error={err(id('time_zone'))}>
                <input {...field('time_zone')} value={d.time_zone} list="ops-zones" autocomplete="off"
                  onInput={(e) => update(i, { time_zone: e.currentTarget.value })} />
              </Field>
            </div>
            <fieldset class={`ops-checks ${err(id('formats')) ? 'field-error' : ''}`} aria-describedby={err(id('formats')) ? `${id('formats')}-error` : undefined}>
              <legend>{t('ops.sched.formats')}</legend>
              {err(id('formats')) ? <p class="error-text" id={`${id('formats')}-error`}>{err(id('formats'))}</p> : null}
              {REPORT_FORMATS.map((f, k) => (
                <label key={f}>
                  <input type="checkbox" id={k === 0 ? id('formats') : `${id('formats')}-${f}`} checked={d.formats.includes(f)} disabled={!manage}
                    onChange={(e) => update(i, { formats: e.currentTarget.checked ? [...d.formats, f] : d.formats.filter((x) => x !== f) })} />
                  {f.toUpperCase()}
                </label>
              ))}
            </fieldset>
            <Field id={id('recipients')} label={t('ops.sched.recipients')} hint={t('ops.sched.recipientsHint')} error={err(id('recipients'))}>
              <textarea {...field('recipients')} aria-describedby={describedBy(id('recipients'), true, err(id('recipients')))} value={d.recipients}
                onInput={(e) => update(i, { recipients: e.currentTarget.value })} />
            </Field>
            <div class="field">
              <label class="ops-checks">
                <input type="checkbox" id={id('enabled')} checked={d.enabled} disabled={!manage} onChange={(e) => update(i, { enabled: e.currentTarget.checked })} />
                {t('ops.sched.enabled')}
              </label>
            </div>
            {manage ? (
              <Button variant="danger" onClick={() => setDrafts(list.filter((_, j) => j !== i))}>
                {t('ops.sched.remove', { name: d.name.trim() || t('ops.sched.untitled', { n: i + 1 }) })}
              </Button>
            ) : null}
          </fieldset>
        );
      })}
      <ZoneList />
      {manage ? (
        <div class="btn-row">
          <Button onClick={() => setDrafts([...list, blank()])}>{t('ops.sched.add')}</Button>
          <Button type="submit" variant="primary" pending={pending}>{t('ops.sched.save')}</Button>
        </div>
      ) : null}
    </form>
  );
}
