// The browser tests' fixtures. Each worker starts its own hrms (SQLite, dev mode, a temporary
// data dir, the built web/dist) on a free port, with an admin; a test gets:
//   hrms        { url, adminEmail, adminPassword, dataDir, api(), createUser(), clock }
//   signIn      (page, email, password) => signs in through the sign-in page
//   shot        (page, name) => screenshots in the light and the dark theme, to
//               test-results/screenshots/<name>-light.png and -dark.png
//   checkA11y   (page, what) => axe-core on the page; fails on serious or critical violations
// A spec can ask for a seeded database: test.use({ seedEmployees: 200 }) runs
// `hrms demo seed --employees 200 --awaiting-review` before its worker's server starts.
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const webDir = resolve(here, '..');
const BIN = process.env.HRMS_BIN ?? resolve(webDir, '../build/release/bin/hrms');
const DIST = process.env.HRMS_WEB_DIR ?? resolve(webDir, 'dist');
export const SHOTS = resolve(webDir, 'test-results/screenshots');
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Hrms {
  url: string;
  adminEmail: string;
  adminPassword: string;
  dataDir: string;
  /** Calls the API with a bearer token (the admin's unless `token` is given). */
  api<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer<T>>;
  /** A bearer token for a user. */
  login(email: string, password: string): Promise<string>;
  /** Creates an active user with a password; returns the user. */
  createUser(u: { email: string; name: string; roles?: string[]; password?: string }): Promise<{ id: number; email: string; password: string }>;
  /** Moves the server's clock (HRMS_TEST_CLOCK_FILE) by `ms`. */
  advanceClock(ms: number): void;
}

const ADMIN_EMAIL = 'admin@example.com';
const ADMIN_PASSWORD = 'admin-password-123';
export const PASSWORD = 'correct-horse-battery-9';

/** A small valid one-page PDF with `text` on it (what the server's type detection takes for
 * application/pdf), with a correct cross-reference table. */
