// /email: the outbox (filters in the URL, keyset paging, a message's details and events), the
// providers with their circuit state, the suppression list, template previews and a test message.
import { useState } from 'preact/hooks';
import type { components } from '../api/schema';
import type { Failure } from '../api/client';
import { t } from '../i18n';
import { api, attempt, errorField } from '../lib/api';
import { dateTime, number } from '../lib/format';
import { useQueryState } from '../lib/router';
import { Button, Dialog, Empty, ErrorAlert, ErrorSummary, Field, PageTitle, Pager, Skeleton, describedBy, toast, useLoad, usePager, LoadStatus, type FieldError, TableHead } from '../ui';
import { EMAIL_RE } from './SignIn';
import { Badge, Tabs, word, type Tone } from './ops/common';
import './ops.css';

type Message = components['schemas']['EmailMessage'];
type Status = components['schemas']['EmailStatus'];
const STATUSES: Status[] = ['queued', 'sending', 'sent', 'deferred', 'delivered', 'bounced', 'complained', 'rejected', 'failed'];
const statusTone: Record<string, Tone> = {
  queued: 'info', sending: 'info', sent: 'ok', delivered: 'ok', deferred: 'warn',
  bounced: 'danger', complained: 'danger', rejected: 'danger', failed: 'danger',
};
const circuitTone: Record<string, Tone> = { closed: 'ok', half_open: 'warn', open: 'danger' };

export default function Email() {
  const [q] = useQueryState();
  const tab = q.get('tab') ?? 'outbox';
  return (
    <div class="ops-page">
      <PageTitle>{t('ops.email.title')}</PageTitle>
      <Tabs
        label={t('ops.email.sections')}
        current={tab}
        tabs={[
          { id: 'outbox', label: t('ops.email.tab.outbox') },
          { id: 'providers', label: t('ops.email.tab.providers') },
          { id: 'suppressions', label: t('ops.email.tab.suppressions') },
          { id: 'templates', label: t('ops.email.tab.templates') },
          { id: 'test', label: t('ops.email.tab.test') },
        ]}
      />
      {tab === 'providers' ? <Providers /> : tab === 'suppressions' ? <Suppressions /> : tab === 'templates' ? <Templates />
        : tab === 'test' ? <TestMessage /> : <Outbox />}
    </div>
  );
}

