// Shared bits of the bulk pages: a job's kind and status in words.
import { t, type MessageKey } from '../../i18n';

export function kindText(kind: string): string {
  const key = `admin.job.kind.${kind}` as MessageKey;
  return t(key) === key ? kind : t(key);
}

const tone: Record<string, string> = { running: 'info', completed: 'ok', cancelled: 'neutral' };

/** A job's state as dot plus word. */
export function JobStatus({ status }: { status: string }) {
  const key = `admin.job.status.${status}` as MessageKey;
  return (
    <span class={`badge tone-${tone[status] ?? 'neutral'}`}>
      <span class="dot" aria-hidden="true" />
      {t(key) === key ? status : t(key)}
    </span>
  );
}

const resultTone: Record<string, string> = { ok: 'ok', failed: 'danger', cancelled: 'neutral', pending: 'info' };

/** One item's outcome as dot plus word. */
export function ResultBadge({ status }: { status: string }) {
  const key = `admin.job.result.${status}` as MessageKey;
  return (
    <span class={`badge tone-${resultTone[status] ?? 'neutral'}`}>
      <span class="dot" aria-hidden="true" />
      {t(key) === key ? status : t(key)}
    </span>
  );
}
