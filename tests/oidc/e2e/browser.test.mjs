// The browser flow end to end in Chromium, through the web client's provider button: sign up
// with the test provider, choose a username, sign out, sign in again and keep the name.
//
// The provider only knows the redirect URI https://chat.test/v1/auth/oidc/test/callback; the
// browser context answers requests to that host with a redirect to chatd on 127.0.0.1 (what
// DNS would do for a real deployment). Everything else is real: chatd, the provider over TLS,
// the web client, cookies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Chatd } from '../../e2e/lib/chatd.mjs';
import { issuer, writeChatdConfig } from './lib/provider.mjs';

// playwright-core is installed in tests/web (fixture web_node_modules).
const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

let chatd;
let browser;
before(async () => {
  chatd = await new Chatd({ args: ['--oidc-config', writeChatdConfig()] }).start();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30000,
  });
});
after(async () => {
  await browser?.close();
  const s = await chatd.stop();
  assert.equal(s.code, 0, chatd.log);
});

async function person() {
  // ignoreHTTPSErrors: the provider's certificate comes from the fixture's throwaway CA.
  const context = await browser.newContext({ baseURL: chatd.url, ignoreHTTPSErrors: true });
  context.setDefaultTimeout(15000);
  await context.route('https://chat.test/**', (route) => {
    const url = new URL(route.request().url());
    return route.fulfill({ status: 302, headers: { Location: `${chatd.url}${url.pathname}${url.search}` } });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  return { context, page, errors };
}

test('sign_up_with_the_provider_choose_a_name_sign_out_and_back_in_keeps_the_name', async () => {
  const { context, page, errors } = await person();
  await page.goto('/');
  const button = page.getByRole('link', { name: 'Continue with Test provider' });
  await button.waitFor();
  // First sign-in: the provider (auto-login as "alice") sends us back with a sign-up ticket.
  const navigations = [];
  page.on('framenavigated', (frame) => navigations.push(frame.url()));
  await button.click();
  await page.waitForURL(/#\/oidc-signup$/);
  const username = page.locator('#auth-username');
  await assert.doesNotReject(username.waitFor());
  await page.locator('#auth-identity', { hasText: 'Test provider' }).waitFor();
  assert.equal(await username.inputValue(), 'alice', 'the suggested name comes from the email');
  // M2: the ticket travels only in the HttpOnly cookie, never in a URL, and the form shows the
  // provider account (issuer and email) the new account will be linked to.
  assert.deepEqual(navigations.filter((u) => u.startsWith(chatd.url) && /ticket/.test(u)), []);
  const identity = await page.locator('#auth-identity').textContent();
  assert.match(identity, /alice@/);
  assert.ok(identity.includes(issuer), identity);
  const signupCookie = (await context.cookies(chatd.url)).find((c) => c.name === 'chat_oidc_signup');
  assert.ok(signupCookie && signupCookie.httpOnly, 'the ticket is in an HttpOnly cookie');
  assert.ok(await page.locator('#auth-password').isHidden(), 'only a username is asked');
  await username.fill('alice_oidc');
  await page.locator('#auth-submit').click();
  await page.locator('#me-name', { hasText: 'alice_oidc' }).waitFor();
  const me1 = await page.evaluate(() => fetch('/v1/me').then((r) => r.json()));
  assert.equal(me1.user.username, 'alice_oidc');
  const cookies = await context.cookies(chatd.url);
  const session = cookies.find((c) => c.name === 'chat_session');
  assert.ok(session && session.httpOnly && session.sameSite === 'Strict');

  // Sign out: the session is gone.
  await page.locator('#logout').click();
  await button.waitFor();
  const out = await page.evaluate(() => fetch('/v1/me').then((r) => r.status));
  assert.equal(out, 401);

  // Sign in again with the provider: same account, same name, no username step.
  await button.click();
  await page.locator('#me-name', { hasText: 'alice_oidc' }).waitFor();
  assert.doesNotMatch(page.url(), /oidc-signup/);
  const me2 = await page.evaluate(() => fetch('/v1/me').then((r) => r.json()));
  assert.equal(me2.user.id, me1.user.id);
  assert.equal(me2.user.username, 'alice_oidc');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a_cancelled_or_replayed_callback_lands_on_the_client_with_an_error', async () => {
  const { context, page } = await person();
  await page.goto('/v1/auth/oidc/test/callback?state=unknown&code=x');
  await page.waitForURL(/#oidc_error=invalid_state/);
  await context.close();
});
