/// <reference types="node" />
// The real client against a running server (`npm run test:live`, driven by
// tests/integration/test_web_client.py). Needs HRMS_TEST_URL, HRMS_TEST_ADMIN_EMAIL and
// HRMS_TEST_ADMIN_PASSWORD; without HRMS_TEST_URL every test FAILS rather than skips.

import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ApiError, type Failure } from './client';

const BASE = process.env.HRMS_TEST_URL ?? '';
const ADMIN_EMAIL = process.env.HRMS_TEST_ADMIN_EMAIL ?? '';
const ADMIN_PASSWORD = process.env.HRMS_TEST_ADMIN_PASSWORD ?? '';

/** The checks the suite's conftest.error_of makes: the envelope's shape and its request id. */
function expectEnvelope(r: Failure, status: number, code: ApiError['code']): ApiError {
  expect(r.status).toBe(status);
  expect(r.error.code).toBe(code);
  expect(typeof r.error.message).toBe('string');
  expect(r.error.message).not.toBe('');
  expect(r.error.request_id).toBe(r.response.headers.get('X-Request-Id'));
  expect(r.error.request_id).not.toBe('');
  return r.error;
}

/** A Node fetch that keeps cookies like a browser would (one origin, no attributes). */
function cookieJarFetch() {
  const jar = new Map<string, string>();
  const fetchWithCookies: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (jar.size > 0) headers.set('Cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(input, { ...init, headers });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /;\s*max-age=0\b/i.test(cookie)) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  };
  return { jar, fetch: fetchWithCookies };
}

describe('the client against a live hrms', () => {
  beforeAll(() => {
    if (!BASE || !ADMIN_EMAIL || !ADMIN_PASSWORD) {
      throw new Error('HRMS_TEST_URL, HRMS_TEST_ADMIN_EMAIL and HRMS_TEST_ADMIN_PASSWORD must be set for test:live');
    }
  });

  it('bearer session: login, me, users (create, list, get), errors, logout', async () => {
    // Outside a browser there is no cookie store: send the token as a bearer header.
    let token: string | undefined;
    const api = createClient({
      baseUrl: BASE,
      headers: () => (token ? { Authorization: `Bearer ${token}` } : {}),
    });

    const login = await api.post('/api/v1/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    if (!login.ok) throw new Error(`login failed: ${JSON.stringify(login.error)}`);
    expect(login.status).toBe(200);
    expect(login.data.user.email).toBe(ADMIN_EMAIL);
    expect(login.data.token).not.toBe('');
    token = login.data.token;

    const me = await api.get('/api/v1/auth/me');
    if (!me.ok) throw new Error(`me failed: ${JSON.stringify(me.error)}`);
    expect(me.data.email).toBe(ADMIN_EMAIL);
    expect(me.data.roles).toContain('admin');
    expect(me.data.permissions).toContain('*');

    const email = `web-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const created = await api.post('/api/v1/users', {
      body: { email, name: 'Web Client', roles: ['reviewer'], password: 'correct-horse-battery-9' },
      params: { header: { 'X-Request-Id': 'web-client-create-1' } },
    });
    if (!created.ok) throw new Error(`create failed: ${JSON.stringify(created.error)}`);
    expect(created.status).toBe(201);
    expect(created.response.headers.get('X-Request-Id')).toBe('web-client-create-1');
    expect(created.data).toMatchObject({ email, name: 'Web Client', status: 'active', roles: ['reviewer'], manager_id: null });
    const id = created.data.id;
    expect(created.response.headers.get('Location')).toBe(`/api/v1/users/${id}`);

    // A query param (and an undefined one, skipped).
    const listed = await api.get('/api/v1/users', { params: { query: { q: email, limit: 5, role: undefined } } });
    if (!listed.ok) throw new Error(`list failed: ${JSON.stringify(listed.error)}`);
    expect(listed.data.items.map((u) => u.id)).toEqual([id]);
    expect(listed.data.next_cursor).toBeNull();
    const byRole = await api.get('/api/v1/users', { params: { query: { role: 'reviewer', q: email } } });
    expect(byRole.ok && byRole.data.items.map((u) => u.email)).toEqual([email]);

    const got = await api.get('/api/v1/users/{id}', { params: { path: { id } } });
    if (!got.ok) throw new Error(`get failed: ${JSON.stringify(got.error)}`);
    expect(got.data).toEqual({ ...created.data });

    // Errors come back as the envelope.
    const missing = await api.get('/api/v1/users/{id}', { params: { path: { id: 999_999_999 } } });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expectEnvelope(missing, 404, 'not_found');

    const invalid = await api.post('/api/v1/users', { body: { email: 'not-an-email', name: 'X' } });
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) {
      const error = expectEnvelope(invalid, 422, 'validation_failed');
      expect(error.details?.field).toBe('email');
    }

    const duplicate = await api.post('/api/v1/users', { body: { email, name: 'Again', password: 'correct-horse-battery-9' } });
    expect(duplicate.ok).toBe(false);
    if (!duplicate.ok) expectEnvelope(duplicate, 409, 'conflict');

    // A non-JSON success: the YAML document, read from the raw response.
    const doc = await api.get('/api/openapi.yaml');
    expect(doc.ok).toBe(true);
    if (doc.ok) expect(await doc.response.text()).toMatch(/^openapi: 3\.1\.0/);

    const logout = await api.post('/api/v1/auth/logout');
    expect(logout).toMatchObject({ ok: true, status: 204, data: undefined });
    const after = await api.get('/api/v1/auth/me');
    expect(after.ok).toBe(false);
    if (!after.ok) expectEnvelope(after, 401, 'unauthenticated');
  });

  it('cookie session: the hrms_csrf cookie goes out as X-CSRF-Token on unsafe requests', async () => {
    const { jar, fetch: withCookies } = cookieJarFetch();
    // As in a browser: no Authorization header, the CSRF token read from the cookie.
    const api = createClient({ baseUrl: BASE, fetch: withCookies, csrfToken: () => jar.get('hrms_csrf') });

    const login = await api.post('/api/v1/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    if (!login.ok) throw new Error(`login failed: ${JSON.stringify(login.error)}`);
    expect(jar.get('hrms_session')).toBe(login.data.token);
    expect(jar.get('hrms_csrf')).toBe(login.data.csrf_token);

    const me = await api.get('/api/v1/auth/me');
    expect(me.ok && me.data.email).toBe(ADMIN_EMAIL);

    // Without the token the server refuses an unsafe request: the header is what makes it pass.
    // (The admin holds `*`, so this 403 can only be the CSRF check.)
    const bare = createClient({ baseUrl: BASE, fetch: withCookies, csrfToken: () => undefined });
    const refused = await bare.post('/api/v1/users', { body: { email: `x-${Date.now()}@example.com`, name: 'X' } });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expectEnvelope(refused, 403, 'forbidden');

    const email = `web-cookie-${Date.now()}@example.com`;
    const created = await api.post('/api/v1/users', { body: { email, name: 'Cookie User' } });
    if (!created.ok) throw new Error(`create failed: ${JSON.stringify(created.error)}`);
    expect(created.status).toBe(201);
    expect(created.data.status).toBe('invited');

    const renamed = await api.patch('/api/v1/users/{id}', { params: { path: { id: created.data.id } }, body: { name: 'Renamed' } });
    expect(renamed.ok && renamed.data.name).toBe('Renamed');

    const logout = await api.post('/api/v1/auth/logout');
    expect(logout.status).toBe(204);
    expect(jar.has('hrms_session')).toBe(false);
    const after = await api.get('/api/v1/auth/me');
    expect(after.ok).toBe(false);
    if (!after.ok) expectEnvelope(after, 401, 'unauthenticated');
  });
});
