// What a person does in the web client, through roles and labels (as assistive technology
// sees the page), and what they see. Every wait is on a condition, with a bounded timeout.
import { expect } from './expect.mjs';

export const PASSWORD = 'correct horse battery';

export function authForm(page) {
  return page.locator('#auth-form');
}

export async function signUp(page, username, password = PASSWORD) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Create an account' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Create your account' })).toBeVisible();
  await authForm(page).getByLabel('Username').fill(username);
  await authForm(page).getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
  await expect(page.locator('#me-name')).toHaveText(username);
}

export async function signIn(page, username, password = PASSWORD) {
  await page.goto('/');
  await authForm(page).getByLabel('Username').fill(username);
  await authForm(page).getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
}

export function conversations(page) {
  return page.getByRole('navigation', { name: 'Conversations' });
}

export function conversationButton(page, title) {
  return conversations(page).locator('button.channel', {
    has: page.locator('.channel-name', { hasText: new RegExp(`^${escape(title)}$`) }),
  });
}

export function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function startDirect(page, username) {
  await page.getByRole('button', { name: 'New message' }).click();
  const dialog = page.getByRole('dialog', { name: 'New message' });
  await dialog.getByLabel('Username').fill(username);
  await dialog.getByRole('button', { name: 'Start conversation' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('#conv-title')).toHaveText(username);
}

export async function createGroup(page, name, members) {
  await page.getByRole('button', { name: 'New group' }).click();
  const dialog = page.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Group name').fill(name);
  await dialog.getByLabel('People').fill(members.join(', '));
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('#conv-title')).toHaveText(name);
}

export async function open(page, title) {
  await conversationButton(page, title).click();
  await expect(page.locator('#conv-title')).toHaveText(title);
}

// Types and sends with Enter; waits until the server has acknowledged it.
export async function send(page, text) {
  const box = page.getByRole('textbox', { name: /^Message / });
  await box.fill(text);
  await box.press('Enter');
  await expect(sentMessage(page, text)).toHaveCount(1);
}

export function messages(page) {
  return page.locator('#messages > li.msg');
}

export function messageWithText(page, text) {
  return page.locator('#messages > li.msg', {
    has: page.locator('p.text', { hasText: new RegExp(`^${escape(text)}$`) }),
  });
}

export function sentMessage(page, text) {
  return page.locator('#messages > li.msg[data-seq]', {
    has: page.locator('p.text', { hasText: new RegExp(`^${escape(text)}$`) }),
  });
}

// Records, from now on, whether any message of the page is ever shown as failed ("Not sent");
// sawFailure(page) tells.
export async function watchForFailures(page) {
  await page.evaluate(() => {
    window.libchatSawFailure = [];
    const check = () => {
      for (const li of document.querySelectorAll('#messages > li.msg[data-state="failed"]')) {
        window.libchatSawFailure.push(li.textContent.replace(/\s+/g, ' ').trim());
      }
    };
    new MutationObserver(check).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'],
    });
    check();
  });
}

export async function sawFailure(page) {
  return page.evaluate(() => window.libchatSawFailure);
}

// The texts of the conversation, in order.
export async function texts(page) {
  return page.locator('#messages > li.msg p.text').allTextContents();
}

export async function unreadBadge(page, title) {
  return conversationButton(page, title).locator('.badge');
}
