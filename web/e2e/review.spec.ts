// Reviewers: the queue (filters in the URL, search, live rows, keys) and the profile page
// (stage decision with a required reason, history, document preview and rejection).
import { test, expect, pdf, type Hrms } from './fixtures';

const details = (first: string, last: string) => ({
  first_name: first,
  last_name: last,
  date_of_birth: '1990-12-10',
  phone: '+44 20 7946 0958',
  address: { line1: "12 St James's Square", city: 'London', postal_code: 'SW1Y 4JH', country: 'gb' },
  emergency_contact: { name: 'Charles Babbage', phone: '+44 20 7946 0000', relationship: 'Friend' },
});

let seq = 0;
/** An employee who has submitted their details; returns the user, token and profile id. */
async function submittedEmployee(hrms: Hrms, first: string, last: string) {
  const email = `${first}.${last}.${Date.now()}.${++seq}@example.com`.toLowerCase();
  const user = await hrms.createUser({ email, name: `${first} ${last}`, roles: ['employee'] });
  const token = await hrms.login(user.email, user.password);
  const saved = await hrms.api('PUT', '/api/v1/profiles/me/details', details(first, last), token);
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  const sub = await hrms.api('POST', '/api/v1/profiles/me/submit', undefined, token);
  expect(sub.status, JSON.stringify(sub.body)).toBe(200);
  return { user, token, profileId: sub.body.id as number };
}


async function upload(hrms: Hrms, token: string, type: string, filename: string, bytes: Buffer) {
  const form = new FormData();
  form.append('type', type);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), filename);
  const r = await fetch(`${hrms.url}/api/v1/profiles/me/documents`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  expect(r.status, await r.clone().text()).toBe(201);
  return (await r.json()) as { id: number };
}