function Outbox() {
  const [q, setQ] = useQueryState();
  const status = (q.get('status') ?? '') as Status | '';
  const to = q.get('to') ?? '';
  const pager = usePager(`${status}|${to}`);
  const open = q.get('message');
  const { load, reload } = useLoad(
    (signal) => attempt(() => api.get('/api/v1/email/messages', {
      params: { query: { ...(status ? { status } : {}), ...(to ? { to } : {}), limit: 25, ...(pager.cursor ? { cursor: pager.cursor } : {}) } },
      signal,
    })),
    [status, to, pager.cursor],
  );
  return (
    <>
      <form class="filters" aria-label={t('ops.email.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          setQ({ to: String(data.get('to') ?? '').trim(), message: null });
        }}>
        <Field id="f-status" label={t('ops.email.status')}>
          <select id="f-status" value={status} onChange={(e) => setQ({ status: e.currentTarget.value, message: null })}>
            <option value="">{t('ops.email.anyStatus')}</option>
            {STATUSES.map((s) => <option key={s} value={s}>{word('ops.email.status', s)}</option>)}
          </select>
        </Field>
        <Field id="f-to" label={t('ops.email.to')}>
          <input id="f-to" name="to" type="email" key={to} defaultValue={to} autocomplete="off" />
        </Field>
        <div class="btn-row"><Button type="submit" variant="primary">{t('ops.email.search')}</Button></div>
      </form>
      <LoadStatus load={load} retry={reload} rows={6} />
      {load.state === 'ok' ? (
        load.data.items.length ? (
          <>
            <div class="table-wrap">
              <table class="ops-stack" aria-label={t('ops.email.tab.outbox')}>
                <TableHead
                  cols={[
                    t('ops.email.queued'),
                    t('ops.email.to'),
                    t('ops.email.subject'),
                    t('ops.email.status'),
                    t('ops.email.provider'),
                    { label: t('ops.email.attempts'), num: true },
                  ]}
                />
                <tbody>
                  {load.data.items.map((m) => (
                    <tr key={m.id}>
                      <td data-label={t('ops.email.queued')}>{dateTime(m.created_at)}</td>
                      <td data-label={t('ops.email.to')}>{m.to}{m.to_name ? <><br /><span class="small muted">{m.to_name}</span></> : null}</td>
                      <td data-label={t('ops.email.subject')}>
                        <Button variant="ghost" class="ops-link" onClick={() => setQ({ message: String(m.id) })}
                          aria-label={t('ops.email.open', { subject: m.subject })}>
                          {m.subject}
                        </Button>
                        <br /><span class="small muted">{t('ops.email.templateName', { name: m.template })}</span>
                      </td>
                      <td data-label={t('ops.email.status')}>
                        <Badge tone={statusTone[m.status] ?? 'neutral'}>{word('ops.email.status', m.status)}</Badge>
                        {m.last_error ? <p class="small tone-danger">{m.last_error}</p> : null}
                      </td>
                      <td data-label={t('ops.email.provider')}>{m.provider ?? t('app.none')}</td>
                      <td class="num" data-label={t('ops.email.attempts')}>{number(m.attempts)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager pager={pager} nextCursor={load.data.next_cursor} />
          </>
        ) : (
          <Empty title={t('ops.email.emptyTitle')} body={status || to ? t('ops.email.emptyFiltered') : t('ops.email.emptyBody')} />
        )
      ) : null}
      <MessageDialog id={open} onClose={() => setQ({ message: null })} />
    </>
  );
}

function MessageDialog({ id, onClose }: { id: string | null; onClose: () => void }) {
  const n = id && /^\d+$/.test(id) ? Number(id) : null;
  const { load, reload } = useLoad(
    async (signal) => (n ? attempt(() => api.get('/api/v1/email/messages/{id}', { params: { path: { id: n } }, signal })) : { ok: true as const, data: null }),
    [n],
  );
  return (
    <Dialog open={n !== null} title={t('ops.email.messageTitle', { id: id ?? '' })} onClose={onClose}>
      <div class="ops-wide">
        <LoadStatus load={load} retry={reload} rows={4} />
        {load.state === 'ok' && load.data ? <MessageFacts m={load.data} events={load.data.events} /> : null}
      </div>
      <div class="btn-row"><Button onClick={onClose}>{t('app.close')}</Button></div>
    </Dialog>
  );
}

function MessageFacts({ m, events }: { m: Message; events: components['schemas']['EmailMessageWithEvents']['events'] }) {
  const row = (label: string, value: string | number | null | undefined) =>
    value === null || value === undefined || value === '' ? null : <><dt>{label}</dt><dd>{value}</dd></>;
  return (
    <>
      <dl class="facts">
        {row(t('ops.email.subject'), m.subject)}
        {row(t('ops.email.to'), m.to_name ? `${m.to_name} <${m.to}>` : m.to)}
        <dt>{t('ops.email.status')}</dt><dd><Badge tone={statusTone[m.status] ?? 'neutral'}>{word('ops.email.status', m.status)}</Badge></dd>
        {row(t('ops.email.template'), m.template)}
        {row(t('ops.email.essential'), m.essential ? t('app.yes') : t('app.no'))}
        {row(t('ops.email.queued'), dateTime(m.created_at))}
        {row(t('ops.email.sentAt'), m.sent_at ? dateTime(m.sent_at) : null)}
        {row(t('ops.email.attempts'), m.attempts)}
        {m.status === 'queued' || m.status === 'deferred' ? row(t('ops.email.nextAttempt'), dateTime(m.next_attempt_at)) : null}
        {row(t('ops.email.provider'), m.provider)}
        {row(t('ops.email.providerId'), m.provider_message_id)}
        {row(t('ops.email.messageId'), m.message_id)}
        {row(t('ops.email.requestId'), m.request_id)}
        {row(t('ops.email.lastError'), m.last_error)}
        {m.attachments.length ? <><dt>{t('ops.email.attachments')}</dt><dd>{m.attachments.map((a) => a.filename).join(', ')}</dd></> : null}
      </dl>
      <h3>{t('ops.email.events')}</h3>
      {events.length ? (
        <div class="table-wrap">
          <table>
            <TableHead
              cols={[
                t('ops.email.eventAt'),
                t('ops.email.eventType'),
                t('ops.email.eventDetail'),
              ]}
            />
            <tbody>
              {events.map((ev) => (
                <tr key={ev.id}>
                  <td>{dateTime(ev.at)}</td>
                  <td>{word('ops.email.status', ev.type)}{ev.provider ? ` (${ev.provider})` : ''}</td>
                  <td>{ev.detail || t('app.none')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p class="muted">{t('ops.email.noEvents')}</p>}
    </>
  );
}

function Providers() {
  const { load, reload } = useLoad((signal) => attempt(() => api.get('/api/v1/email/providers', { signal })), []);
  if (load.state === 'loading') return <Skeleton rows={3} />;
  if (load.state === 'error') return <ErrorAlert error={load.error} onRetry={reload} />;
  const items = load.data.items;
  return (
    <>
      <p>{t('ops.email.providersIntro')}</p>
      {items.length ? (
        <div class="table-wrap">
          <table class="ops-rowhead" aria-label={t('ops.email.tab.providers')}>
            <TableHead
              cols={[
                t('ops.email.provider'),
                t('ops.email.circuit'),
                { label: t('ops.email.sent'), num: true },
                { label: t('ops.email.failed'), num: true },
                { label: t('ops.email.sentToday'), num: true },
                t('ops.email.limits'),
                t('ops.email.lastError'),
              ]}
            />
            <tbody>
              {items.map((p) => (
                <tr key={p.name}>
                  <th scope="row">{p.name}</th>
                  <td>
                    <Badge tone={circuitTone[p.circuit] ?? 'neutral'}>{word('ops.email.circuit', p.circuit)}</Badge>
                    {p.open_until ? <p class="small">{t('ops.email.openUntil', { at: dateTime(p.open_until) })}</p> : null}
                    {p.consecutive_failures ? <p class="small">{t('ops.email.consecutive', { n: number(p.consecutive_failures) })}</p> : null}
                  </td>
                  <td class="num">{number(p.sent)}</td>
                  <td class="num">{number(p.failed)}</td>
                  <td class="num">{number(p.sent_today)}</td>
                  <td>
                    {p.rate_per_s !== null ? t('ops.email.rate', { n: number(p.rate_per_s) }) : t('ops.email.noRate')}
                    <br />
                    {p.daily_quota !== null ? t('ops.email.quota', { n: number(p.daily_quota) }) : t('ops.email.noQuota')}
                  </td>
                  <td>{p.last_error ?? t('app.none')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <Empty title={t('ops.email.noProviders')} body={t('ops.email.noProvidersBody')} />}
      <div class="btn-row"><Button onClick={reload}>{t('ops.refresh')}</Button></div>
    </>
  );
}

function Suppressions() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const before = stack[stack.length - 1] ?? null;
  const { load, reload } = useLoad(
    (signal) => attempt(() => api.get('/api/v1/email/suppressions', { params: { query: { limit: 50, ...(before ? { before } : {}) } }, signal })),
    [before],
  );
  if (load.state === 'loading') return <Skeleton rows={4} />;
  if (load.state === 'error') return <ErrorAlert error={load.error} onRetry={reload} />;
  const items = load.data.items;
  const last = items.length === 50 ? items[items.length - 1]!.at : null;
  return (
    <>
      <p>{t('ops.email.suppressionsIntro')}</p>
      {items.length ? (
        <div class="table-wrap">
          <table aria-label={t('ops.email.tab.suppressions')}>
            <TableHead
              cols={[
                t('ops.email.address'),
                t('ops.email.reason'),
                t('ops.email.since'),
              ]}
            />
            <tbody>
              {items.map((s) => (
                <tr key={s.email}>
                  <td>{s.email}</td>
                  <td>{word('ops.email.reason', s.reason.replace(' ', '_'))}</td>
                  <td>{dateTime(s.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <Empty title={t('ops.email.noSuppressions')} body={t('ops.email.noSuppressionsBody')} />}
      {stack.length > 1 || last ? (
        <nav class="pager" aria-label={t('app.pageOf', { page: stack.length })}>
          <Button onClick={() => setStack((s) => s.slice(0, -1))} disabled={stack.length === 1}>{t('app.prev')}</Button>
          <span class="muted">{t('app.pageOf', { page: stack.length })}</span>
          <Button onClick={() => last && setStack((s) => [...s, last])} disabled={!last}>{t('app.next')}</Button>
        </nav>
      ) : null}
    </>
  );
}

function Templates() {
  const [q, setQ] = useQueryState();
  const list = useLoad((signal) => attempt(() => api.get('/api/v1/email/templates', { signal })), []);
  const names = list.load.state === 'ok' ? list.load.data.items.map((x) => x.name) : [];
  const name = q.get('template') ?? names[0] ?? '';
  const format = q.get('format') === 'text' ? 'text' : 'html';
  const preview = useLoad(
    async (signal) => {
      if (!name) return { ok: true as const, data: '' };
      const r = await attempt(() => api.get('/api/v1/email/templates/{name}/preview', { params: { path: { name }, query: { format } }, signal }));
      if (!r.ok) return r;
      return { ok: true as const, data: await r.response.text() };
    },
    [name, format],
  );
  if (list.load.state === 'loading') return <Skeleton rows={4} />;
  if (list.load.state === 'error') return <ErrorAlert error={list.load.error} onRetry={list.reload} />;
  if (!names.length) return <Empty title={t('ops.email.noTemplates')} body={t('ops.email.noTemplatesBody')} />;
  return (
    <>
      <div class="filters">
        <Field id="f-template" label={t('ops.email.template')}>
          <select id="f-template" value={name} onChange={(e) => setQ({ template: e.currentTarget.value })}>
            {names.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </Field>
        <Field id="f-format" label={t('ops.email.part')}>
          <select id="f-format" value={format} onChange={(e) => setQ({ format: e.currentTarget.value === 'text' ? 'text' : null })}>
            <option value="html">{t('ops.email.partHtml')}</option>
            <option value="text">{t('ops.email.partText')}</option>
          </select>
        </Field>
      </div>
      <p class="hint">{t('ops.email.previewHint')}</p>
      <LoadStatus load={preview.load} retry={preview.reload} rows={6} />
      {preview.load.state === 'ok' ? (
        format === 'html' ? (
          // An empty sandbox: no scripts, no forms, no same-origin access, no navigation.
          <iframe class="ops-frame" sandbox="" srcdoc={preview.load.data} title={t('ops.email.previewOf', { name })} />
        ) : (
          <pre class="ops-json ops-text" tabIndex={0} aria-label={t('ops.email.previewOf', { name })}>{preview.load.data}</pre>
        )
      ) : null}
    </>
  );
}

function TestMessage() {
  const [to, setTo] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [pending, setPending] = useState(false);
  const [queued, setQueued] = useState<{ id: number; to: string } | null>(null);
  const [, setQ] = useQueryState();
  const submit = async (e: Event) => {
    e.preventDefault();
    const v = to.trim();
    const found: FieldError[] = !v ? [{ field: 'test-to', message: t('ops.email.toRequired') }]
      : !EMAIL_RE.test(v) ? [{ field: 'test-to', message: t('ops.email.toInvalid') }] : [];
    setErrors(found);
    setFailure(null);
    if (found.length) return;
    setPending(true);
    const r = await attempt(() => api.post('/api/v1/email/test', { body: { to: v } }));
    setPending(false);
    if (r.ok) {
      setQueued({ id: r.data.id, to: v });
      toast(t('ops.email.testQueued', { to: v }), 'ok');
    } else if (errorField(r.error) === 'to') setErrors([{ field: 'test-to', message: r.error.message }]);
    else setFailure(r);
  };
  const err = errors[0]?.message;
  return (
    <form onSubmit={submit} noValidate>
      <p>{t('ops.email.testIntro')}</p>
      <ErrorSummary errors={errors} />
      <ErrorAlert error={failure} />
      {queued ? (
        <div class="alert alert-ok" role="status">
          <div>
            <p>{t('ops.email.testQueued', { to: queued.to })}</p>
            <Button onClick={() => setQ({ tab: null, message: String(queued.id) })}>{t('ops.email.testOpen')}</Button>
          </div>
        </div>
      ) : null}
      <Field id="test-to" label={t('ops.email.testTo')} error={err}>
        <input id="test-to" type="email" autocomplete="email" value={to} onInput={(e) => setTo(e.currentTarget.value)}
          aria-invalid={!!err || undefined} aria-describedby={describedBy('test-to', undefined, err)} />
      </Field>
      <div class="btn-row"><Button type="submit" variant="primary" pending={pending}>{t('ops.email.testSend')}</Button></div>
    </form>
  );
}
