// The web interface's figures, measured in Debian's Chromium (Playwright from web/node_modules):
//   - the JavaScript each page loads, compressed as sent (hrms serves the build's gzip twins);
//   - the first page interactive: from navigation start to the sign-in form rendered and
//     usable (the app's `app:interactive` mark), and the browser's own domInteractive;
//   - the queue page of 50 rows: from its data arriving to the rows rendered (the page's
//     `queue:data` and `queue:rendered` marks, rendered = after the next frame).
// Each figure is measured RUNS times (fresh browser context: cold cache) and the median quoted.
//
//   node bench/web.mjs [RUNS]            (needs web/dist and build/release/bin/hrms, or HRMS_BIN)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'web/package.json'));
const { chromium } = require('playwright-core');

const RUNS = Number(process.argv[2] ?? 5);
const BIN = process.env.HRMS_BIN ?? join(root, 'build/release/bin/hrms');
const DIST = process.env.HRMS_WEB_DIR ?? join(root, 'web/dist');
const ADMIN = { email: 'admin@example.com', password: 'admin-password-123' };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function startServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'hrms-bench-web-'));
  const env = {
    PATH: process.env.PATH, HRMS_DATA_DIR: dataDir, HRMS_LISTEN: '127.0.0.1:0', HRMS_LOG_LEVEL: 'info',
    HRMS_ADMIN_EMAIL: ADMIN.email, HRMS_ADMIN_PASSWORD: ADMIN.password, HRMS_WEB_DIR: DIST,
  };
  // 1,000 employees awaiting review: the queue's first page is full (50 rows).
  const seed = spawnSync(BIN, ['demo', 'seed', '--employees', '1000', '--awaiting-review', '--seed', '3'],
    { env: { ...env, HRMS_LOG_LEVEL: 'warn' }, cwd: dataDir, encoding: 'utf8' });
  if (seed.status !== 0) throw new Error(seed.stderr);
  const logPath = join(dataDir, 'server.log');
  const proc = spawn(BIN, ['serve'], { env, cwd: dataDir, stdio: ['ignore', openSync(logPath, 'w'), openSync(logPath, 'a')] });
  for (let i = 0; i < 400; i++) {
    const line = readFileSync(logPath, 'utf8').split('\n').find((l) => l.includes('"http.listening"'));
    if (line) return { proc, dataDir, url: `http://127.0.0.1:${JSON.parse(line).port}` };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('hrms did not start');
}

/** Compressed bytes of the scripts a page loads (the Content-Length of what was sent). */
function scriptBytes(page) {
  const sizes = new Map();
  page.on('response', async (r) => {
    const type = r.headers()['content-type'] ?? '';
    if (!type.startsWith('text/javascript')) return;
    const len = Number(r.headers()['content-length'] ?? 0);
    sizes.set(r.url(), len);
  });
  return () => [...sizes.values()].reduce((a, b) => a + b, 0);
}

async function signIn(page, url) {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('Email address').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/queue/);
}

const server = await startServer();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const interactive = [], domInteractive = [], queueRender = [];
  let signInJs = 0;
  const pageJs = {};
  const pages = ['/queue', '/profiles/1', '/dashboard', '/bulk', '/people', '/roles', '/reports', '/audit', '/email', '/system'];
  for (let run = 0; run < RUNS; run++) {
    // Cold: a new context has an empty cache.
    const ctx = await browser.newContext({ extraHTTPHeaders: { 'Accept-Encoding': 'gzip' } });
    const page = await ctx.newPage();
    const js = scriptBytes(page);
    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const mark = performance.getEntriesByName('app:interactive')[0];
      return { dom: nav.domInteractive, app: mark ? mark.startTime : NaN };
    });
    interactive.push(t.app);
    domInteractive.push(t.dom);
    signInJs = Math.max(signInJs, js());
    await signIn(page, server.url);
    await page.locator('tbody tr').nth(49).waitFor();
    const q = await page.evaluate(() => {
      const d = performance.getEntriesByName('queue:data').at(-1);
      const r = performance.getEntriesByName('queue:rendered').at(-1);
      return d && r ? r.startTime - d.startTime : NaN;
    });
    queueRender.push(q);
    if (run === 0) {
      // Every page, each in a fresh context after signing in: what it loads in all.
      for (const p of pages) {
        const c2 = await browser.newContext();
        const pg = await c2.newPage();
        // Signed in through the API (the context keeps the cookies): the page loads cold.
        await pg.request.post(`${server.url}/api/v1/auth/login`, { data: ADMIN });
        const js2 = scriptBytes(pg);
        await pg.goto(`${server.url}${p}`);
        await pg.waitForLoadState('networkidle');
        pageJs[p] = js2();
        await c2.close();
      }
    }
    await ctx.close();
  }
  const kb = (n) => (n / 1024).toFixed(1);
  console.log(`runs: ${RUNS} (medians)`);
  console.log(`sign-in page JavaScript, compressed: ${kb(signInJs)} KB (target < 100 KB)`);
  for (const [p, n] of Object.entries(pageJs)) console.log(`  ${p.padEnd(14)} JavaScript, compressed: ${kb(n)} KB (target < 250 KB)`);
  console.log(`first page interactive (app:interactive mark): ${median(interactive).toFixed(0)} ms (target < 1000 ms); domInteractive ${median(domInteractive).toFixed(0)} ms`);
  console.log(`queue, 50 rows rendered after the data arrived: ${median(queueRender).toFixed(1)} ms (target < 100 ms); all: ${queueRender.map((x) => x.toFixed(1)).join(', ')}`);
} finally {
  await browser.close();
  server.proc.kill('SIGTERM');
  rmSync(server.dataDir, { recursive: true, force: true });
}
