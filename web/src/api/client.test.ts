import { afterEach, describe, expect, it } from 'vitest';
import { buildUrl, createClient, readCookie } from './client';

interface Call {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: RequestInit['body'];
  credentials: RequestCredentials | undefined;
}

/** A fake fetch that records each call and answers with the given responses in turn. */
function fakeFetch(...answers: Array<Response | Error>) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    calls.push({
      url: String(input),
      method: init?.method,
      headers: new Headers(init?.headers),
      body: init?.body,
      credentials: init?.credentials,
    });
    const answer = answers.shift();
    if (answer === undefined) throw new Error('fakeFetch: no answer left');
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'rid-1', ...headers },
  });
}

const user = {
  id: 5,
  email: 'ada@example.com',
  name: 'Ada',
  status: 'active',
  roles: ['employee'],
  manager_id: null,
  created_at: '2026-11-28T13:05:09.123Z',
  updated_at: '2026-11-28T13:05:09.123Z',
} as const;

function setup(...answers: Array<Response | Error>) {
  const fake = fakeFetch(...answers);
  const api = createClient({ baseUrl: 'http://hrms.test/', fetch: fake.fetch, csrfToken: () => 'csrf-abc' });
  return { api, calls: fake.calls };
}

describe('URL building', () => {
  it('fills and percent-encodes path params', async () => {
    const { api, calls } = setup(json(200, user), json(404, { error: { code: 'not_found', message: 'no', details: null, request_id: 'r' } }));
    await api.get('/api/v1/users/{id}', { params: { path: { id: 5 } } });
    await api.get('/api/v1/roles/{name}', { params: { path: { name: 'a b/c?d#e%' } } });
    expect(calls.map((c) => c.url)).toEqual([
      'http://hrms.test/api/v1/users/5',
      'http://hrms.test/api/v1/roles/a%20b%2Fc%3Fd%23e%25',
    ]);
  });

  it('builds the query: skips undefined, encodes values', async () => {
    const { api, calls } = setup(json(200, { items: [], next_cursor: null }));
    await api.get('/api/v1/users', { params: { query: { q: 'a&b c', limit: 10, role: undefined } } });
    expect(calls[0]?.url).toBe('http://hrms.test/api/v1/users?q=a%26b+c&limit=10');
  });

  it('repeats arrays, writes booleans as true/false, skips null and undefined', () => {
    expect(buildUrl('', '/x', undefined, { a: [1, 2, undefined], b: true, c: false, d: null, e: undefined, f: 0 }))
      .toBe('/x?a=1&a=2&b=true&c=false&f=0');
    expect(buildUrl('http://h//', '/x/{id}', { id: 7 })).toBe('http://h/x/7');
  });

  it('refuses a missing path param at run time too', () => {
    expect(() => buildUrl('', '/api/v1/users/{id}', {})).toThrow(/missing path parameter "id"/);
  });
});

