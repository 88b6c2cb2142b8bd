// The admin's operations pages: reports (download a PDF, edit schedules), the audit log (the
// story of one request, the chain check), email (outbox, providers, a test message) and system
// (jobs, "Run now", runs, live connections).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';

// Through the left navigation (no reload), as people do.
async function openFromNav(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

// On a failure, the end of the server's log helps tell a UI bug from a server one.
test.afterEach(async ({ hrms }, info) => {
  if (info.status === info.expectedStatus) return;
  const log = readFileSync(join(hrms.dataDir, 'server.log'), 'utf8').trim().split('\n').slice(-40).join('\n');
  await info.attach('server.log', { body: log, contentType: 'text/plain' });
});

test('the admin reads a report, downloads it as PDF and edits the schedules', async ({ page, hrms, signIn, shot, checkA11y }) => {
  await signIn(page, hrms.adminEmail, hrms.adminPassword);
  await openFromNav(page, 'Reports');
  await expect(page.getByRole('heading', { level: 1, name: 'Reports' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Daily operations' })).toBeVisible();
  // The time zone defaults to the browser's.
  const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  await expect(page.getByLabel('Time zone')).toHaveValue(zone);
  await checkA11y(page, 'reports');
  await shot(page, 'ops-reports');

  // A zone the server does not know: its message lands by the field.
  await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
  await page.getByLabel('Time zone').blur();
  await expect(page.getByLabel('Time zone')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('.field-error .error-text')).toBeVisible();
  await page.getByLabel('Time zone').fill(zone);
  await page.getByLabel('Time zone').blur();
  await expect(page.getByRole('heading', { level: 2, name: 'Daily operations' })).toBeVisible();

  // Another kind with a range: the URL keeps the choice.
  await page.getByLabel('Report', { exact: true }).selectOption('sla');
  await expect(page).toHaveURL(/kind=sla/);
  await expect(page.getByRole('heading', { level: 2, name: 'SLA compliance' })).toBeVisible();

  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download PDF' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^sla-.*\.pdf$/);
  const file = readFileSync((await download.path())!);
  expect(file.subarray(0, 4).toString('latin1')).toBe('%PDF');

  // Schedules: the client checks first, then the server's 422 lands by its field.
  await page.getByRole('link', { name: 'Schedules' }).click();
  await expect(page.getByText('No schedules')).toBeVisible();
  await page.getByRole('button', { name: 'Add a schedule' }).click();
  await page.getByRole('button', { name: 'Save schedules' }).click();
  await expect(page.getByRole('alert').getByText('Enter a name for schedule 1')).toBeVisible();
  await page.getByLabel('Name').fill('Monday summary');
  await page.getByLabel('Recipients').fill('hr@example.com, cfo@example.com');
  await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
  await page.getByRole('button', { name: 'Save schedules' }).click();
  const tzField = page.locator('.field-error').filter({ has: page.getByLabel('Time zone') });
  await expect(tzField.locator('.error-text')).toBeVisible();
  await expect(page.getByLabel('Time zone')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Time zone').fill('Europe/Berlin');
  await page.getByLabel('PDF').uncheck();
  await page.getByLabel('XLSX').check();
  await page.getByRole('button', { name: 'Save schedules' }).click();
  await expect(page.getByText('Schedules saved')).toBeVisible();
  await expect(page.getByText(/Next run:/)).toBeVisible();
  const saved = await hrms.api('GET', '/api/v1/reports/schedules');
  expect(saved.body.items).toHaveLength(1);
  expect(saved.body.items[0]).toMatchObject({ name: 'Monday summary', time_zone: 'Europe/Berlin', formats: ['xlsx'], recipients: ['hr@example.com', 'cfo@example.com'] });
  await checkA11y(page, 'report schedules');
  await shot(page, 'ops-report-schedules');

  await page.getByRole('link', { name: 'Past runs' }).click();
  await expect(page.getByText('No report runs yet')).toBeVisible();
  await checkA11y(page, 'report runs');

  await page.setViewportSize({ width: 360, height: 800 });
  await page.getByRole('link', { name: 'Build a report' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Daily operations' })).toBeVisible();
  await shot(page, 'ops-reports-360');
});

test('the admin follows one request through the audit log and verifies the chain', async ({ page, hrms, signIn, shot, checkA11y }) => {
  const email = `grace.${Date.now()}@example.com`;
  const created = await hrms.api('POST', '/api/v1/users', { email, name: 'Grace Murray', roles: ['employee'], password: 'correct-horse-battery-9' });
  expect(created.status).toBe(201);
  const requestId = created.headers.get('X-Request-Id')!;
  expect(requestId).toBeTruthy();

  await signIn(page, hrms.adminEmail, hrms.adminPassword);
  await openFromNav(page, 'Audit');
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await expect(page.getByRole('table')).toBeVisible();
  await checkA11y(page, 'audit');
  await shot(page, 'ops-audit');

  await page.getByLabel('Request id').fill(requestId);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`request_id=${requestId}`));
  await expect(page.getByText(`The story of request ${requestId}`)).toBeVisible();
  const rows = page.getByRole('table').locator('tbody tr');
  await expect(rows.filter({ hasText: 'http.request' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'POST /api/v1/users' })).toHaveCount(1);
  const change = rows.filter({ hasText: /user\./ }).first();
  await expect(change).toBeVisible();
  await change.getByRole('button', { name: /Details of entry/ }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText(email).first()).toBeVisible();
  await expect(dialog.getByRole('heading', { name: 'After' })).toBeVisible();
  await checkA11y(page, 'audit entry');
  await shot(page, 'ops-audit-entry');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByText(/The audit chain is intact: [\d,]+ entries checked/)).toBeVisible();
  await page.setViewportSize({ width: 360, height: 800 });
  await shot(page, 'ops-audit-360');
});

test('the admin sends a test email and sees the outbox and the providers', async ({ page, hrms, signIn, shot, checkA11y }) => {
  await signIn(page, hrms.adminEmail, hrms.adminPassword);
  await openFromNav(page, 'Email');
  await expect(page.getByRole('heading', { level: 1, name: 'Email' })).toBeVisible();
  await page.getByRole('link', { name: 'Send a test' }).click();
  await page.getByRole('button', { name: 'Send test email' }).click();
  await expect(page.getByRole('alert').getByText('Enter an email address')).toBeVisible();
  await page.getByLabel('Send to').fill('it@example.com');
  await page.getByRole('button', { name: 'Send test email' }).click();
  await expect(page.getByRole('status').getByText('Test email to it@example.com queued.').first()).toBeVisible();
  await checkA11y(page, 'email test');
  await page.getByRole('button', { name: 'Follow it in the outbox' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('it@example.com')).toBeVisible();
  await expect(dialog.getByRole('heading', { name: 'What happened' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();

  const row = page.getByRole('table').locator('tbody tr').filter({ hasText: 'it@example.com' });
  await expect(row).toHaveCount(1);
  await checkA11y(page, 'email outbox');
  await shot(page, 'ops-email-outbox');

  await page.getByRole('link', { name: 'Providers' }).click();
  await expect(page.getByRole('table').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByText(/Working|Open \(skipped\)|Testing again/).first()).toBeVisible();
  await checkA11y(page, 'email providers');
  await shot(page, 'ops-email-providers');

  await page.getByRole('link', { name: 'Templates' }).click();
  const frame = page.locator('iframe.ops-frame');
  await expect(frame).toHaveAttribute('sandbox', '');
  await expect(frame).toHaveAttribute('srcdoc', /<html/i);
  await checkA11y(page, 'email templates');
  await shot(page, 'ops-email-templates');

  await page.getByRole('link', { name: 'Suppressed addresses' }).click();
  await expect(page.getByText('No suppressed addresses')).toBeVisible();
  await page.setViewportSize({ width: 360, height: 800 });
  await page.getByRole('link', { name: 'Outbox' }).click();
  await expect(row).toHaveCount(1);
  await shot(page, 'ops-email-360');
});

test('the admin runs a background job now and sees its run', async ({ page, hrms, signIn, shot, checkA11y }) => {
  await signIn(page, hrms.adminEmail, hrms.adminPassword);
  await openFromNav(page, 'System');
  await expect(page.getByRole('heading', { level: 1, name: 'System' })).toBeVisible();
  const jobs = page.getByRole('table').locator('tbody tr');
  await expect(jobs.first()).toBeVisible();
  // sla.escalate runs once a minute on one process at a time: not run yet in a fresh server.
  const name = 'sla.escalate';
  await expect(jobs.filter({ hasText: name })).toHaveCount(1);
  await checkA11y(page, 'system jobs');
  await shot(page, 'ops-system-jobs');

  await page.getByRole('button', { name: `Run now: ${name}` }).click();
  await expect(page.getByText(`${name} will run in a moment.`)).toBeVisible();
  await expect(page.getByText(new RegExp(`${name.replace(/\./g, '\\.')} ran: (Succeeded|Failed)`))).toBeVisible({ timeout: 15_000 });

  await page.getByRole('button', { name: `Runs of ${name}` }).click();
  await expect(page).toHaveURL(/tab=runs/);
  const runs = page.getByRole('table').locator('tbody tr');
  await expect(runs.filter({ hasText: name }).first()).toBeVisible();
  await checkA11y(page, 'system runs');
  await shot(page, 'ops-system-runs');

  await page.getByRole('link', { name: 'Live connections' }).click();
  await expect(page.getByRole('heading', { name: 'Open sessions' })).toBeVisible();
  await expect(page.getByText('Open now')).toBeVisible();
  await checkA11y(page, 'system live');
  await shot(page, 'ops-system-live');
  await page.setViewportSize({ width: 360, height: 800 });
  await page.getByRole('link', { name: 'Background jobs' }).click();
  await expect(jobs.first()).toBeVisible();
  await shot(page, 'ops-system-360');
});
