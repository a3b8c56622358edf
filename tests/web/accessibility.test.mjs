// axe-core on every screen, at 1280×800 and 360×640, in light and dark mode: zero violations.
// Also: one pane with back navigation on a phone, dark mode and reduced motion honoured, and
// screenshots taken along the way (to a temporary directory; tests/web/screenshots.sh saves them
// as the README's, in docs/screenshots/).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DESKTOP, PHONE, checkA11y, person, screenshot } from './lib/browser.mjs';
import { expect } from './lib/expect.mjs';
import { Chatd } from '../support/chatd.mjs';
import { useChatdAndBrowser } from './lib/fixture.mjs';
import { account } from './lib/seed.mjs';
import * as ui from './lib/ui.mjs';

// The scene, on a fresh chatd for each size and scheme: alice talks with bob, and is in a
// group with bob and carol that has news.
async function scene(browser, url) {
  const alice = await account(browser, url, 'alice');
  const bob = await account(browser, url, 'bob');
  const carol = await account(browser, url, 'carol');
  const [dm] = await bob.run([{ type: 'open_direct', username: 'alice' }]);
  const d = dm.channel.id;
  await bob.run([{ type: 'send', channel_id: d, text: 'Hi Alice! Are we still on for the review tomorrow?' }]);
  await alice.run([{ type: 'send', channel_id: d, text: 'Yes, 10:00 works for me.' }]);
  await bob.run([{ type: 'send', channel_id: d, text: 'Great. I will bring the new mock-ups.\nThe phone layout is done too.' }]);
  await alice.run([{ type: 'send', channel_id: d, text: 'Perfect, see you then!' }]);
  const [group] = await alice.run([{
    type: 'create_group', name: 'Design review', topic: 'Weekly UI review',
    member_ids: [bob.user.id, carol.user.id],
  }]);
  const g = group.channel.id;
  await alice.run([{ type: 'send', channel_id: g, text: 'Agenda: dark mode, contrast, the 360 px layout.' }]);
  await carol.run([{ type: 'send', channel_id: g, text: 'I pushed the dark-mode palette.' }]);
  await bob.run([{ type: 'send', channel_id: g, text: 'Contrast checks out on my screen.' }]);
  await carol.run([{ type: 'send', channel_id: g, text: 'Can you both try it at 360 px too?' }]);
  await alice.run([{ type: 'mark_read', channel_id: g, seq: 2 }]);
  for (const a of [alice, bob, carol]) await a.close();
}

const env = useChatdAndBrowser({ chatd: false });

// Runs `fn(chatd)` against a new chatd holding the scene; stops it afterwards.
async function withScene(fn) {
  const chatd = await new Chatd().start();
  try {
    await scene(env.browser, chatd.url);
    await fn(chatd);
  } finally {
    await chatd.stop();
  }
}

const sizes = [['desktop', DESKTOP], ['phone', PHONE]];
const schemes = ['light', 'dark'];
// The screens photographed for the README, per size and scheme.
const SHOTS = {
  'desktop-light': ['sign-in', 'conversation', 'group-settings'],
  'desktop-dark': ['conversation'],
  'phone-light': ['conversations', 'conversation'],
  'phone-dark': ['conversation'],
};

