// Type-level tests of the client, checked by `npm run typecheck` (tsc), never run.
// Each `@ts-expect-error` must be needed: if the misuse below it stopped being an error, tsc
// reports "Unused '@ts-expect-error' directive" and the typecheck fails.

import type { Client } from './client';
import type { components } from './schema';

type User = components['schemas']['User'];

/** Fails to compile unless A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_: T): void {}

export async function correctUsage(api: Client): Promise<void> {
  const user = await api.get('/api/v1/users/{id}', { params: { path: { id: 5 } } });
  if (user.ok) {
    assertType<Equal<typeof user.data, User>>(true);
    assertType<Equal<typeof user.status, 200>>(true);
    const email: string = user.data.email;
    const manager: number | null = user.data.manager_id;
    void email, manager;
  } else {
    const code: string = user.error.code;
    const requestId: string = user.error.request_id;
    void code, requestId;
  }

  // No options at all where nothing is required; query params optional and typed.
  await api.get('/api/v1/auth/me');
  await api.get('/api/v1/users', { params: { query: { q: 'ada', limit: 10 } } });
  await api.get('/api/v1/profiles', { params: { query: { stage: 'documents', overdue: 'true' } } });
  await api.get('/api/v1/users/{id}', { params: { path: { id: 5 }, header: { 'X-Request-Id': 'abc' } } });

  const login = await api.post('/api/v1/auth/login', { body: { email: 'a@example.com', password: 'pw' } });
  if (login.ok) {
    const token: string = login.data.token;
    const roles: string[] = login.data.user.roles;
    void token, roles;
  }
  const created = await api.post('/api/v1/users', { body: { email: 'b@example.com', name: 'B' } });
  if (created.ok) assertType<Equal<typeof created.status, 201>>(true);

  await api.patch('/api/v1/users/{id}', { params: { path: { id: 5 } }, body: { status: 'suspended' } });
  await api.put('/api/v1/users/{id}/manager', { params: { path: { id: 5 } }, body: { manager_id: null } });
  await api.put('/api/v1/roles/{name}', { params: { path: { name: 'team_lead' } }, body: { description: 'x' } });

  const logout = await api.post('/api/v1/auth/logout');
  if (logout.ok) assertType<Equal<typeof logout.data, undefined>>(true); // 204: no body

  const ended = await api.delete('/api/v1/users/{id}/sessions', { params: { path: { id: 5 } } });
  void ended;

  const upload = new FormData();
  upload.append('type', 'id_proof');
  const doc = await api.post('/api/v1/profiles/me/documents', { body: upload });
  if (doc.ok) {
    const sha: string = doc.data.sha256;
    void sha;
  }

  // Non-JSON success: data is unknown, the body is in `response`.
  const yaml = await api.get('/api/openapi.yaml');
  if (yaml.ok) {
    assertType<Equal<typeof yaml.data, unknown>>(true);
    await yaml.response.text();
  }

  await api.get('/api/v1/users', { signal: new AbortController().signal });
}

export async function misuse(api: Client): Promise<void> {
  // @ts-expect-error an undocumented path
  await api.get('/api/v1/nope');

  // @ts-expect-error a documented path without that method (no DELETE on /api/v1/auth/me)
  await api.delete('/api/v1/auth/me');

  // @ts-expect-error POST on a GET-only path
  await api.post('/api/v1/users/{id}', { params: { path: { id: 1 } }, body: {} });

  // @ts-expect-error the options (with the required path param) left out
  await api.get('/api/v1/users/{id}');

  // @ts-expect-error the required path param missing
  await api.get('/api/v1/users/{id}', { params: {} });

  // @ts-expect-error a path param of the wrong type
  await api.get('/api/v1/users/{id}', { params: { path: { id: 'five' } } });

  // @ts-expect-error a query param the operation does not have
  await api.get('/api/v1/users', { params: { query: { sort: 'name' } } });

  // @ts-expect-error query params on an operation without any
  await api.get('/api/v1/auth/me', { params: { query: { x: 1 } } });

  // @ts-expect-error a query param of the wrong type (limit is an integer)
  await api.get('/api/v1/users', { params: { query: { limit: '10' } } });

  // @ts-expect-error the required body missing
  await api.post('/api/v1/auth/login');

  // @ts-expect-error a body field of the wrong type (password is a string)
  await api.post('/api/v1/auth/login', { body: { email: 'a@example.com', password: 123 } });

  // @ts-expect-error a required body field missing (name)
  await api.post('/api/v1/users', { body: { email: 'b@example.com' } });

  // @ts-expect-error an enum body field with an undocumented value
  await api.patch('/api/v1/users/{id}', { params: { path: { id: 1 } }, body: { status: 'deleted' } });

  // @ts-expect-error a body on an operation without one
  await api.post('/api/v1/auth/logout', { body: { all: true } });

  // @ts-expect-error a JSON object where the document wants multipart (FormData)
  await api.post('/api/v1/profiles/me/documents', { body: { type: 'id_proof', file: 'x' } });

  const user = await api.get('/api/v1/users/{id}', { params: { path: { id: 1 } } });
  // @ts-expect-error data exists only once `ok` is checked
  void user.data;
  if (user.ok) {
    // @ts-expect-error a property the response does not have
    void user.data.password;
    // @ts-expect-error a property typed differently (id is a number)
    const id: string = user.data.id;
    void id;
  } else {
    // @ts-expect-error the error envelope has no `status` field
    void user.error.status;
  }
}
