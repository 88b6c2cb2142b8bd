// The employee's onboarding journey: the details form (checked before sending), submitting, a
// reviewer's approval arriving live, uploading documents (checked before sending), submitting
// them, and a rejected document coming back live with its reason and a "Replace" control.
import { test, expect, pdf } from './fixtures';


test('an employee fills in details, is approved live, and uploads documents', async ({ page, hrms, signIn, shot, checkA11y }) => {
  const user = await hrms.createUser({ email: `ada.${Date.now()}@example.com`, name: 'Ada Byron', roles: ['employee'] });
  const token = await hrms.login(user.email, user.password);
  const me = await hrms.api('GET', '/api/v1/profiles/me', undefined, token);
  expect(me.status).toBe(200);
  const profileId = me.body.id as number;

  // Count what reaches the server, to prove the client-side checks stop bad input.
  let detailPuts = 0;
  let uploads = 0;
  let submits = 0;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/profiles/me/submit')) submits++;
    if (r.method() === 'PUT' && r.url().endsWith('/api/v1/profiles/me/details')) detailPuts++;
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/profiles/me/documents')) uploads++;
  });

  await signIn(page, user.email, user.password);
  await expect(page).toHaveURL(/\/onboarding$/);
  const stages = page.getByRole('list', { name: 'Onboarding stages' });
  await expect(stages.locator('[aria-current="step"]')).toContainText('Details');
  const next = page.getByTestId('next-step');
  await expect(next).toContainText('Fill in your details');
  await checkA11y(page, 'onboarding: details');
  await shot(page, 'onboarding-details');

  // An invalid form: errors in the summary and next to each field; nothing sent.
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('Phone number', { exact: true }).fill('call me');
  await page.getByLabel('Date of birth').fill(`${new Date().getUTCFullYear() - 3}-01-01`);
  await page.getByRole('button', { name: 'Save and submit for review' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link', { name: 'Enter your last name' })).toBeVisible();
  await expect(page.locator('#f-phone-error')).toContainText('may contain only digits');
  await expect(page.locator('#f-date-of-birth-error')).toContainText('at least 16');
  await expect(page.locator('#f-address-country-error')).toContainText('Choose your country');
  await expect(page.getByLabel('Phone number', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  expect(detailPuts).toBe(0);
  // The summary's link moves focus to its field.
  await summary.getByRole('link', { name: 'Enter your last name' }).click();
  await expect(page.getByLabel('Last name')).toBeFocused();
  await checkA11y(page, 'onboarding: details with errors');
  await shot(page, 'onboarding-details-errors');

  // Filled in correctly: saved, then submitted.
  await page.getByLabel('Last name').fill('Lovelace');
  await page.getByLabel('Date of birth').fill('1990-12-10');
  await page.getByLabel('Phone number', { exact: true }).fill('+44 20 7946 0958');
  await page.getByLabel('Address line 1').fill("12 St James's Square");
  await page.getByLabel('Town or city').fill('London');
  await page.getByLabel('Postcode').fill('SW1Y 4JH');
  await page.getByLabel('Country').selectOption('GB');
  await page.getByLabel('Contact’s full name').fill('Charles Babbage');
  await page.getByLabel('Contact’s phone number').fill('+44 20 7946 0000');
  // A double click sends once (the button is pending until the API answers).
  await page.getByRole('button', { name: 'Save and submit for review' }).dblclick();
  await expect(next).toContainText('Your details are waiting for review');
  await expect(next).toBeFocused();
  expect(detailPuts).toBe(1);
  expect(submits).toBe(1);
  await expect(page.getByText('You cannot change your details now.')).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Charles Babbage' })).toBeVisible();
  await expect(page.getByRole('textbox')).toHaveCount(0);
  await checkA11y(page, 'onboarding: details submitted');
  await shot(page, 'onboarding-details-submitted');

  // A reviewer approves: the page moves to the documents stage by itself (no reload).
  const decided = await hrms.api('POST', `/api/v1/profiles/${profileId}/decision`, { stage: 'details', decision: 'approve' });
  expect(decided.status).toBe(200);
  await expect(stages.locator('[aria-current="step"]')).toContainText('Documents');
  await expect(next).toContainText('Upload each required document');

  // Refused before sending: the wrong type, and a file over the type's limit.
  const types = (await hrms.api('GET', '/api/v1/document-types')).body.items as { code: string; name: string; required: boolean; max_bytes: number }[];
  const idProof = types.find((x) => x.code === 'id_proof')!;
  const taxForm = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Tax form' }) });
  await page.getByLabel('Choose a file for Tax form').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(taxForm.getByRole('alert')).toContainText('notes.txt is not a PDF file');
  const big = Buffer.concat([pdf('big'), Buffer.alloc(idProof.max_bytes)]);
  await page.getByLabel(`Choose a file for ${idProof.name}`).setInputFiles({ name: 'huge.pdf', mimeType: 'application/pdf', buffer: big });
  const idCard = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: idProof.name }) });
  await expect(idCard.getByRole('alert')).toContainText('may be at most');
  expect(uploads).toBe(0);
  await checkA11y(page, 'onboarding: upload refused');
  await shot(page, 'onboarding-upload-refused');

  // A good PDF: its own progress bar while it is sent (held back here to see it), then pending.
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  await page.route('**/api/v1/profiles/me/documents', async (route) => { await gate; await route.continue(); });
  await page.getByLabel(`Choose a file for ${idProof.name}`).setInputFiles({ name: 'passport.pdf', mimeType: 'application/pdf', buffer: pdf('passport') });
  await expect(idCard.getByRole('progressbar', { name: 'Uploading passport.pdf' })).toBeVisible();
  await expect(page.getByLabel(`Choose a file for ${idProof.name}`)).toBeDisabled();
  await shot(page, 'onboarding-uploading');
  release();
  await expect(idCard.getByText(/passport\.pdf/)).toBeVisible();
  await expect(idCard.getByText('Pending', { exact: true })).toBeVisible();
  await expect(idCard.getByRole('alert')).toHaveCount(0);
  expect(uploads).toBe(1);
  await page.unroute('**/api/v1/profiles/me/documents');

  // Submitting with required documents missing is refused with a summary, nothing sent.
  await page.getByRole('button', { name: 'Submit documents for review' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'There is a problem' })).toContainText('Upload Tax form before submitting');

  // The other required documents, then submit.
  for (const dt of types.filter((x) => x.required && x.code !== 'id_proof')) {
    await page.getByLabel(`Choose a file for ${dt.name}`).setInputFiles({ name: `${dt.code}.pdf`, mimeType: 'application/pdf', buffer: pdf(dt.code) });
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: dt.name }) });
    await expect(card.getByText('Pending', { exact: true })).toBeVisible();
  }
  // An optional one, dropped onto its drop zone.
  const dropped = await page.evaluateHandle((text) => {
    const d = new DataTransfer();
    d.items.add(new File([text], 'diploma.pdf', { type: 'application/pdf' }));
    return d;
  }, pdf('diploma').toString('latin1'));
  await page.getByTestId('drop-education_certificate').dispatchEvent('drop', { dataTransfer: dropped });
  const eduCard = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Education certificate' }) });
  await expect(eduCard.getByText(/diploma\.pdf/)).toBeVisible();
  await expect(eduCard.getByText('Pending', { exact: true })).toBeVisible();
  await checkA11y(page, 'onboarding: documents');
  await shot(page, 'onboarding-documents');
  await page.getByRole('button', { name: 'Submit documents for review' }).click();
  await expect(next).toContainText('Your documents are waiting for review');
  await expect(page.getByLabel(/Choose a (replacement )?file for/)).toHaveCount(0);

  // A reviewer rejects one document: its reason and a "Replace" control appear live, only there.
  const docs = (await hrms.api('GET', '/api/v1/profiles/me', undefined, token)).body.documents as { id: number; type: string }[];
  const idDoc = docs.find((d) => d.type === 'id_proof')!;
  const rejected = await hrms.api('POST', `/api/v1/documents/${idDoc.id}/decision`, { decision: 'reject', reason: 'The scan is blurred.' });
  expect(rejected.status).toBe(200);
  await expect(idCard.getByText('Rejected', { exact: true })).toBeVisible();
  await expect(idCard).toContainText('The scan is blurred.');
  await expect(next).toContainText('Upload a replacement');
  await expect(page.getByLabel(`Choose a replacement file for ${idProof.name}`)).toBeAttached();
  await expect(page.getByLabel(/Choose a (replacement )?file for/)).toHaveCount(1);
  await checkA11y(page, 'onboarding: document rejected');
  await shot(page, 'onboarding-document-rejected');

  // Narrow screens.
  await page.setViewportSize({ width: 360, height: 800 });
  await shot(page, 'onboarding-documents-360');
});