export function pdf(text: string): Buffer {
  const stream = `BT /F1 18 Tf 20 70 Td (${text}) Tj ET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function startServer(seedEmployees: number): Promise<{ proc: ChildProcess; url: string; dataDir: string; clockFile: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hrms-ui-'));
  const clockFile = join(dataDir, 'clock');
  writeFileSync(clockFile, '0');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HRMS_DATA_DIR: dataDir,
    HRMS_LISTEN: '127.0.0.1:0',
    HRMS_ADMIN_EMAIL: ADMIN_EMAIL,
    HRMS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    HRMS_DEV_MODE: '1',
    HRMS_LOG_LEVEL: 'info',
    HRMS_WEB_DIR: DIST,
    HRMS_TEST_CLOCK_FILE: clockFile,
    HRMS_LOGIN_RATE_PER_IP: '10000',
    HRMS_LOGIN_BURST_PER_IP: '10000',
    HRMS_LOGIN_IP_MAX_FAILURES: '10000',
    HRMS_LOGIN_MAX_FAILURES: '10000',
    HRMS_BULK_PROGRESS_INTERVAL_S: '0.05',
  };
  if (seedEmployees > 0) {
    const r = spawnSync(BIN, ['demo', 'seed', '--employees', String(seedEmployees), '--awaiting-review', '--seed', '7'],
      { env: { ...env, HRMS_LOG_LEVEL: 'warn' }, cwd: dataDir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`demo seed failed: ${r.stderr}`);
  }
  const logPath = join(dataDir, 'server.log');
  const log = openSync(logPath, 'w');
  const proc = spawn(BIN, ['serve'], { env, cwd: dataDir, stdio: ['ignore', log, log] });
  return new Promise((ok, fail) => {
    const started = Date.now();
    const poll = () => {
      const text = readFileSync(logPath, 'utf8');
      for (const line of text.split('\n')) {
        if (!line.includes('"http.listening"')) continue;
        const port = JSON.parse(line).port as number;
        return ok({ proc, url: `http://127.0.0.1:${port}`, dataDir, clockFile });
      }
      if (proc.exitCode !== null) return fail(new Error(`hrms exited: ${text}`));
      if (Date.now() - started > 20_000) return fail(new Error(`hrms did not start: ${text}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

/** Switches the theme and ends running transitions, so what is measured is the final colours. */
async function setTheme(page: Page, name: string): Promise<void> {
  await page.evaluate((th) => {
    document.documentElement.dataset.theme = th;
    for (const a of document.getAnimations()) a.finish();
  }, name);
}

type WorkerFixtures = { hrms: Hrms; seedEmployees: number };
type TestFixtures = {
  signIn: (page: Page, email: string, password: string) => Promise<void>;
  shot: (page: Page, name: string) => Promise<void>;
  checkA11y: (page: Page, what: string) => Promise<void>;
};

export const test = base.extend<TestFixtures, WorkerFixtures>({
  seedEmployees: [0, { scope: 'worker', option: true }],
  hrms: [
    async ({ seedEmployees }, use) => {
      const s = await startServer(seedEmployees);
      let clock = 0;
      let adminToken = '';
      const call = async (method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer> => {
        const r = await once(method, path, body, token);
        // The admin's session idles out when a test moves the clock on: sign in again.
        if (r.status === 401 && token === undefined && adminToken && path !== '/api/v1/auth/login') {
          adminToken = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
          return once(method, path, body, token);
        }
        return r;
      };
      const once = async (method: string, path: string, body?: unknown, token?: string): Promise<ApiAnswer> => {
        const headers: Record<string, string> = {};
        const bearer = token ?? adminToken;
        if (bearer) headers.Authorization = `Bearer ${bearer}`;
        if (body !== undefined) headers['Content-Type'] = 'application/json';
        const r = await fetch(s.url + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
        const text = await r.text();
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON
        }
        return { status: r.status, body: parsed, headers: r.headers };
      };
      const login = async (email: string, password: string) => {
        const r = await once('POST', '/api/v1/auth/login', { email, password }, '');
        if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body.token as string;
      };
      adminToken = await login(ADMIN_EMAIL, ADMIN_PASSWORD);
      const hrms: Hrms = {
        url: s.url,
        adminEmail: ADMIN_EMAIL,
        adminPassword: ADMIN_PASSWORD,
        dataDir: s.dataDir,
        api: call,
        login,
        async createUser(u) {
          const password = u.password ?? PASSWORD;
          const r = await call('POST', '/api/v1/users', { email: u.email, name: u.name, roles: u.roles ?? ['employee'], password });
          if (r.status !== 201) throw new Error(`create ${u.email}: ${r.status} ${JSON.stringify(r.body)}`);
          return { id: r.body.id, email: r.body.email, password };
        },
        advanceClock(ms) {
          clock += ms;
          writeFileSync(s.clockFile, String(clock / 1000));
        },
      };
      await use(hrms);
      s.proc.kill('SIGTERM');
      await new Promise((r) => s.proc.once('exit', r));
      rmSync(s.dataDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ hrms }, use) => use(hrms.url),
  signIn: async ({}, use) => {
    await use(async (page, email, password) => {
      await page.goto('/sign-in');
      await page.getByLabel('Email address').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).not.toHaveURL(/sign-in/);
    });
  },
  shot: async ({}, use) => {
    mkdirSync(SHOTS, { recursive: true });
    await use(async (page, name) => {
      const before = await page.evaluate(() => document.documentElement.dataset.theme ?? 'light');
      for (const themeName of ['light', 'dark']) {
        await setTheme(page, themeName);
        await page.screenshot({ path: join(SHOTS, `${name}-${themeName}.png`), fullPage: true });
      }
      await setTheme(page, before);
    });
  },
  checkA11y: async ({}, use) => {
    await use(async (page, what) => {
      for (const themeName of ['light', 'dark']) {
        await setTheme(page, themeName);
        // Evaluated through the DevTools protocol, which the page's CSP does not govern.
        const violations = await page.evaluate(async (src) => {
          if (!(window as any).axe) (0, eval)(src);
          const r = await (window as any).axe.run(document, { resultTypes: ['violations'] });
          return r.violations
            .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
            .map((v: any) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')).join(' | ')}`);
        }, AXE);
        expect(violations, `axe on ${what} (${themeName} theme)`).toEqual([]);
      }
    });
  },
});

export { expect };
