// The session: it survives a refresh and a browser restart (the cookie), sign-in errors are
// explained, signing out ends it, and a session revoked elsewhere sends the page to sign-in.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { launchWithProfile, person } from './lib/browser.mjs';
import { expect } from './lib/expect.mjs';
import { useChatdAndBrowser } from './lib/fixture.mjs';
import * as ui from './lib/ui.mjs';

const env = useChatdAndBrowser();

test('the_session_survives_a_browser_restart_and_sign_out_ends_it', async () => {
  const profile = mkdtempSync(path.join(process.env.CHAT_TEST_TMP || os.tmpdir(), 'chromium-profile-'));
  let browser = await launchWithProfile(profile, env.chatd.url);
  try {
    await ui.signUp(browser.page, 'erin');
    await browser.page.reload();
    await expect(ui.conversations(browser.page)).toBeVisible();
    await expect(browser.page.locator('#me-name')).toHaveText('erin');
  } finally {
    await browser.context.close();
  }
  browser = await launchWithProfile(profile, env.chatd.url);
  try {
    const { page } = browser;
    await page.goto('/');
    await expect(ui.conversations(page)).toBeVisible();
    await expect(page.locator('#me-name')).toHaveText('erin');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    const me = await browser.context.request.get('/v1/me');
    assert.equal(me.status(), 401);
  } finally {
    await browser.context.close();
  }
});

test('sign_in_and_sign_up_errors_are_explained_next_to_the_form', async () => {
  const { page } = await person(env.browser, env.chatd.url);
  await page.goto('/');
  const form = ui.authForm(page);
  await form.getByLabel('Username').fill('erin');
  await form.getByLabel('Password', { exact: true }).fill('not the password');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
  await expect(form.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');

  await page.getByRole('button', { name: 'Create an account' }).click();
  await form.getByLabel('Username').fill('erin');
  await form.getByLabel('Password', { exact: true }).fill(ui.PASSWORD);
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toHaveText('That username is taken. Try another one.');
  await expect(form.getByLabel('Username')).toBeFocused();

  await form.getByLabel('Username').fill('no spaces allowed');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toContainText('3 to 20 letters');
  await form.getByLabel('Username').fill('frank');
  await form.getByLabel('Password', { exact: true }).fill('short');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toHaveText('Choose a password of at least 8 characters.');
  assert.deepEqual(page.errors, []);
});

test('a_session_revoked_elsewhere_returns_the_page_to_sign_in', async () => {
  const first = await person(env.browser, env.chatd.url);
  await ui.signUp(first.page, 'gina');
  const second = await person(env.browser, env.chatd.url);
  await ui.signIn(second.page, 'gina');
  const r = await second.context.request.post('/v1/logout-everywhere');
  assert.equal(r.status(), 200);
  // The first page finds out on its next connection: the WebSocket no longer says "ready".
  await env.chatd.restart();
  await expect(first.page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(first.page.getByRole('alert')).toHaveText('Your session has ended. Sign in again.');
  // A reload agrees.
  await second.page.reload();
  await expect(second.page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  assert.deepEqual(first.page.errors, []);
});
