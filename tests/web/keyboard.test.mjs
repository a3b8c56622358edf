// Keyboard only, from the sign-in screen to a sent message: no clicks, no fill(); every step
// checks where the focus is and that it is visibly marked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PHONE, person } from './lib/browser.mjs';
import { expect } from './lib/expect.mjs';
import { useChatdAndBrowser } from './lib/fixture.mjs';
import * as ui from './lib/ui.mjs';

const env = useChatdAndBrowser();

// The focused element: its accessible-ish name, and whether a focus ring is drawn.
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { name: '', ring: false, tag: 'body' };
    const style = getComputedStyle(el);
    const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const visible = el.cloneNode(true);
    for (const hidden of visible.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
    const label = el.labels?.[0]?.textContent || el.getAttribute('aria-label') || visible.textContent || '';
    return { name: label.replace(/\s+/g, ' ').trim(), ring, tag: el.tagName.toLowerCase() };
  });
}

async function expectFocus(page, name) {
  const f = await focused(page);
  assert.ok(name instanceof RegExp ? name.test(f.name) : f.name === name,
    `focus should be on "${name}", is on ${f.tag} "${f.name}"`);
  assert.ok(f.ring, `the focus on "${f.name}" should be visible`);
}

// Presses Tab (or Shift+Tab) until the focus reaches `name`; fails after `max` presses.
async function tabTo(page, name, { back = false, max = 25 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (process.env.DEBUG_FOCUS) console.log('focus', f);
    if (name instanceof RegExp ? name.test(f.name) : f.name === name) return expectFocus(page, name);
  }
  throw new Error(`"${name}" was not reached with ${max} presses of ${back ? 'Shift+Tab' : 'Tab'}`);
}

async function registerOverHttp(username) {
  const r = await fetch(`${env.chatd.url}/v1/register`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: ui.PASSWORD }),
  });
  assert.equal(r.status, 201);
}

test('keyboard_only_from_sign_up_to_a_sent_message', async () => {
  await registerOverHttp('bob');
  const bob = await person(env.browser, env.chatd.url);
  await ui.signIn(bob.page, 'bob');

  const { page } = await person(env.browser, env.chatd.url);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.locator('#auth-username')).toBeFocused();

  await tabTo(page, 'Create an account');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Create your account' })).toBeVisible();
  await expect(page.locator('#auth-username')).toBeFocused();
  await page.keyboard.type('dave');
  await page.keyboard.press('Tab');
  await expectFocus(page, 'Password');
  await page.keyboard.type(ui.PASSWORD);
  await page.keyboard.press('Enter');

  await expect(page.locator('#me-name')).toHaveText('dave');
  await expectFocus(page, 'New message');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'New message' });
  await expect(dialog).toBeVisible();
  await expectFocus(page, 'Username');
  await page.keyboard.type('bob');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.locator('#conv-title')).toHaveText('bob');
  await expectFocus(page, 'Message bob');

  await page.keyboard.type('Hello from the keyboard');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('(second line)');
  await page.keyboard.press('Enter');
  await expect(ui.sentMessage(page, 'Hello from the keyboard\n(second line)')).toHaveCount(1);
  await expectFocus(page, 'Message bob');
  await expect(ui.conversationButton(bob.page, 'dave').locator('.channel-preview'))
    .toHaveText('Hello from the keyboard');

  // Escape closes a dialog and gives the focus back to the button that opened it.
  await tabTo(page, 'New group', { back: true });
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'New group' })).toBeVisible();
  await expectFocus(page, 'Group name');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'New group' })).toBeHidden();
  await expectFocus(page, 'New group');

  // Sign out and back in, then reopen the conversation from the list.
  await tabTo(page, 'Sign out', { back: true });
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.locator('#auth-username')).toBeFocused();
  await page.keyboard.type('dave');
  await page.keyboard.press('Tab');
  await page.keyboard.type(ui.PASSWORD);
  await page.keyboard.press('Enter');
  await expect(ui.conversations(page)).toBeVisible();
  await expect(page.locator('#me-name')).toHaveText('dave');
  await tabTo(page, /^bob/);
  await page.keyboard.press('Enter');
  await expect(page.locator('#conv-title')).toHaveText('bob');
  await expectFocus(page, 'Message bob');
  assert.deepEqual(page.errors || [], []);
});

test('keyboard_on_a_phone_opens_a_conversation_and_goes_back_to_the_list', async () => {
  const { page } = await person(env.browser, env.chatd.url, { viewport: PHONE });
  await ui.signIn(page, 'dave');
  const list = ui.conversations(page);
  await expect(list).toBeVisible();
  await tabTo(page, /^bob/);
  await page.keyboard.press('Enter');
  await expect(page.locator('#conv-title')).toHaveText('bob');
  assert.equal(await list.isVisible(), false, 'one pane at a time on a phone');
  await expectFocus(page, 'Message bob');
  await tabTo(page, 'Back to conversations', { back: true });
  await page.keyboard.press('Enter');
  await expect(list).toBeVisible();
  assert.equal(await page.locator('#conversation').isVisible(), false);
  await expectFocus(page, /^bob/);
  // The browser's back button works too.
  await page.keyboard.press('Enter');
  await expect(page.locator('#conv-title')).toHaveText('bob');
  await page.goBack();
  await expect(list).toBeVisible();
});
