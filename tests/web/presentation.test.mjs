// What the person sees and hears (issue 13, point 9): OpenID Connect errors explained in words,
// the group settings dialog reflowing at 360×640 (WCAG 1.4.10), right-to-left text laid out
// right to left, and new messages announced with the sender's real name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PHONE, checkA11y, person } from './lib/browser.mjs';
import { expect } from './lib/expect.mjs';
import { useChatdAndBrowser } from './lib/fixture.mjs';
import { account } from './lib/seed.mjs';
import * as ui from './lib/ui.mjs';

const env = useChatdAndBrowser();

test('an_oidc_error_in_the_address_bar_is_explained_and_cleared', async () => {
  const { context, page } = await person(env.browser, env.chatd.url);
  const cases = [
    ['login_denied', 'Signing in with your provider was cancelled. You are not signed in.'],
    ['replayed_state', 'That sign-in link was already used. Sign in with your provider again.'],
    ['email_not_verified', 'Your email address is not verified with your provider. Verify it there, then sign in again.'],
    ['provider_unreachable', 'Your provider could not be reached or gave an unusable answer. Try again in a few minutes.'],
    ['rate_limited', 'Too many sign-ins are in progress from your network. Wait a minute and try again.'],
    ['something_new', 'Signing in with your provider did not work. Try again.'],
  ];
  for (const [code, message] of cases) {
    await page.goto(`/#oidc_error=${code}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('alert')).toHaveText(message);
    assert.equal(new URL(page.url()).hash, '', `${code}: the fragment is cleared`);
  }
  await checkA11y(page, 'sign-in with a provider error');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a_stale_sign_up_ticket_is_explained_not_shown_as_the_servers_text', async () => {
  const { context, page } = await person(env.browser, env.chatd.url);
  await page.route('**/v1/auth/oidc/signup', (route) => {
    if (route.request().method() === 'GET') {
      return route.fulfill({ json: {
        suggested_username: 'ivy', provider: 'google', provider_name: 'Google',
        issuer: 'https://accounts.google.com', subject: '77', expires_at: Date.now() + 600000 } });
    }
    // The ticket expired while the person was choosing (docs/auth.md: invalid_ticket, 400).
    return route.fulfill({ status: 400, json: { error: {
      code: 'invalid_ticket', message: 'unknown, expired or used sign-up ticket' } } });
  });
  await page.goto('/#/oidc-signup');
  await expect(page.getByRole('heading', { level: 1, name: 'Choose your username' })).toBeVisible();
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert'))
    .toHaveText('This sign-up has expired. Sign in with your provider again.');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  assert.equal(new URL(page.url()).hash, '');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the_group_settings_dialog_reflows_at_360_by_640', async () => {
  const owner = await account(env.browser, env.chatd.url, 'olivia');
  const others = [];
  for (const name of ['bartholomew_long', 'c.mackenzie-ray', 'dee']) {
    others.push(await account(env.browser, env.chatd.url, name));
  }
  await owner.run([{ type: 'create_group', name: 'Reflow check with a long group name',
    member_ids: others.map((o) => o.user.id) }]);
  for (const a of [owner, ...others]) await a.close();

  const { context, page } = await person(env.browser, env.chatd.url, { viewport: PHONE });
  await ui.signIn(page, 'olivia');
  await ui.open(page, 'Reflow check with a long group name');
  await page.getByRole('button', { name: 'Group settings' }).click();
  const dialog = page.getByRole('dialog', { name: /settings/ });
  await expect(dialog.locator('#member-list > li')).toHaveCount(4);
  const removes = dialog.getByRole('button', { name: /^Remove / });
  await expect(removes).toHaveCount(3);
  const layout = await page.evaluate(() => {
    const d = document.getElementById('dlg-settings');
    const overflowing = [...d.querySelectorAll('*')].filter((e) => e.scrollWidth > e.clientWidth + 1 &&
      getComputedStyle(e).overflowX !== 'visible' && !e.classList.contains('visually-hidden') &&
      e.tagName !== 'INPUT' &&  // a text field scrolls its own text, by nature
      !e.classList.contains('member-name'))  // a long name ends in an ellipsis, on purpose
      .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
    if (d.scrollWidth > d.clientWidth + 1) overflowing.push('the dialog');
    if (document.documentElement.scrollWidth > window.innerWidth) overflowing.push('the page');
    // Measured here, in one task of the page: the client re-renders the member list as presence
    // and member events arrive, and a button measured through a locator can be replaced between
    // being found and being measured (boundingBox() then returns null).
    const buttons = [...d.querySelectorAll('[data-remove]')].map((b) => {
      const r = b.getBoundingClientRect();
      return { x: r.x, width: r.width };
    });
    return { overflowing, width: window.innerWidth, buttons };
  });
  assert.deepEqual(layout.overflowing, [], 'nothing scrolls sideways');
  assert.equal(layout.buttons.length, 3);
  for (const box of layout.buttons) {
    assert.ok(box.width > 0 && box.x >= 0 && box.x + box.width <= layout.width,
      `a Remove button lies within the 360 px viewport: ${JSON.stringify(box)}`);
  }
  await checkA11y(page, 'group settings at 360×640');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('right_to_left_text_is_laid_out_right_to_left', async () => {
  const hebrew = 'שלום, מה שלומך?';
  const arabic = 'مرحبا بالجميع!';
  const { context: c1, page: ruth } = await person(env.browser, env.chatd.url);
  const { context: c2, page: sam } = await person(env.browser, env.chatd.url);
  await ui.signUp(ruth, 'ruth');
  await ui.signUp(sam, 'sam');
  await ui.createGroup(ruth, 'קבוצה', ['sam']);
  await ui.send(ruth, hebrew);
  await ui.send(ruth, 'plain English');
  await ui.open(sam, 'קבוצה');
  const box = sam.getByRole('textbox', { name: 'Message קבוצה' });
  await box.fill(arabic);
  const direction = (locator) => locator.evaluate((e) => getComputedStyle(e).direction);
  assert.equal(await direction(box), 'rtl', 'the composer follows what is typed');
  await box.press('Enter');
  await expect(ui.sentMessage(sam, arabic)).toHaveCount(1);
  await expect(ui.messageWithText(ruth, arabic)).toHaveCount(1);
  for (const page of [ruth, sam]) {
    assert.equal(await direction(ui.messageWithText(page, hebrew).locator('p.text')), 'rtl');
    assert.equal(await direction(ui.messageWithText(page, arabic).locator('p.text')), 'rtl');
    assert.equal(await direction(ui.messageWithText(page, 'plain English').locator('p.text')), 'ltr');
    assert.equal(await direction(page.locator('#conv-title')), 'rtl', 'the title');
    assert.equal(await direction(ui.conversationButton(page, 'קבוצה').locator('.channel-name')), 'rtl');
  }
  // The preview of a direct conversation is the message itself.
  await ui.startDirect(sam, 'ruth');
  await ui.send(sam, hebrew);
  const preview = ui.conversationButton(ruth, 'sam').locator('.channel-preview');
  await expect(preview).toHaveText(hebrew);
  assert.equal(await direction(preview), 'rtl', 'the preview');
  assert.equal(await direction(ui.conversationButton(ruth, 'sam').locator('.channel-name')), 'ltr');
  assert.deepEqual([...ruth.errors, ...sam.errors], []);
  await c1.close();
  await c2.close();
});

test('a_new_message_from_someone_not_met_yet_is_announced_with_their_name', async () => {
  const { context, page } = await person(env.browser, env.chatd.url);
  await ui.signUp(page, 'uma');
  const vic = await account(env.browser, env.chatd.url, 'vic');
  const wes = await account(env.browser, env.chatd.url, 'wes');
  // vic's group with wes; uma joins later and has never seen wes before his message arrives.
  const [group] = await vic.run([{ type: 'create_group', name: 'Newcomers', member_ids: [wes.user.id] }]);
  await vic.run([{ type: 'add_member', channel_id: group.channel.id, username: 'uma' }]);
  await expect(ui.conversationButton(page, 'Newcomers')).toBeVisible();
  await wes.run([{ type: 'send', channel_id: group.channel.id, text: 'Welcome, uma!' }]);
  await expect(page.locator('#announcer')).toContainText('New message from wes in Newcomers: Welcome, uma!');
  assert.doesNotMatch(await page.locator('#announcer').textContent(), /Someone/);
  for (const a of [vic, wes]) await a.close();
  assert.deepEqual(page.errors, []);
  await context.close();
});