test('a rejected employee sees the reason, then the hold, live', async ({ page, hrms, signIn, shot, checkA11y }) => {
  const user = await hrms.createUser({ email: `grace.${Date.now()}@example.com`, name: 'Grace Brewster', roles: ['employee'] });
  const token = await hrms.login(user.email, user.password);
  const details = {
    first_name: 'Grace', last_name: 'Hopper', date_of_birth: '1990-12-09', phone: '+1 202 555 0100',
    address: { line1: '1 Navy Way', city: 'Arlington', country: 'US' },
    emergency_contact: { name: 'Vincent Hopper', phone: '+1 202 555 0101' },
  };
  expect((await hrms.api('PUT', '/api/v1/profiles/me/details', details, token)).status).toBe(200);
  const sub = await hrms.api('POST', '/api/v1/profiles/me/submit', undefined, token);
  expect(sub.status).toBe(200);
  const id = sub.body.id as number;
  expect((await hrms.api('POST', `/api/v1/profiles/${id}/decision`, { stage: 'details', decision: 'reject', reason: 'Please check your date of birth.' })).status).toBe(200);

  await signIn(page, user.email, user.password);
  const next = page.getByTestId('next-step');
  await expect(next).toContainText('sent your details back');
  await expect(next).toContainText('Please check your date of birth.');
  await expect(page.getByLabel('First name')).toHaveValue('Grace');
  await checkA11y(page, 'onboarding: details rejected');
  await shot(page, 'onboarding-details-rejected');

  // The connection drops while saving: the error is shown and what was typed stays.
  await page.route('**/api/v1/profiles/me/details', (r) => r.abort('internetdisconnected'));
  await page.getByLabel('Date of birth').fill('1990-12-10');
  await page.getByRole('button', { name: 'Save as draft' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'could not be reached' })).toBeVisible();
  await expect(page.getByLabel('Date of birth')).toHaveValue('1990-12-10');
  await expect(page.getByLabel('First name')).toHaveValue('Grace');
  await page.unroute('**/api/v1/profiles/me/details');
  await page.getByRole('button', { name: 'Save as draft' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'could not be reached' })).toHaveCount(0);
  await expect(page.getByText('Your details are saved as a draft.')).toBeVisible();
  await page.setViewportSize({ width: 360, height: 800 });
  await shot(page, 'onboarding-details-360');

  // Put on hold by HR while the page is open: it says so, live.
  expect((await hrms.api('POST', `/api/v1/profiles/${id}/status`, { employment_status: 'on_hold', reason: 'Start date moved.' })).status).toBe(200);
  await expect(next).toContainText('on hold');
  await expect(page.getByRole('textbox')).toHaveCount(0);
  await shot(page, 'onboarding-on-hold');
});
