// A small typed fetch wrapper over the types generated from docs/openapi.yaml (`npm run gen:api`
// writes ./schema.d.ts; it is never committed). A change to the contract that breaks a caller
// breaks `npm run typecheck`.
//
//   const r = await api.get('/api/v1/users/{id}', { params: { path: { id: 5 } } });
//   if (r.ok) r.data.email; else r.error.code;
//
// Conventions (from the document's info.description): same-origin cookie sessions; unsafe
// requests echo the `hrms_csrf` cookie in `X-CSRF-Token`; errors use the `Error` envelope.
// Tokens are never stored by this module (no localStorage): the browser keeps the cookies.

import type { components, paths } from './schema';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

const UNSAFE_METHODS: ReadonlySet<HttpMethod> = new Set(['post', 'put', 'patch', 'delete']);

export const CSRF_COOKIE = 'hrms_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

// ---------------------------------------------------------------------------------------------
// Types derived from the generated `paths`

/** The documented paths that have method M (`put?: never` in the generated type means "no"). */
export type PathsWith<M extends HttpMethod> = {
  [P in keyof paths]: paths[P] extends { [K in M]: object } ? P : never;
}[keyof paths];

/** The generated operation object of path P, method M. */
export type OperationOf<P extends keyof paths, M extends HttpMethod> =
  paths[P] extends { [K in M]: infer Op } ? Op : never;

type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];

/** Optional query values may also be given as `undefined` (skipped), which
 * exactOptionalPropertyTypes would otherwise refuse: `{ q: search || undefined }`. */
type Skippable<T> = { [K in keyof T]: {} extends Pick<T, K> ? T[K] | undefined : T[K] };
type QueryPart<Prm> = Prm extends { query: infer Q } ? { query: Skippable<Q> }
  : Prm extends { query?: infer Q } ? { query?: Skippable<NonNullable<Q>> }
  : {};
/** `{ path?, query?, header? }` as documented; keys typed `never` cannot be passed. */
type ParamsOf<Op> = Op extends { parameters: infer Prm } ? Omit<Prm, 'cookie' | 'query'> & QueryPart<Prm> : {};
type ParamsOption<Op> =
  [RequiredKeys<ParamsOf<Op>>] extends [never] ? { params?: ParamsOf<Op> } : { params: ParamsOf<Op> };

/** JSON bodies are typed from the schema; multipart bodies (document uploads) are a FormData. */
type BodyOf<RB> = RB extends { content: infer C }
  ? 'application/json' extends keyof C ? C['application/json']
    : 'multipart/form-data' extends keyof C ? FormData
    : never
  : never;
type BodyOption<Op> =
  Op extends { requestBody: infer RB } ? { body: BodyOf<RB> }                    // required
  : Op extends { requestBody?: infer RB } ? { body?: BodyOf<NonNullable<RB>> }  // optional or none (never)
  : { body?: never };

export type RequestOptions<Op> = ParamsOption<Op> & BodyOption<Op> & { signal?: AbortSignal };

/** The options argument may be left out when nothing in it is required. (Distributive, so that
 * for a path that is not documented tsc reports the path, not a missing argument.) */
type Args<Op> = Op extends unknown
  ? [RequiredKeys<RequestOptions<Op>>] extends [never]
    ? [options?: RequestOptions<Op>]
    : [options: RequestOptions<Op>]
  : never;

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206;
type ResponsesOf<Op> = Op extends { responses: infer R } ? R : never;
/** The JSON body of a response; `undefined` when it has none (204); `unknown` for other media
 * types (read `response` yourself, e.g. `response.blob()`). */
type DataOf<R> = R extends { content: { 'application/json': infer T } } ? T
  : R extends { content?: never } ? undefined
  : unknown;

type EnvelopeError = components['schemas']['Error']['error'];
/** The `error` object of the `Error` envelope. A failure that did not carry the envelope (e.g. a
 * proxy's HTML 502) gets code `http_<status>`, the status text as message, details null and the
 * `X-Request-Id` header (or '') as request_id. */
export type ApiError = Omit<EnvelopeError, 'code'> & { code: EnvelopeError['code'] | `http_${number}` };

/** One member per documented 2xx status, so `status` narrows `data`. */
export type Success<Op> = {
  [S in keyof ResponsesOf<Op> & SuccessStatus]: {
    ok: true;
    status: S;
    data: DataOf<ResponsesOf<Op>[S]>;
    response: Response;
  };
}[keyof ResponsesOf<Op> & SuccessStatus];

export interface Failure {
  ok: false;
  status: number;
  error: ApiError;
  response: Response;
}

export type Result<Op> = Success<Op> | Failure;

type Call<M extends HttpMethod> = <P extends PathsWith<M>>(
  path: P,
  ...args: Args<OperationOf<P, M>>
) => Promise<Result<OperationOf<P, M>>>;

/** Each method resolves to a Result for every HTTP answer, 2xx or not. A network failure (or an
 * abort) REJECTS with the error fetch threw: there is no response to describe, and a caller that
 * does not expect it should not see it as an HTTP status. */
export interface Client {
  get: Call<'get'>;
  post: Call<'post'>;
  put: Call<'put'>;
  patch: Call<'patch'>;
  delete: Call<'delete'>;
}