for (const [size, viewport] of sizes) {
  for (const scheme of schemes) {
    test(`every_screen_has_no_axe_violation_${size}_${scheme}`, () => withScene(async (chatd) => {
      const { context, page, relay } = await person(env.browser, chatd.url,
        { viewport, colorScheme: scheme, relay: true });
      const label = `${size}, ${scheme}`;
      const shots = SHOTS[`${size}-${scheme}`] || [];
      const screen = async (name) => {
        await checkA11y(page, `${name} (${label})`);
        if (shots.includes(name)) {
          await screenshot(page, `${size}-${name}${scheme === 'dark' ? '-dark' : ''}`);
        }
      };
      const phone = size === 'phone';
      try {
        await page.goto('/');
        await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
        await screen('sign-in');
        await page.getByRole('button', { name: 'Create an account' }).click();
        await expect(page.getByRole('heading', { level: 1, name: 'Create your account' })).toBeVisible();
        await screen('sign-up');
        await page.getByRole('button', { name: 'Sign in instead' }).click();
        await ui.authForm(page).getByLabel('Username').fill('alice');
        await ui.authForm(page).getByLabel('Password', { exact: true }).fill('wrong password');
        await ui.authForm(page).getByRole('button', { name: 'Sign in' }).click();
        await expect(page.getByRole('alert')).toHaveText('Wrong username or password.');
        await screen('sign-in-error');

        // A new account: no conversations yet.
        await page.getByRole('button', { name: 'Create an account' }).click();
        await ui.authForm(page).getByLabel('Username').fill('dora');
        await ui.authForm(page).getByLabel('Password', { exact: true }).fill(ui.PASSWORD);
        await ui.authForm(page).getByRole('button', { name: 'Create account' }).click();
        await expect(page.locator('#channel-status')).toContainText('No conversations yet');
        await screen('no-conversations');
        await page.getByRole('button', { name: 'Sign out' }).click();

        await ui.signIn(page, 'alice');
        await expect(ui.conversationButton(page, 'Design review').locator('.badge')).toHaveAttribute('data-unread', '2');
        await expect(page.locator('#channel-list .channel-name')).toHaveTexts(['Design review', 'bob']);
        if (phone) {
          assert.equal(await page.locator('#conversation').isVisible(), false, 'phone: list only');
        } else {
          await expect(page.locator('#conv-empty')).toBeVisible();  // side by side
        }
        await screen('conversations');

        await ui.open(page, 'bob');
        await expect(ui.messages(page)).toHaveCount(4);
        if (phone) {
          assert.equal(await ui.conversations(page).isVisible(), false, 'phone: conversation only');
        } else {
          assert.equal(await ui.conversations(page).isVisible(), true, 'desktop: side by side');
        }
        await screen('conversation');

        if (phone) await page.getByRole('button', { name: 'Back to conversations' }).click();
        await page.getByRole('button', { name: 'New message' }).click();
        await expect(page.getByRole('dialog', { name: 'New message' })).toBeVisible();
        await screen('new-message-dialog');
        await page.keyboard.press('Escape');
        await page.getByRole('button', { name: 'New group' }).click();
        await expect(page.getByRole('dialog', { name: 'New group' })).toBeVisible();
        await screen('new-group-dialog');
        await page.keyboard.press('Escape');

        await ui.open(page, 'Design review');  // on a phone: from the list, where the dialogs left us
        await expect(ui.messageWithText(page, 'Can you both try it at 360 px too?')).toHaveCount(1);
        await expect(page.locator('#conv-sub')).toContainText('3 members');
        await screen('group');
        await page.getByRole('button', { name: 'Group settings' }).click();
        const settings = page.getByRole('dialog', { name: 'Design review: settings' });
        await expect(settings.locator('#member-list > li')).toHaveCount(3);
        await screen('group-settings');
        await settings.getByRole('button', { name: 'Leave group' }).click();
        await expect(settings.getByRole('button', { name: 'Stay' })).toBeFocused();
        await screen('leave-confirmation');
        await settings.getByRole('button', { name: 'Stay' }).click();
        await settings.getByRole('button', { name: 'Close' }).click();

        // A message chatd refuses, and one that is too long.
        relay.failSends = true;
        const box = page.getByRole('textbox', { name: 'Message Design review' });
        await box.fill('This one will fail');
        await box.press('Enter');
        const failed = ui.messageWithText(page, 'This one will fail');
        await expect(failed).toHaveAttribute('data-state', 'failed');
        await screen('failed-message');
        relay.failSends = false;
        await failed.getByRole('button', { name: 'Discard' }).click();
        await expect(failed).toHaveCount(0);
        await box.fill('x'.repeat(2001));
        await box.press('Enter');
        await expect(page.locator('#composer-error')).toContainText('at most 2000 characters');
        await screen('message-too-long');
        await box.fill('');

        // Connection lost: banner, a message waiting; then back, and the message goes out.
        await chatd.stop();
        await expect(page.locator('#conn-text')).toHaveText('Connection lost. Reconnecting…');
        await box.fill('Sent when the connection is back');
        await box.press('Enter');
        await expect(ui.messageWithText(page, 'Sent when the connection is back').locator('.status'))
          .toHaveText('Waiting for connection…');
        await screen('connection-lost');
        await chatd.restart();
        await expect(ui.sentMessage(page, 'Sent when the connection is back')).toHaveCount(1);

        if (phone) {
          await page.getByRole('button', { name: 'Back to conversations' }).click();
          await expect(ui.conversations(page)).toBeVisible();
          await expect(ui.conversationButton(page, 'Design review')).toBeFocused();
          await screen('conversations-after-back');
        }
        assert.deepEqual(page.errors, []);
      } finally {
        await context.close();
      }
    }));
  }
}

test('dark_mode_and_reduced_motion_follow_the_system_settings', () => withScene(async (chatd) => {
  const look = async (options) => {
    const { context, page } = await person(env.browser, chatd.url, options);
    await ui.signIn(page, 'bob');
    await ui.open(page, 'alice');
    const r = await page.evaluate(() => ({
      background: getComputedStyle(document.body).backgroundColor,
      animation: getComputedStyle(document.querySelector('#messages > li.msg')).animationName,
    }));
    await context.close();
    return r;
  };
  const light = await look({ colorScheme: 'light', reducedMotion: 'no-preference' });
  const dark = await look({ colorScheme: 'dark', reducedMotion: 'reduce' });
  assert.equal(light.background, 'rgb(238, 241, 245)');
  assert.equal(dark.background, 'rgb(14, 16, 20)');
  assert.equal(light.animation, 'msg-in');
  assert.equal(dark.animation, 'none');
}));