describe('requests', () => {
  it('GET: same-origin credentials, no CSRF header, no body, no content type', async () => {
    const { api, calls } = setup(json(200, user));
    await api.get('/api/v1/users/{id}', { params: { path: { id: 5 }, header: { 'X-Request-Id': 'mine' } } });
    const call = calls[0]!;
    expect(call.method).toBe('GET');
    expect(call.credentials).toBe('same-origin');
    expect(call.headers.get('X-CSRF-Token')).toBeNull();
    expect(call.headers.get('Content-Type')).toBeNull();
    expect(call.headers.get('X-Request-Id')).toBe('mine');
    expect(call.body).toBeUndefined();
  });

  it('POST with a JSON body: serialised, JSON content type, CSRF header', async () => {
    const { api, calls } = setup(json(200, { token: 't', csrf_token: 'c', expires_at: 'x', user }));
    await api.post('/api/v1/auth/login', { body: { email: 'ada@example.com', password: 'pw "quoted"' } });
    const call = calls[0]!;
    expect(call.method).toBe('POST');
    expect(call.url).toBe('http://hrms.test/api/v1/auth/login');
    expect(call.headers.get('Content-Type')).toBe('application/json');
    expect(call.headers.get('X-CSRF-Token')).toBe('csrf-abc');
    expect(call.body).toBe('{"email":"ada@example.com","password":"pw \\"quoted\\""}');
    expect(call.credentials).toBe('same-origin');
  });

  it('PUT, PATCH and DELETE send the CSRF token too', async () => {
    const { api, calls } = setup(json(200, user), json(200, user), new Response(null, { status: 204 }));
    await api.put('/api/v1/users/{id}/roles', { params: { path: { id: 5 } }, body: { roles: ['reviewer'] } });
    await api.patch('/api/v1/users/{id}', { params: { path: { id: 5 } }, body: { name: 'Ada L' } });
    await api.delete('/api/v1/users/{id}/sessions', { params: { path: { id: 5 } } });
    expect(calls.map((c) => [c.method, c.url, c.headers.get('X-CSRF-Token'), c.body])).toEqual([
      ['PUT', 'http://hrms.test/api/v1/users/5/roles', 'csrf-abc', '{"roles":["reviewer"]}'],
      ['PATCH', 'http://hrms.test/api/v1/users/5', 'csrf-abc', '{"name":"Ada L"}'],
      ['DELETE', 'http://hrms.test/api/v1/users/5/sessions', 'csrf-abc', undefined],
    ]);
    // No body, so no content type on the DELETE.
    expect(calls[2]?.headers.get('Content-Type')).toBeNull();
  });

  it('sends no CSRF header when there is no token', async () => {
    const fake = fakeFetch(new Response(null, { status: 204 }));
    const api = createClient({ fetch: fake.fetch, csrfToken: () => undefined });
    await api.post('/api/v1/auth/logout');
    expect(fake.calls[0]?.url).toBe('/api/v1/auth/logout'); // default baseUrl: same origin
    expect(fake.calls[0]?.headers.has('X-CSRF-Token')).toBe(false);
  });

  it('passes a FormData body through, leaving the multipart content type to fetch', async () => {
    const { api, calls } = setup(json(201, { id: 40 }));
    const form = new FormData();
    form.append('type', 'id_proof');
    form.append('file', new Blob(['%PDF-1.4'], { type: 'application/pdf' }), 'id.pdf');
    const r = await api.post('/api/v1/profiles/me/documents', { body: form });
    expect(calls[0]?.body).toBe(form);
    expect(calls[0]?.headers.get('Content-Type')).toBeNull();
    expect(calls[0]?.headers.get('X-CSRF-Token')).toBe('csrf-abc');
    expect(r).toMatchObject({ ok: true, status: 201, data: { id: 40 } });
  });

  it('adds the client-wide headers (e.g. a bearer token outside the browser)', async () => {
    let token = 'first';
    const fake = fakeFetch(json(200, user), json(200, user));
    const api = createClient({ fetch: fake.fetch, headers: () => ({ Authorization: `Bearer ${token}` }) });
    await api.get('/api/v1/auth/me');
    token = 'second';
    await api.get('/api/v1/auth/me');
    expect(fake.calls.map((c) => c.headers.get('Authorization'))).toEqual(['Bearer first', 'Bearer second']);
  });
});

describe('CSRF token from the cookie (the browser default)', () => {
  afterEach(() => {
    delete (globalThis as { document?: unknown }).document;
  });

  it('reads hrms_csrf from a cookie string', () => {
    expect(readCookie('hrms_csrf', 'a=1; hrms_csrf=tok123; b=2')).toBe('tok123');
    expect(readCookie('hrms_csrf', 'xhrms_csrf=no; hrms_csrf_old=no')).toBeUndefined();
    expect(readCookie('hrms_csrf', '')).toBeUndefined();
  });

  it('uses document.cookie when no csrfToken is given', async () => {
    (globalThis as { document?: unknown }).document = { cookie: 'theme=dark; hrms_csrf=from-cookie' };
    const fake = fakeFetch(new Response(null, { status: 204 }), json(200, user));
    const api = createClient({ fetch: fake.fetch });
    await api.post('/api/v1/auth/logout');
    await api.get('/api/v1/auth/me');
    expect(fake.calls.map((c) => c.headers.get('X-CSRF-Token'))).toEqual(['from-cookie', null]);
  });
});

