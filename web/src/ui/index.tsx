// The building blocks every page uses: buttons, fields, the error summary, alerts, statuses,
// the stepper, progress, empty and loading states, the keyset pager, toasts and dialogs.
import type { ButtonHTMLAttributes, ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, Failure } from '../api/client';
import { errorText } from '../lib/api';
import { store, useStore } from '../lib/store';
import { t, type MessageKey } from '../i18n';
import { Icon } from './icons';

export { Icon } from './icons';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  pending?: boolean;
};

/** A button; `pending` keeps it in place, disabled, saying it is sending (never sent twice). */
export function Button({ variant = 'secondary', pending = false, children, disabled, type, ...rest }: ButtonProps) {
  return (
    <button
      {...rest}
      type={type ?? 'button'}
      class={`btn btn-${variant} ${rest.class ?? ''}`}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
    >
      {pending ? <span class="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

/** The ids an input should carry in aria-describedby for its hint and error. */
export function describedBy(id: string, hint?: unknown, error?: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

/** A labelled field: label, hint, the error in words right above the control (GOV.UK style). */
export function Field({ id, label, hint, error, children, optional }: {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  optional?: boolean;
  children: ComponentChildren;
}) {
  return (
    <div class={`field ${error ? 'field-error' : ''}`}>
      <label for={id}>{label}{optional ? <span class="muted"> {t('app.optional')}</span> : null}</label>
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      {error ? <p class="error-text" id={`${id}-error`}><span class="visually-hidden">{t('app.errorPrefix')} </span>{error}</p> : null}
      {children}
    </div>
  );
}

export interface FieldError {
  field: string; // the input's id
  message: string;
}

/** The summary at the top of a form: focused when it appears, each message links to its field. */
export function ErrorSummary({ errors }: { errors: FieldError[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const key = errors.map((e) => e.field + e.message).join('|');
  useEffect(() => {
    if (errors.length) ref.current?.focus();
  }, [key]);
  if (!errors.length) return null;
  return (
    <div class="error-summary" role="alert" tabIndex={-1} ref={ref} aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{t('app.errorSummary')}</h2>
      <ul>
        {errors.map((e) => (
          <li key={e.field}>
            <a
              href={`#${e.field}`}
              onClick={(ev) => {
                ev.preventDefault();
                document.getElementById(e.field)?.focus();
              }}
            >
              {e.message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** An API failure in words, with the request id to quote and a retry when there is one. */
export function ErrorAlert({ error, onRetry }: { error: ApiError | Failure | null | undefined; onRetry?: () => void }) {
  if (!error) return null;
  const e = 'ok' in error ? error.error : error;
  return (
    <div class="alert alert-danger" role="alert">
      <Icon name="alert" />
      <div>
        <p>{errorText(e)}</p>
        {e.request_id ? <p class="muted small">{t('app.requestId', { id: e.request_id })}</p> : null}
        {onRetry ? <Button onClick={onRetry}>{t('app.retry')}</Button> : null}
      </div>
    </div>
  );
}

const statusTone: Record<string, string> = {
  draft: 'neutral', submitted: 'info', approved: 'ok', rejected: 'danger', on_hold: 'warn',
  completed: 'ok', active: 'ok', withdrawn: 'neutral', invited: 'info', suspended: 'danger', pending: 'info',
};

/** A status as a coloured dot plus its word (never colour alone). */
export function StatusBadge({ status }: { status: string }) {
  const key = `status.${status}` as MessageKey;
  return (
    <span class={`badge tone-${statusTone[status] ?? 'neutral'}`}>
      <span class="dot" aria-hidden="true" />
      {t(key) === key ? status : t(key)}
    </span>
  );
}

export function ProgressBar({ value, max = 100, label }: { value: number; max?: number; label: string }) {
  const pct = max > 0 ? Math.max(0, Math.min(100, (value / max) * 100)) : 0;
  return (
    <div class="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value}>
      <div class="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

/** Loading: a few grey rows (after 300 ms, so fast answers never flash). */
export function Skeleton({ rows = 5 }: { rows?: number }) {
  const [show, setShow] = useState(false);
  useEffect(() => {
    const id = setTimeout(() => setShow(true), 300);
    return () => clearTimeout(id);
  }, []);
  return (
    <div class="skeleton" role="status" aria-busy="true" aria-label={t('app.loading')}>
      {show ? Array.from({ length: rows }, (_, i) => <div key={i} class="skeleton-row" />) : null}
    </div>
  );
}

/** Empty: says why, and what to do. */
export function Empty({ title, body, children }: { title: string; body?: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {body ? <p class="muted">{body}</p> : null}
      {children}
    </div>
  );
}

/** Keyset paging: forward by cursor, back through the cursors seen. */
export function usePager(resetKey: string) {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  useEffect(() => setStack([null]), [resetKey]);
  const cursor = stack[stack.length - 1] ?? null;
  return {
    cursor,
    page: stack.length,
    next: (c: string) => setStack((s) => [...s, c]),
    prev: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
    first: () => setStack([null]),
  };
}

export function Pager({ pager, nextCursor }: { pager: ReturnType<typeof usePager>; nextCursor: string | null | undefined }) {
  if (pager.page === 1 && !nextCursor) return null;
  return (
    <nav class="pager" aria-label={t('app.pageOf', { page: pager.page })}>
      <Button onClick={pager.first} disabled={pager.page === 1}>{t('app.first')}</Button>
      <Button onClick={pager.prev} disabled={pager.page === 1}>{t('app.prev')}</Button>
      <span class="muted">{t('app.pageOf', { page: pager.page })}</span>
      <Button onClick={() => nextCursor && pager.next(nextCursor)} disabled={!nextCursor}>{t('app.next')}</Button>
    </nav>
  );
}

export type Load<T> =
  | { state: 'loading' }
  | { state: 'error'; error: Failure }
  | { state: 'ok'; data: T };

/** Runs `fn` when `deps` change (aborting the previous run) and on reload(). */
export function useLoad<T>(fn: (signal: AbortSignal) => Promise<{ ok: true; data: T } | Failure>, deps: unknown[]) {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctrl = new AbortController();
    fn(ctrl.signal).then(
      (r) => {
        if (!ctrl.signal.aborted) setLoad(r.ok ? { state: 'ok', data: r.data } : { state: 'error', error: r });
      },
      () => undefined,
    );
    return () => ctrl.abort();
  }, [...deps, tick]);
  return { load, reload: () => setTick((n) => n + 1), set: (data: T) => setLoad({ state: 'ok', data }) };
}

/** A load's waiting and failed states: skeleton rows while loading, the API's error with a retry
 * when it failed; nothing once the data is here. */
export function LoadStatus<T>({ load, retry, rows }: { load: Load<T>; retry: () => void; rows?: number }) {
  if (load.state === 'loading') return <Skeleton {...(rows ? { rows } : {})} />;
  if (load.state === 'error') return <ErrorAlert error={load.error} onRetry={retry} />;
  return null;
}

/** A column of a table's header: its label, or `{ label, num }` for a right-aligned number, or
 * `{ label, hidden }` for one only screen readers hear (an actions column); null leaves it out. */
export type Column = string | { label: string; num?: boolean; hidden?: boolean } | null;

/** A table's header row, every cell a column header (`scope="col"`). */
export function TableHead({ cols }: { cols: Column[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c, i) => {
          if (c === null) return null;
          if (typeof c === 'string') return <th key={i} scope="col">{c}</th>;
          return (
            <th key={i} scope="col" class={c.num ? 'num' : undefined}>
              {c.hidden ? <span class="visually-hidden">{c.label}</span> : c.label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

// Toasts: announced politely, never take focus, gone after 5 s.
interface Toast { id: number; text: string; tone: 'info' | 'ok' | 'danger' }
const toasts = store<Toast[]>([]);
let toastId = 0;
export function toast(text: string, tone: Toast['tone'] = 'info'): void {
  const id = ++toastId;
  toasts.update((list) => [...list.slice(-3), { id, text, tone }]);
  setTimeout(() => toasts.update((list) => list.filter((x) => x.id !== id)), 5000);
}
export function Toasts() {
  const list = useStore(toasts);
  return (
    <div class="toasts" aria-live="polite" role="status">
      {list.map((x) => <div key={x.id} class={`toast tone-${x.tone}`}>{x.text}</div>)}
    </div>
  );
}

/** A modal dialog on the native <dialog> (focus trapped, Escape closes unless `required`). */
export function Dialog({ open, title, onClose, children, required }: {
  open: boolean; title: string; onClose?: () => void; children: ComponentChildren; required?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby="dialog-title"
      onCancel={(e) => {
        if (required) e.preventDefault();
        else onClose?.();
      }}
    >
      <h2 id="dialog-title">{title}</h2>
      {children}
    </dialog>
  );
}

/** The page heading: focused on navigation so screen readers hear where they are. */
export function PageTitle({ children, actions }: { children: ComponentChildren; actions?: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
    document.title = `${ref.current?.textContent ?? ''} · hrms`;
  }, []);
  return (
    <div class="page-title">
      <h1 tabIndex={-1} ref={ref}>{children}</h1>
      {actions ? <div class="page-actions">{actions}</div> : null}
    </div>
  );
}