export interface ClientOptions {
  /** Prefix of every URL, e.g. `http://127.0.0.1:8080`; default '' (same origin). */
  baseUrl?: string;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
  /** The CSRF token for unsafe requests; default: the `hrms_csrf` cookie from document.cookie. */
  csrfToken?: () => string | undefined;
  /** Extra headers on every request, for non-browser use (e.g. `Authorization: Bearer ...`).
   * A browser needs none: the session cookie does it. */
  headers?: Record<string, string> | (() => Record<string, string>);
}

// ---------------------------------------------------------------------------------------------
// Runtime

/** The value of cookie `name` in a `document.cookie` string, or undefined. */
export function readCookie(name: string, cookies?: string): string | undefined {
  const all = cookies ?? (typeof document === 'undefined' ? '' : document.cookie);
  for (const part of all.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

type QueryValue = string | number | boolean | null | undefined;

/** Fills `{name}` in `path` with percent-encoded values and appends the query: undefined (and
 * null) values are skipped, arrays repeat the key, booleans are `true`/`false`. */
export function buildUrl(
  baseUrl: string,
  path: string,
  pathParams?: Record<string, string | number>,
  query?: Record<string, QueryValue | readonly QueryValue[]>,
): string {
  const filled = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = pathParams?.[name];
    if (value === undefined) throw new TypeError(`missing path parameter "${name}" for ${path}`);
    return encodeURIComponent(String(value));
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null) continue;
      if (typeof item === 'object') throw new TypeError(`query parameter "${key}" is not a scalar`);
      search.append(key, String(item));
    }
  }
  const qs = search.toString();
  return baseUrl.replace(/\/+$/, '') + filled + (qs ? `?${qs}` : '');
}

function isJson(response: Response): boolean {
  const type = response.headers.get('Content-Type') ?? '';
  return /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(type);
}

function envelopeError(body: unknown): EnvelopeError | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const error = body.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as Partial<EnvelopeError>;
  return typeof e.code === 'string' && typeof e.message === 'string' ? (e as EnvelopeError) : undefined;
}

async function failure(response: Response): Promise<Failure> {
  let found: EnvelopeError | undefined;
  if (isJson(response)) {
    try {
      found = envelopeError(await response.json());
    } catch {
      // not JSON after all: fall through to the synthetic error
    }
  }
  const requestId = response.headers.get('X-Request-Id') ?? '';
  const error: ApiError = found
    ? { ...found, details: found.details ?? null, request_id: found.request_id ?? requestId }
    : {
        code: `http_${response.status}`,
        message: response.statusText || `HTTP ${response.status}`,
        details: null,
        request_id: requestId,
      };
  return { ok: false, status: response.status, error, response };
}

async function success(response: Response): Promise<{ ok: true; status: number; data: unknown; response: Response }> {
  // Only JSON is read; any other body (a document download, the YAML document) is left unread
  // in `response`. A 2xx that claims JSON but is not rejects with the SyntaxError.
  let data: unknown = undefined;
  if (isJson(response) && response.status !== 204 && response.status !== 205) {
    const text = await response.text();
    if (text !== '') data = JSON.parse(text);
  }
  return { ok: true, status: response.status, data, response };
}

interface RawOptions {
  params?: {
    path?: Record<string, string | number>;
    query?: Record<string, QueryValue | readonly QueryValue[]>;
    header?: Record<string, string | undefined>;
  };
  body?: unknown;
  signal?: AbortSignal;
}

export function createClient(options: ClientOptions = {}): Client {
  const baseUrl = options.baseUrl ?? '';
  // Called through a wrapper: a browser's fetch must not be invoked with another `this`.
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const csrfToken = options.csrfToken ?? (() => readCookie(CSRF_COOKIE));

  async function request(method: HttpMethod, path: string, opts: RawOptions = {}) {
    const { params = {}, body, signal } = opts;
    const url = buildUrl(baseUrl, path, params.path, params.query);

    const extra = typeof options.headers === 'function' ? options.headers() : options.headers;
    const headers = new Headers(extra);
    for (const [name, value] of Object.entries(params.header ?? {})) {
      if (value !== undefined) headers.set(name, value);
    }
    if (UNSAFE_METHODS.has(method)) {
      const token = csrfToken();
      if (token) headers.set(CSRF_HEADER, token);
    }

    const init: RequestInit = { method: method.toUpperCase(), headers, credentials: 'same-origin' };
    if (body instanceof FormData) {
      init.body = body; // fetch sets multipart/form-data with its boundary itself
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers.set('Content-Type', 'application/json');
    }
    if (signal) init.signal = signal;

    const response = await fetchImpl(url, init); // a network failure rejects here, on purpose
    return response.ok ? success(response) : failure(response);
  }

  // The public types are enforced by `Client`; the runtime works on the untyped shape.
  const call = (method: HttpMethod) => (path: string, opts?: RawOptions) => request(method, path, opts);
  return {
    get: call('get'),
    post: call('post'),
    put: call('put'),
    patch: call('patch'),
    delete: call('delete'),
  } as unknown as Client;
}

/** The browser's client: same origin, cookie session, CSRF from the `hrms_csrf` cookie. */
export const api: Client = createClient();
export default api;