describe('responses', () => {
  it('success: the parsed JSON body as data', async () => {
    const { api } = setup(json(200, user));
    const r = await api.get('/api/v1/users/{id}', { params: { path: { id: 5 } } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.status).toBe(200);
    expect(r.data).toEqual(user);
    expect(r.data.email).toBe('ada@example.com');
    expect(r.response.headers.get('X-Request-Id')).toBe('rid-1');
  });

  it('204: ok with undefined data', async () => {
    const { api } = setup(new Response(null, { status: 204, headers: { 'X-Request-Id': 'r204' } }));
    const r = await api.post('/api/v1/auth/logout');
    expect(r).toMatchObject({ ok: true, status: 204, data: undefined });
  });

  it('an empty JSON-typed 200 body: undefined data', async () => {
    const { api } = setup(new Response('', { status: 200, headers: { 'Content-Type': 'application/json' } }));
    const r = await api.get('/api/v1/auth/me');
    expect(r).toMatchObject({ ok: true, status: 200, data: undefined });
  });

  it('a non-JSON success leaves the body unread in response', async () => {
    const { api } = setup(new Response('openapi: 3.1.0\n', { status: 200, headers: { 'Content-Type': 'application/yaml' } }));
    const r = await api.get('/api/openapi.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data).toBeUndefined();
    expect(r.response.bodyUsed).toBe(false);
    expect(await r.response.text()).toBe('openapi: 3.1.0\n');
  });

  it('an error envelope: ok false with its error object', async () => {
    const envelope = {
      error: { code: 'validation_failed', message: 'email is required', details: { field: 'email' }, request_id: 'rid-9' },
    };
    const { api } = setup(json(422, envelope, { 'X-Request-Id': 'rid-9' }));
    const r = await api.post('/api/v1/users', { body: { email: '', name: 'x' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.status).toBe(422);
    expect(r.error).toEqual(envelope.error);
    expect(r.response.status).toBe(422);
  });

  it('a non-JSON error (a proxy page): synthetic http_<status> error', async () => {
    const { api } = setup(
      new Response('<html>Bad Gateway</html>', {
        status: 502,
        statusText: 'Bad Gateway',
        headers: { 'Content-Type': 'text/html', 'X-Request-Id': 'proxy-7' },
      }),
    );
    const r = await api.get('/api/v1/auth/me');
    expect(r).toMatchObject({
      ok: false,
      status: 502,
      error: { code: 'http_502', message: 'Bad Gateway', details: null, request_id: 'proxy-7' },
    });
  });

  it('a JSON error that is not the envelope, without X-Request-Id: synthetic error, empty request id', async () => {
    const { api } = setup(
      new Response('{"message":"upstream timeout"}', { status: 504, headers: { 'Content-Type': 'application/json' } }),
      new Response('not json', { status: 500, headers: { 'Content-Type': 'application/json' } }),
    );
    const r = await api.get('/api/v1/auth/me');
    expect(r).toMatchObject({ ok: false, status: 504, error: { code: 'http_504', message: 'HTTP 504', details: null, request_id: '' } });
    const broken = await api.get('/api/v1/auth/me');
    expect(broken).toMatchObject({ ok: false, status: 500, error: { code: 'http_500', details: null } });
  });

  it('a network failure rejects with the error fetch threw', async () => {
    const failure = new TypeError('fetch failed');
    const { api } = setup(failure);
    await expect(api.get('/api/v1/auth/me')).rejects.toBe(failure);
  });

  it('passes the abort signal to fetch', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | null | undefined;
    const api = createClient({
      fetch: async (_input, init) => {
        seen = init?.signal;
        return json(200, user);
      },
    });
    await api.get('/api/v1/auth/me', { signal: controller.signal });
    expect(seen).toBe(controller.signal);
  });
});
