// Everyone: accepting an invite, resetting a password, signing out everywhere, a session that
// ends mid-form, and the bell fed by the WebSocket (reconnecting, replay).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebSocketRoute } from '@playwright/test';
import { test, expect, PASSWORD, type Hrms } from './fixtures';

/** The newest mail to `to` in the server's file outbox (dev mode writes .eml files). */
async function mailTo(hrms: Hrms, to: string): Promise<string> {
  const dir = join(hrms.dataDir, 'mail');
  let found = '';
  await expect.poll(() => {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.eml')).sort();
    } catch {
      return false;
    }
    for (const n of names.reverse()) {
      const text = readFileSync(join(dir, n), 'utf8');
      if (text.includes(to)) {
        // Bodies may be quoted-printable or base64: decode both ways and search everything.
        const qp = text.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
        const b64 = [...text.matchAll(/(?:^[A-Za-z0-9+/=]{16,}\r?\n)+/gm)]
          .map((m) => Buffer.from(m[0].replace(/\s+/g, ''), 'base64').toString('utf8'));
        found = [qp, ...b64].join('\n');
        return true;
      }
    }
    return false;
  }, { timeout: 15_000 }).toBe(true);
  return found;
}

function tokenIn(mail: string, path: string): string {
  const m = mail.match(new RegExp(`${path}#token=([A-Za-z0-9_-]+)`));
  expect(m, `a ${path} link in the mail`).toBeTruthy();
  return m![1]!;
}

test('an invited person sets a password from the link and signs in', async ({ page, hrms, signIn, shot, checkA11y }) => {
  const email = `invitee.${Date.now()}@example.com`;
  const r = await hrms.api('POST', '/api/v1/users', { email, name: 'Ines Invitee', roles: ['employee'] });
  expect(r.status).toBe(201);
  const token = tokenIn(await mailTo(hrms, email), '/invite');

  await page.goto(`/invite#token=${token}`);
  await expect(page.getByRole('heading', { name: 'Set your password' })).toBeVisible();
  await checkA11y(page, 'invite');
  await shot(page, 'auth-invite');
  // Refused before sending: too short, then not the same twice.
  await page.getByLabel('New password').fill('short');
  await page.getByLabel('Type the password again').fill('short');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('link', { name: 'Use at least 12 characters' })).toBeVisible();
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('Type the password again').fill(`${PASSWORD}x`);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('link', { name: 'The two passwords are not the same' })).toBeVisible();
  await page.getByLabel('Type the password again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByText('Your password is set')).toBeVisible();
  await expect(page).toHaveURL(/\/invite$/); // the used token left the address bar
  // Used once: the same link, opened again, is refused with the API's message.
  await page.goto('about:blank');
  await page.goto(`/invite#token=${token}`);
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('Type the password again').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'This invite link has been used already or has expired' })).toBeVisible();

  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/onboarding/);
});

test('a forgotten password is reset from the mailed link', async ({ page, hrms, signIn, shot, checkA11y }) => {
  const user = await hrms.createUser({ email: `forgetful.${Date.now()}@example.com`, name: 'Frank Forgetful' });
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('link', { name: 'The email address or password is not right.' })).toBeVisible();
  await checkA11y(page, 'sign-in with an error');
  await shot(page, 'auth-sign-in-error');

  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email address').fill('not an email');
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByRole('link', { name: /Enter an email address like/ })).toBeVisible();
  await page.getByLabel('Email address').fill(user.email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await expect(page.getByText(`If an account uses ${user.email}`)).toBeVisible();
  await checkA11y(page, 'reset requested');
  await shot(page, 'auth-reset-sent');

  const token = tokenIn(await mailTo(hrms, user.email), '/reset-password');
  await page.goto(`/reset-password#token=${token}`);
  await page.getByLabel('New password').fill('a-brand-new-passphrase');
  await page.getByLabel('Type the password again').fill('a-brand-new-passphrase');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText('Your password has changed')).toBeVisible();
  await signIn(page, user.email, 'a-brand-new-passphrase');
});

test('signing out everywhere ends the other tab, which asks to sign in again and keeps what was typed', async ({ browser, hrms, signIn }) => {
  const user = await hrms.createUser({ email: `twotabs.${Date.now()}@example.com`, name: 'Tess Twotabs' });
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  await signIn(a, user.email, user.password);
  await signIn(b, user.email, user.password);
  await expect(b).toHaveURL(/\/onboarding/);
  await b.getByLabel('First name').fill('Tess, half typed');

  await a.getByRole('button', { name: /Account menu/ }).click();
  await a.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(a.getByText('You have signed out on every device.')).toBeVisible();

  // The other device's socket is closed (4001): it asks to sign in again, over the page.
  const dialog = b.getByRole('dialog', { name: 'Sign in again' });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Password').fill(user.password);
  await dialog.getByRole('button', { name: 'Sign in' }).click();
  await expect(dialog).toBeHidden();
  await expect(b.getByLabel('First name')).toHaveValue('Tess, half typed');
  // And carries on: the save goes through with the new session.
  await b.getByRole('button', { name: 'Save as draft' }).click();
  await expect.poll(async () => {
    const list = await hrms.api('GET', `/api/v1/profiles?q=${encodeURIComponent(user.email)}`);
    const id = list.body.items[0]?.id;
    const prof = id ? await hrms.api('GET', `/api/v1/profiles/${id}`) : null;
    return prof?.body.details?.first_name;
  }).toBe('Tess, half typed');
});

test('the bell counts live notifications, shows reconnecting while offline and replays what was missed', async ({ page, hrms, signIn, checkA11y, shot }) => {
  const user = await hrms.createUser({ email: `belle.${Date.now()}@example.com`, name: 'Belle Bell' });
  // The tab's WebSocket goes through the test, which can cut it and refuse reconnections.
  let online = true;
  let current: WebSocketRoute | null = null;
  await page.routeWebSocket(/\/api\/v1\/ws/, (ws) => {
    if (!online) return void ws.close({ code: 1001, reason: 'offline (test)' });
    current = ws;
    ws.connectToServer();
  });
  await signIn(page, user.email, user.password);
  const bell = page.getByTestId('bell');
  await expect(bell).toHaveAccessibleName('Notifications, 0 unread');

  const announce = (title: string) =>
    hrms.api('POST', '/api/v1/bulk/notifications', { user_ids: [user.id], title, body: 'From HR' });
  let r = await announce('Welcome aboard');
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  await expect(bell).toHaveAccessibleName('Notifications, 1 unread');
  await expect(page.getByRole('status').filter({ hasText: 'Welcome aboard' })).toBeVisible();

  online = false;
  await current!.close({ code: 1001, reason: 'network lost (test)' });
  await expect(page.getByText(/Reconnecting/)).toBeVisible();
  await shot(page, 'auth-reconnecting');
  r = await announce('Sent while you were away');
  expect(r.status).toBeLessThan(300);
  online = true;
  await expect(page.getByText(/Reconnecting/)).toBeHidden({ timeout: 20_000 });
  await expect(bell).toHaveAccessibleName('Notifications, 2 unread');

  await bell.click();
  const panel = page.getByRole('region', { name: 'Notifications' });
  await expect(panel.getByText('Sent while you were away')).toBeVisible();
  await checkA11y(page, 'notifications');
  await shot(page, 'auth-notifications');
  await panel.getByRole('button', { name: 'Mark all as read' }).click();
  await expect(bell).toHaveAccessibleName('Notifications, 0 unread');
});
