import { describe, expect, it, vi } from 'vitest';

vi.stubGlobal('document', { documentElement: { lang: 'en' } });
vi.stubGlobal('navigator', { languages: ['de-DE', 'en-GB'], language: 'en-GB' });
const { chooseLanguage, t } = await import('./index');
const { en } = await import('./en');

describe('t', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(t('app.requestId', { id: 'abc' })).toBe('Request id abc');
    expect(t('bell.label', {})).toBe('Notifications, {count} unread');
  });
  it('picks the first language with a catalog', () => {
    expect(chooseLanguage(['fr', 'en-US'])).toBe('en');
    expect(chooseLanguage([])).toBe('en');
  });
  it('has no empty strings', () => {
    for (const [key, text] of Object.entries(en)) expect(text.trim(), key).not.toBe('');
  });
});
