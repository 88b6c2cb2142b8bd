// The whole journey with two people at once, each in their own browser: an employee onboards
// while a reviewer works the queue, and each sees the other's moves live (no reloads).
import { test, expect, pdf } from './fixtures';

const DETAILS_OK = async (page: import('@playwright/test').Page) => {
  await page.getByLabel('First name').fill('Annie');
  await page.getByLabel('Last name').fill('Easley');
  await page.getByLabel('Date of birth').fill('1990-08-26');
  await page.getByLabel('Phone number', { exact: true }).fill('+1 202 555 0143');
  await page.getByLabel('Address line 1').fill('1 Langley Boulevard');
  await page.getByLabel('Town or city').fill('Hampton');
  await page.getByLabel('Postcode').fill('23681');
  await page.getByLabel('Country').selectOption('US');
  await page.getByLabel('Contact’s full name').fill('Dorothy Vaughan');
  await page.getByLabel('Contact’s phone number').fill('+1 202 555 0199');
};


test('an employee onboards while a reviewer watches live, rejects a document, and approves to 100%', async ({ browser, hrms, signIn, shot }) => {
  test.setTimeout(120_000);
  const stamp = Date.now();
  const employee = await hrms.createUser({ email: `annie.${stamp}@example.com`, name: 'Annie Easley', roles: ['employee'] });
  const reviewer = await hrms.createUser({ email: `mary.${stamp}@example.com`, name: 'Mary Jackson', roles: ['reviewer'] });
  const types = ((await hrms.api('GET', '/api/v1/document-types')).body.items as { code: string; name: string; required: boolean }[])
    .filter((x) => x.required);

  const emp = await (await browser.newContext()).newPage();
  const rev = await (await browser.newContext()).newPage();
  await signIn(emp, employee.email, employee.password);
  await signIn(rev, reviewer.email, reviewer.password);
  await rev.goto('/queue?status=submitted&q=easley');
  const row = rev.locator('table.queue-table tbody tr').filter({ hasText: 'Annie Easley' });
  await expect(row).toHaveCount(0);

  // The employee fills in the details and submits: the reviewer's queue shows the row arrive.
  await DETAILS_OK(emp);
  await emp.getByRole('button', { name: 'Save and submit for review' }).click();
  const next = emp.getByTestId('next-step');
  await expect(next).toContainText('waiting for review');
  await expect(row).toBeVisible();
  await expect(row).toHaveClass(/changed/);

  // The reviewer approves the details; the employee's page moves to Documents by itself.
  await row.getByRole('link', { name: 'Annie Easley' }).click();
  await rev.getByRole('button', { name: 'Approve stage' }).click();
  const stages = emp.getByRole('list', { name: 'Onboarding stages' });
  await expect(stages.locator('[aria-current="step"]')).toContainText('Documents');

  // The employee uploads every required document and submits them.
  for (const ty of types) {
    await emp.getByLabel(`Choose a file for ${ty.name}`).setInputFiles({ name: `${ty.code}.pdf`, mimeType: 'application/pdf', buffer: pdf(ty.code) });
    const card = emp.getByRole('listitem').filter({ has: emp.getByRole('heading', { name: ty.name }) });
    await expect(card.getByText('Pending', { exact: true })).toBeVisible();
  }
  await emp.getByRole('button', { name: 'Submit documents for review' }).click();
  await expect(next).toContainText('Your documents are waiting for review');

  // The reviewer's open profile shows the documents arrive; one is rejected with a reason.
  const docs = rev.locator('li.doc');
  await expect(docs).toHaveCount(types.length);
  const first = docs.first();
  await first.getByRole('button', { name: 'Preview' }).click();
  await expect(first.locator('iframe.preview, img.preview')).toHaveAttribute('src', /^blob:/);
  await first.getByRole('button', { name: /^Reject/ }).first().click();
  await first.getByLabel('Reason for rejecting').fill('The scan is blurred; please scan it again.');
  await first.getByRole('button', { name: 'Reject with this reason' }).click();
  await expect(first.locator('.doc-head')).toContainText('Rejected');

  // The employee sees the rejection and its reason live, and replaces the document.
  const rejectedType = types[0]!; // uploaded first: the first card on the reviewer's page
  const empCard = emp.getByRole('listitem').filter({ has: emp.getByRole('heading', { name: rejectedType.name }) });
  await expect(empCard.getByText('Rejected', { exact: true })).toBeVisible();
  await expect(empCard).toContainText('The scan is blurred; please scan it again.');
  await shot(emp, 'journey-employee-rejected-document');
  await emp.getByLabel(`Choose a replacement file for ${rejectedType.name}`).setInputFiles({ name: 'rescanned.pdf', mimeType: 'application/pdf', buffer: pdf('rescanned') });
  await expect(empCard.getByText(/rescanned\.pdf/)).toBeVisible();
  // The stage stayed with the reviewer: the replacement goes straight back into review.
  await expect(empCard.getByText('Pending', { exact: true })).toBeVisible();
  await expect(next).toContainText('Your documents are waiting for review');

  // The reviewer sees the replacement, approves every document, the stage, then the final review.
  await expect(docs.first()).toContainText('rescanned.pdf');
  for (let i = 0; i < types.length; i++) {
    const d = docs.nth(i);
    await d.getByRole('button', { name: /^Approve/ }).first().click();
    await expect(d.locator('.doc-head')).toContainText('Approved');
  }
  await rev.getByRole('button', { name: 'Approve stage' }).click();
  await expect(stages.locator('[aria-current="step"]')).toContainText('Final review');
  await rev.getByRole('button', { name: 'Approve stage' }).click();

  // The employee's page shows 100% and says they are done.
  await expect(emp.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await expect(emp.getByText(/100\s?%/).first()).toBeVisible();
  await shot(emp, 'journey-employee-complete');
  await shot(rev, 'journey-reviewer-complete');
});
