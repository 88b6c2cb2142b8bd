// t('key', { name: 'Ada' }) fills `{name}` in the current language's string. Plurals use two
// keys, `<key>.one` and `<key>.other`, chosen by Intl.PluralRules: tn('bulk.items', 3).
import { en } from './en';

export type Messages = { readonly [K in keyof typeof en]: string };
export type MessageKey = keyof Messages;
type PluralBase<K> = K extends `${infer B}.other` ? B : never;
export type PluralKey = PluralBase<MessageKey>;

const catalogs: Record<string, Messages> = { en };
let messages: Messages = en;
let plural = new Intl.PluralRules('en');

/** The language the interface speaks: the first of the browser's that has a catalog. */
export function chooseLanguage(preferred: readonly string[] = navigator.languages ?? []): string {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (catalogs[base]) return base;
  }
  return 'en';
}

export function setLanguage(lang: string): void {
  messages = catalogs[lang] ?? en;
  plural = new Intl.PluralRules(lang);
  document.documentElement.lang = lang;
}

function fill(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole);
}

export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  return fill(messages[key] ?? key, vars);
}

export function tn(key: PluralKey, count: number, vars?: Record<string, string | number>): string {
  const form = plural.select(count) === 'one' ? 'one' : 'other';
  const full = `${key}.${form}` as MessageKey;
  return fill(messages[full] ?? messages[`${key}.other` as MessageKey] ?? key,
    { count: formatCount(count), ...vars });
}

function formatCount(n: number): string {
  return new Intl.NumberFormat(document.documentElement.lang || 'en').format(n);
}
