// The browser's API client: the typed client of ./api/client.ts, same origin, cookie session,
// CSRF header from the hrms_csrf cookie. A 401 on any call but the sign-in ones means the
// session ended: the sign-in dialog opens over the page, which keeps what was typed.
import { createClient, type ApiError, type Failure } from '../api/client';
import { t, type MessageKey } from '../i18n';
import { sessionExpired } from './session';

const AUTH_PATHS = ['/api/v1/auth/login', '/api/v1/auth/password', '/api/v1/auth/password-reset', '/api/v1/auth/me'];

export const api = createClient({
  fetch: async (input, init) => {
    const response = await globalThis.fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (response.status === 401 && !AUTH_PATHS.some((p) => url.includes(p))) sessionExpired();
    return response;
  },
});

/** The words to show for an API failure: the server's message (it is written for people),
 * or ours for the few codes whose message is terse. */
export function errorText(error: ApiError): string {
  if (error.code === 'unauthenticated') return t('error.unauthenticated');
  if (error.code === 'http_0') return error.message;
  if (error.code.startsWith('http_')) return `${t('error.internal')} (${error.code.slice(5)})`;
  return error.message || t(`error.${error.code}` as MessageKey);
}

/** The field a 422 names (`details.field`), or undefined. */
export function errorField(error: ApiError): string | undefined {
  const d = error.details as { field?: unknown } | null;
  return d && typeof d.field === 'string' ? d.field : undefined;
}

/** A failure for a call that never got an answer (network down). */
export function offline(_cause?: unknown): Failure {
  return {
    ok: false,
    status: 0,
    error: { code: 'http_0', message: t('app.offline'), details: null, request_id: '' },
    response: new Response(null),
  };
}

/** Runs a call, turning a network failure into a Failure like any other. */
export async function attempt<R>(call: () => Promise<R>): Promise<R | Failure> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    return offline(err);
  }
}
