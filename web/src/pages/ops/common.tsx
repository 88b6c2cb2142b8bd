// Pieces the ops pages share: a status as dot + word, a JSON block, section tabs in the URL.
import type { ComponentChildren } from 'preact';
import { t, type MessageKey } from '../../i18n';
import { Link, useLocation } from '../../lib/router';

export type Tone = 'ok' | 'danger' | 'warn' | 'info' | 'neutral';

/** A status as a coloured dot plus its word (never colour alone). */
export function Badge({ tone, children }: { tone: Tone; children: ComponentChildren }) {
  return (
    <span class={`badge tone-${tone}`}>
      <span class="dot" aria-hidden="true" />
      {children}
    </span>
  );
}

/** A word from the catalog, or the raw value when the catalog has none (a new enum value). */
export function word(prefix: string, value: string): string {
  const key = `${prefix}.${value}` as MessageKey;
  const text = t(key);
  return text === key ? value : text;
}

/** Before/after/details objects as indented JSON, or a dash. */
export function Json({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <p class="muted">{t('app.none')}</p>;
  return (
    <pre class="ops-json" tabIndex={0} aria-label={label}>{JSON.stringify(value, null, 2)}</pre>
  );
}

/** Sub-sections of a page as links that write `?tab=` (each view is a link to paste). */
export function Tabs({ tabs, current, label }: { tabs: { id: string; label: string }[]; current: string; label: string }) {
  const loc = useLocation();
  return (
    <nav class="ops-tabs" aria-label={label}>
      <ul>
        {tabs.map((tab) => {
          const q = new URLSearchParams();
          if (tab.id !== tabs[0]!.id) q.set('tab', tab.id);
          const qs = q.toString();
          return (
            <li key={tab.id}>
              <Link href={loc.path + (qs ? `?${qs}` : '')} aria-current={tab.id === current ? 'page' : undefined}>
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** The browser's IANA time zone. */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Today as YYYY-MM-DD in the browser's zone. */
export function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export const KINDS = ['daily', 'weekly', 'efficiency', 'sla', 'admin-performance'] as const;
export const REPORT_FORMATS = ['pdf', 'xlsx', 'csv', 'html', 'json'] as const;

/** The IANA zones the browser knows, for a zone input's list="ops-zones". */
let zones: string[] | null = null;
export function ZoneList() {
  if (!zones) {
    try {
      zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
    } catch {
      zones = [];
    }
  }
  return <datalist id="ops-zones">{zones.map((z) => <option key={z} value={z} />)}</datalist>;
}

