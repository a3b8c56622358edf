// The session: it survives a refresh and a browser restart (the cookie), sign-in errors are
// explained, signing out ends it, and a session revoked elsewhere sends the page to sign-in.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkA11y, launchWithProfile, person } from './lib/browser.mjs';
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

// The OpenID Connect endpoints are stood in for here by page.route(), as docs/protocol.md
// describes them, to check the client's side of the contract (tests/oidc/e2e drives the real
// ones). The sign-up ticket lives in an HttpOnly cookie: the page never sees it, never puts it
// in a URL, and shows whose provider account the new account will be linked to.
test('provider_buttons_and_the_choose_a_username_step_of_a_first_provider_sign_in', async () => {
  const { context, page } = await person(env.browser, env.chatd.url);
  await page.route('**/v1/auth/oidc/providers', (route) => route.fulfill({
    json: { providers: [{ id: 'google', name: 'Google' }, { id: 'corp', name: 'Corp <SSO>' }] },
  }));
  await page.goto('/');
  const providers = page.getByRole('region', { name: 'Or continue with' });
  await expect(providers.getByRole('link', { name: 'Continue with Google' }))
    .toHaveAttribute('href', '/v1/auth/oidc/google/start');
  await expect(providers.getByRole('link', { name: 'Continue with Corp <SSO>' })).toBeVisible();
  await checkA11y(page, 'sign-in with providers');

  let attempts = 0;
  await page.route('**/v1/auth/oidc/signup', async (route) => {
    if (route.request().method() === 'GET') {
      return route.fulfill({ json: {
        suggested_username: 'henry.h', provider: 'google', provider_name: 'Google',
        issuer: 'https://accounts.google.com', subject: '1098', email: 'henry@example.com',
        expires_at: Date.now() + 600000 } });
    }
    const body = route.request().postDataJSON();
    assert.deepEqual(Object.keys(body), ['username'], 'the ticket travels only in the cookie');
    if (++attempts === 1) {
      return route.fulfill({ status: 409, json: { error: { code: 'conflict', message: 'username is already taken' } } });
    }
    // Accept: make the account and its session for real (the cookie lands in this context).
    await context.request.post('/v1/register', { data: { username: body.username, password: ui.PASSWORD } });
    const login = await context.request.post('/v1/login', { data: { username: body.username, password: ui.PASSWORD } });
    return route.fulfill({ status: 201, json: { user: (await login.json()).user } });
  });
  // An old-style link with a ticket in it: the page ignores the ticket and drops it from the URL.
  await page.goto('/#/oidc-signup?ticket=T-123&username=mallory');
  await expect(page.getByRole('heading', { level: 1, name: 'Choose your username' })).toBeVisible();
  const name = ui.authForm(page).getByLabel('Username');
  await expect(page.locator('#auth-identity')).toHaveText(
    'Your new account will be linked to the Google account henry@example.com ' +
    '(https://accounts.google.com, ID 1098).');
  await expect(name).toBeFocused();
  assert.equal(await name.inputValue(), 'henry.h');
  assert.doesNotMatch(page.url(), /ticket/);
  assert.equal(await ui.authForm(page).getByLabel('Password', { exact: true }).isVisible(), false);
  assert.equal(await providers.isVisible(), false);
  await checkA11y(page, 'choose a username');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toHaveText('That username is taken. Try another one.');
  await name.fill('henry');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(ui.conversations(page)).toBeVisible();
  await expect(page.locator('#me-name')).toHaveText('henry');
  assert.equal(new URL(page.url()).hash, '');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the_choose_a_username_page_without_a_valid_ticket_asks_to_sign_in_again', async () => {
  const { context, page } = await person(env.browser, env.chatd.url);
  // No sign-up cookie in this browser: chatd answers GET /v1/auth/oidc/signup with 400 (here
  // chatd runs without providers and answers 404; both mean "no ticket").
  await page.goto('/#/oidc-signup?ticket=someone-elses-ticket');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('alert'))
    .toHaveText('This sign-up has expired. Sign in with your provider again.');
  assert.doesNotMatch(page.url(), /ticket/);
  assert.deepEqual(page.errors, []);
  await context.close();
});
