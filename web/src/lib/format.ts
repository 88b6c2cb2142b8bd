// Dates, times, numbers and durations in the user's locale and time zone (the browser's).
import { t } from '../i18n';

const locale = () => (typeof navigator !== 'undefined' && navigator.language) || 'en';

const cache = new Map<string, Intl.DateTimeFormat>();
function dtf(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(), options);
    cache.set(key, f);
  }
  return f;
}

/** "1 Dec 2026, 09:30" in the viewer's zone; an em dash for null. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return t('app.none');
  return dtf('dt', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function date(iso: string | null | undefined): string {
  if (!iso) return t('app.none');
  return dtf('d', { dateStyle: 'medium' }).format(new Date(iso));
}

// Intl formatters are costly to make (a fraction of a millisecond each): a 50-row table would
// spend tens of milliseconds making them, so each kind is made once.
const numberFormats = new Map<string, Intl.NumberFormat>();
function nf(options?: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options ?? {});
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale(), options);
    numberFormats.set(key, f);
  }
  return f;
}
let rtf: Intl.RelativeTimeFormat | undefined;

export function number(n: number, options?: Intl.NumberFormatOptions): string {
  return nf(options).format(n);
}

export function percent(n: number, digits = 1): string {
  return nf({ style: 'percent', maximumFractionDigits: digits }).format(n / 100);
}

export function bytes(n: number): string {
  if (n < 1024) return `${number(n)} B`;
  if (n < 1024 * 1024) return `${number(n / 1024, { maximumFractionDigits: 1 })} KB`;
  return `${number(n / (1024 * 1024), { maximumFractionDigits: 1 })} MB`;
}

/** A length of time in words: "3 h 20 min", "2 d 4 h", "45 s". */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  const s = Math.round(abs / 1000);
  const unit = (value: number, u: string) => nf({ style: 'unit', unit: u, unitDisplay: 'narrow' }).format(value);
  if (s < 60) return unit(s, 'second');
  const m = Math.floor(s / 60);
  if (m < 60) return unit(m, 'minute');
  const h = Math.floor(m / 60);
  if (h < 48) return `${unit(h, 'hour')} ${m % 60 ? unit(m % 60, 'minute') : ''}`.trim();
  const d = Math.floor(h / 24);
  return `${unit(d, 'day')} ${h % 24 ? unit(h % 24, 'hour') : ''}`.trim();
}

/** "5 minutes ago" / "in 2 hours". */
export function relative(iso: string, now = Date.now()): string {
  const diff = new Date(iso).getTime() - now;
  rtf ??= new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60_000) return rtf.format(Math.round(diff / 1000), 'second');
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}
