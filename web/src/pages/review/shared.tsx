// Pieces the queue and the profile page share: the SLA label, user names, the keys dialog and
// a guard for single-letter shortcuts.
import { useEffect, useState } from 'preact/hooks';
import type { components } from '../../api/schema';
import { t, type MessageKey } from '../../i18n';
import { api, attempt } from '../../lib/api';
import { duration } from '../../lib/format';
import { Button, Dialog } from '../../ui';

export type Summary = components['schemas']['ProfileSummary'];
export type ProfileView = components['schemas']['ProfileView'];
export type Doc = components['schemas']['Document'];

/** Profiles decided in this tab: the queue does not grey those out as "decided by someone else". */
export const decidedByMe = new Set<number>();

/** The queue view last seen (with its filters), for the profile page's way back. */
export const lastQueue = { href: '/queue' };

export const STAGES = ['details', 'documents', 'final', 'completed'] as const;
export const STATUSES = ['draft', 'submitted', 'rejected'] as const;

export function stageName(stage: string): string {
  const key = `stage.${stage}` as MessageKey;
  return t(key) === key ? stage : t(key);
}

/** Overdue / urgent as labels with the time past or left; a muted dash while no clock runs. */
export function SlaLabels({ due, urgent, now = Date.now() }: { due: string | null | undefined; urgent?: boolean; now?: number }) {
  const parts = [];
  if (due) {
    const left = new Date(due).getTime() - now;
    parts.push(left < 0
      ? <span key="o" class="label tone-danger">{t('sla.overdue', { time: duration(left) })}</span>
      : <span key="l" class="muted">{t('sla.left', { time: duration(left) })}</span>);
  }
  if (urgent) parts.push(<span key="u" class="label tone-warn">{t('sla.urgent')}</span>);
  if (!parts.length) return <span class="muted">{t('review.sla.none')}</span>;
  return <span class="sla-labels">{parts}</span>;
}

// User names by id, fetched once per tab (reviewers hold users.read).
const names = new Map<number, string | Promise<string | null>>();
const waiting = new Set<() => void>();
function nameOf(id: number): void {
  if (names.has(id)) return;
  const p = attempt(() => api.get('/api/v1/users/{id}', { params: { path: { id } } })).then((r) => {
    const n = r.ok ? r.data.name : null;
    if (n) names.set(id, n);
    else names.delete(id);
    waiting.forEach((fn) => fn());
    return n;
  });
  names.set(id, p);
}

/** The display name of each id given (a fallback "User #id" until known). */
export function useUserNames(ids: (number | null | undefined)[]): (id: number | null | undefined) => string {
  const [, setTick] = useState(0);
  const key = ids.filter((x) => x != null).join(',');
  useEffect(() => {
    const fn = () => setTick((n) => n + 1);
    waiting.add(fn);
    for (const id of ids) if (id != null) nameOf(id);
    return () => void waiting.delete(fn);
  }, [key]);
  return (id) => {
    if (id == null) return t('review.unassigned');
    const n = names.get(id);
    return typeof n === 'string' ? n : t('review.userN', { id });
  };
}

/** True when a key press should be left alone (typing, modifiers, a dialog open). */
export function ignoreKey(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return true;
  const el = e.target as HTMLElement | null;
  if (el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName))) return true;
  if (document.querySelector('dialog[open]')) return true;
  return false;
}

export function KeysDialog({ open, onClose, keys }: { open: boolean; onClose: () => void; keys: [string, MessageKey][] }) {
  return (
    <Dialog open={open} title={t('app.keys.title')} onClose={onClose}>
      <dl class="facts keys">
        {keys.map(([k, label]) => [
          <dt key={`k${k}`}><kbd>{k}</kbd></dt>,
          <dd key={`d${k}`}>{t(label)}</dd>,
        ])}
      </dl>
      <div class="btn-row">
        <Button variant="primary" onClick={onClose}>{t('app.close')}</Button>
      </div>
    </Dialog>
  );
}
