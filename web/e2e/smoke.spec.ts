import { test, expect } from './fixtures';

test('the admin signs in and out', async ({ page, hrms, signIn, shot, checkA11y }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in/);
  await checkA11y(page, 'sign-in');
  await shot(page, 'sign-in');
  await signIn(page, hrms.adminEmail, hrms.adminPassword);
  await expect(page).toHaveURL(/\/queue/);
  await page.getByRole('button', { name: /Account menu/ }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByText('You have signed out.')).toBeVisible();
});
