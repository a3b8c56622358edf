// Own messages are never lost from the writer's point of view (issue 13, point 9): a message
// written into a dead network stays queued and goes out once, in order, after reconnecting;
// sending as fast as Enter can be pressed is paced by chatd's announced limits, keeps the
// order and never shows "Not sent"; the browser's offline signal is shown at once and
// presence becomes unknown; signing out with unsent messages asks first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkA11y, person } from './lib/browser.mjs';
import { expect, until } from './lib/expect.mjs';
import { useChatdAndBrowser } from './lib/fixture.mjs';
import * as ui from './lib/ui.mjs';

// chatd's default limits (20 requests/s, bursts of 40): the client must live with them.
const env = useChatdAndBrowser();
let alice;
let bob;

// Short enough for a test; the client behaves as with its real 15 s / 20 s + 10 s.
const FAST = { requestTimeoutMs: 2500, pingEveryMs: 2000, pingTimeoutMs: 2000, readyTimeoutMs: 2500,
  backoffMaxMs: 1500 };
// So slow that only the browser's offline signal can explain a reaction within a test's wait.
const NEVER = { requestTimeoutMs: 600000, pingEveryMs: 600000, pingTimeoutMs: 600000 };

// The conversation as it is stored: text and seq of every sent message, in seq order.
async function stored(page) {
  return page.locator('#messages > li.msg[data-seq]').evaluateAll((els) => els.map((e) => ({
    seq: Number(e.dataset.seq), text: e.querySelector('p.text').textContent,
  })));
}

test('two_people_in_a_direct_conversation', async () => {
  alice = await person(env.browser, env.chatd.url);
  bob = await person(env.browser, env.chatd.url);
  await ui.signUp(alice.page, 'alice');
  await ui.signUp(bob.page, 'bob');
  await ui.startDirect(alice.page, 'bob');
  await ui.send(alice.page, 'hello');
  await ui.open(bob.page, 'alice');
  await expect(ui.messageWithText(bob.page, 'hello')).toHaveCount(1);
  await ui.send(bob.page, 'hi alice');  // now both are in it by choice: presence contacts
  await expect(ui.messageWithText(alice.page, 'hi alice')).toHaveCount(1);
});

test('messages_written_into_a_dead_network_are_resent_once_in_order_after_reconnecting', async () => {
  const { context, page, relay } = await person(env.browser, env.chatd.url, { relay: true, timings: FAST });
  await ui.signIn(page, 'alice');
  await ui.open(page, 'bob');
  await ui.watchForFailures(page);
  // Nothing comes back any more, and the socket stays open: the first message reaches chatd
  // (it is stored, bob sees it) but its acknowledgement is lost; the second waits its turn.
  relay.dropToClient = true;
  const box = page.getByRole('textbox', { name: 'Message bob' });
  for (const text of ['into the void 1', 'into the void 2']) {
    await box.fill(text);
    await box.press('Enter');
  }
  await expect(ui.messageWithText(bob.page, 'into the void 1')).toHaveCount(1);
  // The unanswered send shows the connection as lost (not the message as failed) ...
  await expect(page.locator('#conn-text')).toHaveText('Connection lost. Reconnecting…');
  for (const text of ['into the void 1', 'into the void 2']) {
    await expect(ui.messageWithText(page, text)).toHaveAttribute('data-state', 'pending');
  }
  // ... and stays so through several failed reconnection attempts.
  await until(async () => {
    const attempts = await page.locator('#conn-countdown').textContent();
    return { pass: relay.sends.size === 1 && /Next try/.test(attempts), actual: attempts };
  }, 'a reconnection attempt to be planned');
  await expect(ui.messageWithText(page, 'into the void 2').locator('.status')).toHaveText('Waiting for connection…');

  relay.dropToClient = false;
  await expect(ui.sentMessage(page, 'into the void 2')).toHaveCount(1);
  await expect(ui.sentMessage(page, 'into the void 1')).toHaveCount(1);
  await expect(ui.messageWithText(bob.page, 'into the void 2')).toHaveCount(1);
  for (const p of [page, bob.page]) {
    const texts = (await stored(p)).map((m) => m.text);
    assert.deepEqual(texts, ['hello', 'hi alice', 'into the void 1', 'into the void 2']);
  }
  assert.deepEqual((await stored(bob.page)).map((m) => m.seq), [1, 2, 3, 4]);
  // Every attempt of a message carried its one client_msg_id.
  assert.equal(relay.sends.size, 2);
  assert.deepEqual(await ui.sawFailure(page), []);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a_rate_limited_send_is_retried_after_a_pause_and_never_shown_as_failed', async () => {
  const { context, page, relay } = await person(env.browser, env.chatd.url, { relay: true });
  await ui.signIn(page, 'alice');
  await ui.open(page, 'bob');
  await ui.watchForFailures(page);
  relay.rateLimitSends = 3;  // chatd says "too many requests" three times in a row
  const box = page.getByRole('textbox', { name: 'Message bob' });
  await box.fill('after a pause');
  await box.press('Enter');
  await box.fill('and the next one');
  await box.press('Enter');
  await expect(ui.sentMessage(page, 'and the next one')).toHaveCount(1);
  await expect(ui.sentMessage(page, 'after a pause')).toHaveCount(1);
  assert.equal(relay.rateLimitSends, 0);
  const texts = (await stored(page)).map((m) => m.text);
  assert.deepEqual(texts.slice(-2), ['after a pause', 'and the next one']);
  assert.deepEqual(await ui.sawFailure(page), []);
  await context.close();
});