test('a reviewer filters the queue, rejects a stage with a reason and sees new submissions live', async ({ page, hrms, signIn, shot, checkA11y }) => {
  const roles = await hrms.api('GET', '/api/v1/roles');
  expect(JSON.stringify(roles.body)).toContain('"reviewer"');
  const reviewer = await hrms.createUser({ email: `rev.${Date.now()}@example.com`, name: 'Rita Reviewer', roles: ['reviewer'] });
  const ada = await submittedEmployee(hrms, 'Ada', 'Lovelace');
  await submittedEmployee(hrms, 'Alan', 'Turing');

  await signIn(page, reviewer.email, reviewer.password);
  await expect(page).toHaveURL(/\/queue/);
  await expect(page.getByRole('heading', { level: 1, name: 'Review queue' })).toBeVisible();
  const rows = page.locator('table.queue-table tbody tr');
  await expect(rows.filter({ hasText: 'Ada Lovelace' })).toBeVisible();
  await expect(rows.filter({ hasText: 'Alan Turing' })).toBeVisible();
  await checkA11y(page, 'queue');
  await shot(page, 'review-queue');

  // Filters live in the URL.
  await page.getByLabel('Status').selectOption('submitted');
  await expect(page).toHaveURL(/status=submitted/);
  await page.getByLabel('Search name or email').fill('lovelace');
  await expect(page).toHaveURL(/q=lovelace/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Ada Lovelace');
  await expect(rows.first()).toContainText('Submitted');
  await expect(rows.first()).toContainText(/left/);

  // Keys: ? lists them; j selects the first row, Enter opens it.
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toBeHidden();
  await page.keyboard.press('j');
  await expect(page.getByRole('link', { name: 'Ada Lovelace' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/profiles/${ada.profileId}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Ada Lovelace' })).toBeVisible();
  await expect(page.locator('dl.facts').getByText('Lovelace', { exact: true })).toBeVisible();

  // Reject without a reason: the reason field is focused, then the error is by it.
  await page.getByRole('button', { name: 'Reject stage' }).click();
  const reason = page.getByLabel('Reason for rejecting');
  await expect(reason).toBeFocused();
  await page.getByRole('button', { name: 'Reject with this reason' }).click();
  await expect(page.locator('.field-error')).toContainText('Enter a reason for rejecting');
  await expect(reason).toHaveAttribute('aria-invalid', 'true');
  await reason.fill('The date of birth does not match the passport.');
  await page.getByRole('button', { name: 'Reject with this reason' }).click();

  const history = page.locator('table.history-table');
  await expect(history.locator('tbody tr').first()).toContainText('Rejected');
  await expect(history.locator('tbody tr').first()).toContainText('The date of birth does not match the passport.');
  await expect(history.locator('tbody tr').first()).toContainText('You');
  await expect(history).toContainText('Submitted');
  await expect(page.locator('.profile-sub')).toContainText('Rejected');
  await expect(page.getByRole('button', { name: 'Approve stage' })).toHaveCount(0);
  await checkA11y(page, 'profile');
  await shot(page, 'review-profile');

  // Back to the queue with its filters; a new submission appears live.
  await page.getByRole('link', { name: 'Back to the queue' }).click();
  await expect(page).toHaveURL(/status=submitted/);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByLabel('Status').selectOption('submitted');
  await expect(rows.filter({ hasText: 'Alan Turing' })).toBeVisible();
  await expect(rows.filter({ hasText: 'Ada Lovelace' })).toHaveCount(0);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await submittedEmployee(hrms, 'Grace', 'Hopper');
  const grace = rows.filter({ hasText: 'Grace Hopper' });
  await expect(grace).toBeVisible();
  await expect(grace).toHaveClass(/changed/);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  await page.setViewportSize({ width: 360, height: 800 });
  await shot(page, 'review-queue-narrow');
});

test('a reviewer previews a document and rejects it with a reason', async ({ page, hrms, signIn, shot, checkA11y }) => {
  const reviewer = await hrms.createUser({ email: `rev2.${Date.now()}@example.com`, name: 'Rob Reviewer', roles: ['reviewer'] });
  const emp = await submittedEmployee(hrms, 'Mary', 'Somerville');
  const ok = await hrms.api('POST', `/api/v1/profiles/${emp.profileId}/decision`, { stage: 'details', decision: 'approve' });
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  const types = await hrms.api('GET', '/api/v1/document-types');
  const required = (types.body.items as { code: string; required: boolean }[]).filter((x) => x.required);
  for (const ty of required) await upload(hrms, emp.token, ty.code, `${ty.code}.pdf`, pdf(`Mary Somerville ${ty.code}`));
  const sub = await hrms.api('POST', '/api/v1/profiles/me/submit', undefined, emp.token);
  expect(sub.status, JSON.stringify(sub.body)).toBe(200);

  await signIn(page, reviewer.email, reviewer.password);
  await page.goto(`/profiles/${emp.profileId}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Mary Somerville' })).toBeVisible();
  const docs = page.locator('li.doc');
  await expect(docs).toHaveCount(required.length);
  const first = docs.first();
  await expect(first).toContainText('Pending');

  await first.getByRole('button', { name: 'Preview' }).click();
  const frame = first.locator('iframe.preview');
  await expect(frame).toBeVisible();
  await expect(frame).toHaveAttribute('src', /^blob:/);

  // 'r' opens the reject reason on the document last opened.
  await page.locator('h1').click();
  await page.keyboard.press('r');
  const reason = first.getByLabel('Reason for rejecting');
  await expect(reason).toBeFocused();
  await first.getByRole('button', { name: 'Reject with this reason' }).click();
  await expect(first.locator('.field-error')).toContainText('Enter a reason for rejecting');
  await reason.fill('The scan is cut off at the bottom.');
  await first.getByRole('button', { name: 'Reject with this reason' }).click();
  await expect(first.locator('.doc-head')).toContainText('Rejected');
  await expect(first).toContainText('The scan is cut off at the bottom.');
  await expect(first).toContainText('Reviewed by You');

  // 'a' approves the document last opened.
  const second = docs.nth(1);
  await second.getByRole('button', { name: 'Preview' }).click();
  await expect(second.locator('iframe.preview')).toHaveAttribute('src', /^blob:/);
  await page.locator('h1').click();
  await page.keyboard.press('a');
  await expect(second.locator('.doc-head')).toContainText('Approved');

  // Approving the stage now is refused by the API; its message shows by the button.
  await page.getByRole('button', { name: 'Approve stage' }).click();
  await expect(page.locator('.decision-card [role=alert]')).toContainText(/approved/);

  await checkA11y(page, 'profile with documents');
  await shot(page, 'review-profile-documents');
  await page.setViewportSize({ width: 360, height: 800 });
  await shot(page, 'review-profile-narrow');
});

test('a row someone else decides greys out in the open queue, saying who', async ({ page, hrms, signIn, checkA11y, shot }) => {
  const rev = await hrms.createUser({ email: `rev3.${Date.now()}@example.com`, name: 'Olga Other', roles: ['reviewer'] });
  const revToken = await hrms.login(rev.email, rev.password);
  const emp = await submittedEmployee(hrms, 'Emmy', 'Noether');

  await signIn(page, hrms.adminEmail, hrms.adminPassword);
  await page.goto('/queue?status=submitted&q=noether');
  const row = page.locator('table.queue-table tbody tr').filter({ hasText: 'Emmy Noether' });
  await expect(row).toBeVisible();
  await expect(row).not.toHaveClass(/decided/);

  const r = await hrms.api('POST', `/api/v1/profiles/${emp.profileId}/decision`, { stage: 'details', decision: 'approve' }, revToken);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  await expect(row).toHaveClass(/decided/);
  await expect(row).toContainText('Decided by Olga Other');
  await checkA11y(page, 'queue with a decided row');
  await shot(page, 'review-queue-decided');
});

test('the queue pages by keyset and the URL keeps the filters', async ({ page, hrms, signIn }) => {
  const stamp = Date.now();
  await Promise.all(Array.from({ length: 52 }, (_, i) =>
    hrms.createUser({ email: `pager.${stamp}.${i}@example.com`, name: `Pager Person ${String(i).padStart(2, '0')}`, roles: ['employee'] })));
  await signIn(page, hrms.adminEmail, hrms.adminPassword);
  await page.goto('/queue?status=draft&q=pager%20person');
  const rows = page.locator('table.queue-table tbody tr');
  await expect(rows).toHaveCount(50);
  const names = (await rows.locator('th').allInnerTexts()).map((x) => x.trim());
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByText('Page 2', { exact: true })).toBeVisible();
  await expect(rows).toHaveCount(2);
  for (const n of await rows.locator('th').allInnerTexts()) expect(names).not.toContain(n.trim());
  await expect(page.getByRole('button', { name: 'Next page' })).toBeDisabled();
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText(names[0]!);
  await expect(page).toHaveURL(/status=draft/);
});

test('an overdue review is labelled and found by the SLA filter', async ({ page, hrms, signIn }) => {
  await submittedEmployee(hrms, 'Katherine', 'Johnson');
  const hours = 50;
  hrms.advanceClock(hours * 3600_000);
  // The browser's clock moves with the server's (an init script, so timers keep running).
  await page.addInitScript((offset: number) => {
    const RealDate = Date;
    class ShiftedDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(RealDate.now() + offset);
        else super(...(args as [string]));
      }
      static override now() { return RealDate.now() + offset; }
    }
    (globalThis as any).Date = ShiftedDate;
  }, hours * 3600_000);
  await signIn(page, hrms.adminEmail, hrms.adminPassword);
  await page.goto('/queue?q=katherine');
  const row = page.locator('table.queue-table tbody tr').filter({ hasText: 'Katherine Johnson' });
  await expect(row).toContainText(/Overdue by 2h/);
  await page.getByLabel('SLA').selectOption('false');
  await expect(page).toHaveURL(/overdue=false/);
  await expect(page.getByText('No profiles match these filters')).toBeVisible();
  await page.getByLabel('SLA').selectOption('true');
  await expect(row).toBeVisible();
  await row.getByRole('link', { name: 'Katherine Johnson' }).click();
  await expect(page.locator('.profile-side')).toContainText(/Overdue by 2h/);
});

test('a decision whose answer is lost stays pending, is never sent twice, and is found to have arrived', async ({ page, hrms, signIn }) => {
  const emp = await submittedEmployee(hrms, 'Lise', 'Meitner');
  const other = await submittedEmployee(hrms, 'Chien-Shiung', 'Wu');
  await signIn(page, hrms.adminEmail, hrms.adminPassword);

  // 1. The request reaches the server, the answer never comes back.
  let posts = 0;
  await page.route(`**/api/v1/profiles/${emp.profileId}/decision`, async (route) => {
    posts++;
    await route.fetch(); // the server decides...
    await route.abort('connectionreset'); // ...and the browser never hears of it
  });
  await page.goto(`/profiles/${emp.profileId}`);
  await page.getByRole('button', { name: /^Approve/ }).first().click();
  // Reconciled with the server: shown as done, the profile moved on, and sent once only.
  await expect(page.getByText('Details approved').first()).toBeVisible();
  await expect(page.getByText('nothing was recorded')).toHaveCount(0);
  expect((await hrms.api('GET', `/api/v1/profiles/${emp.profileId}`)).body.stage).toBe('documents');
  expect(posts).toBe(1);
  await expect(page.getByText('There is a problem')).toHaveCount(0);

  // 2. The request never reaches the server: once it answers again, the page says nothing was
  // recorded and keeps the reason for another try.
  await page.route(`**/api/v1/profiles/${other.profileId}/decision`, (route) => route.abort('connectionreset'));
  await page.goto(`/profiles/${other.profileId}`);
  await page.getByRole('button', { name: /^Reject/ }).first().click();
  await page.getByLabel(/reason/i).first().fill('Phone number is missing a digit');
  await page.getByRole('button', { name: /^Reject/ }).first().click();
  await expect(page.getByText('nothing was recorded')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByLabel(/reason/i).first()).toHaveValue('Phone number is missing a digit');
  expect((await hrms.api('GET', `/api/v1/profiles/${other.profileId}`)).body.status).toBe('submitted');
});
