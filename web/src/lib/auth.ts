// Signing in and out. The session lives in cookies the browser keeps (HttpOnly session, readable
// CSRF token): nothing is stored by this code.
import { api, attempt } from './api';
import { expired, me } from './session';
import { startLive, stopLive } from './live';
import type { Failure } from '../api/client';

export async function loadMe(): Promise<void> {
  const r = await attempt(() => api.get('/api/v1/auth/me'));
  if (r.ok) {
    me.set(r.data);
    startLive();
  } else {
    me.set(null);
  }
}

/** Signs in; null on success, else the failure to show. */
export async function signIn(email: string, password: string): Promise<Failure | null> {
  const r = await attempt(() => api.post('/api/v1/auth/login', { body: { email, password } }));
  if (!r.ok) return r;
  const who = await attempt(() => api.get('/api/v1/auth/me'));
  if (!who.ok) return who;
  const wasExpired = expired.get();
  expired.set(false);
  const before = me.get();
  me.set(who.data);
  // After the sign-in dialog, the same user carries on; another user starts afresh.
  if (wasExpired && before && before.id !== who.data.id) location.assign('/');
  stopLive(!(before && before.id === who.data.id));
  startLive();
  return null;
}

export async function signOut(everywhere = false): Promise<Failure | null> {
  const r = await attempt(() =>
    api.post('/api/v1/auth/logout', { params: { query: { everywhere: everywhere ? 'true' : undefined } } }));
  if (!r.ok && r.status !== 401) return r;
  stopLive();
  me.set(null);
  return null;
}