test('sixty_messages_as_fast_as_enter_goes_all_arrive_in_order_without_a_failure', async () => {
  const page = alice.page;
  await ui.watchForFailures(page);
  const before = (await stored(page)).length;
  // Sixty times: type a line, press Enter, as fast as the page takes them (each keystroke also
  // announces typing). More requests than chatd's burst allows at once.
  await page.evaluate(() => {
    const box = document.getElementById('composer-input');
    for (let i = 1; i <= 60; i++) {
      box.value = `quick ${i}`;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    }
  });
  const expected = Array.from({ length: 60 }, (_, i) => `quick ${i + 1}`);
  await expect(ui.sentMessage(page, 'quick 60'), { timeout: 30000 }).toHaveCount(1);
  await expect(page.locator('#messages > li.msg[data-seq]'), { timeout: 30000 }).toHaveCount(before + 60);
  await expect(ui.messageWithText(bob.page, 'quick 60'), { timeout: 30000 }).toHaveCount(1);
  for (const p of [page, bob.page]) {
    const all = await stored(p);
    assert.deepEqual(all.slice(-60).map((m) => m.text), expected, 'stored in the order written');
    assert.deepEqual(all.map((m) => m.seq), all.map((_, i) => i + 1));
  }
  assert.deepEqual(await ui.sawFailure(page), []);
  assert.deepEqual(page.errors, []);
});

test('going_offline_shows_at_once_presence_becomes_unknown_and_online_reconnects', async () => {
  const { context, page } = await person(env.browser, env.chatd.url, { timings: NEVER });
  await ui.signIn(page, 'bob');
  await ui.open(page, 'alice');
  await expect(page.locator('#conv-sub')).toHaveText('Online');
  await ui.watchForFailures(page);
  await context.setOffline(true);
  // Pings and request timeouts are ten minutes away here: only the offline signal can tell.
  await expect(page.locator('#conn-text'))
    .toHaveText('You are offline. Messages will be sent when the connection is back.');
  await expect(page.locator('#conv-sub')).toHaveText('Status unknown');
  await expect(ui.conversationButton(page, 'alice')).toContainText(', status unknown');
  const box = page.getByRole('textbox', { name: 'Message alice' });
  await box.fill('written offline');
  await box.press('Enter');
  await expect(ui.messageWithText(page, 'written offline').locator('.status')).toHaveText('Waiting for connection…');

  await context.setOffline(false);
  await expect(ui.sentMessage(page, 'written offline')).toHaveCount(1);
  await expect(page.locator('#conv-sub')).toHaveText('Online');
  await expect(ui.messageWithText(alice.page, 'written offline')).toHaveCount(1);
  assert.deepEqual(await ui.sawFailure(page), []);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('signing_out_with_unsent_messages_asks_first', async () => {
  const { context, page, relay } = await person(env.browser, env.chatd.url, { relay: true });
  await ui.signIn(page, 'bob');
  await ui.open(page, 'alice');
  relay.failSends = true;
  const box = page.getByRole('textbox', { name: 'Message alice' });
  for (const text of ['unsent 1', 'unsent 2']) {
    await box.fill(text);
    await box.press('Enter');
    await expect(ui.messageWithText(page, text)).toHaveAttribute('data-state', 'failed');
  }
  await page.getByRole('button', { name: 'Sign out' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign out with unsent messages?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('#dlg-signout-text')).toHaveText(
    'You have 2 unsent messages. Signing out deletes them from this browser; they will not be sent.');
  await expect(dialog.getByRole('button', { name: 'Stay signed in' })).toBeFocused();
  await checkA11y(page, 'sign out with unsent messages');
  await dialog.getByRole('button', { name: 'Stay signed in' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeFocused();
  await expect(ui.messageWithText(page, 'unsent 2')).toHaveCount(1);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await dialog.getByRole('button', { name: 'Sign out and delete them' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  relay.failSends = false;
  await ui.signIn(page, 'bob');
  await ui.open(page, 'alice');
  await expect(ui.messageWithText(page, 'unsent 1')).toHaveCount(0);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('signing_out_with_nothing_unsent_asks_nothing', async () => {
  await alice.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(alice.page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  for (const p of [alice, bob]) assert.deepEqual(p.page.errors, []);
});
