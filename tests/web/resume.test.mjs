// Connection loss: chatd restarts while one person is also offline (her page says so at once,
// from the browser's offline signal); both reconnect on their
// own (banner, backoff), and after the resume every message is there exactly once, including
// one written during the outage. A send whose acknowledgement is lost shows as failed, and
// Retry (same client_msg_id) delivers it once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { person } from './lib/browser.mjs';
import { expect, until } from './lib/expect.mjs';
import { useChatdAndBrowser } from './lib/fixture.mjs';
import * as ui from './lib/ui.mjs';

const env = useChatdAndBrowser();
const OFFLINE = 'You are offline. Messages will be sent when the connection is back.';
let alice;
let bob;

// Each message's text appears exactly once, and the seqs run 1..n without gaps.
async function assertExactlyOnce(page, expected) {
  const texts = await ui.texts(page);
  assert.deepEqual(texts, expected);
  const seqs = await page.locator('#messages > li.msg').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  assert.deepEqual(seqs, expected.map((_, i) => i + 1));
}

test('both_people_talk_before_the_outage', async () => {
  alice = await person(env.browser, env.chatd.url);
  bob = await person(env.browser, env.chatd.url);
  await ui.signUp(alice.page, 'alice');
  await ui.signUp(bob.page, 'bob');
  await ui.startDirect(alice.page, 'bob');
  await ui.send(alice.page, 'before 1');
  await ui.open(bob.page, 'alice');
  await ui.send(bob.page, 'before 2');
  await expect(ui.messageWithText(alice.page, 'before 2')).toHaveCount(1);
});

test('chatd_restart_then_automatic_resume_with_nothing_lost_or_doubled', async () => {
  // Alice also loses her network, so she comes back only after bob has written more.
  // Her browser knows it is offline: it says so (and waits for the network, not a timer).
  await alice.context.setOffline(true);
  await env.chatd.stop();
  await expect(alice.page.locator('#conn-text')).toHaveText(OFFLINE);
  await expect(bob.page.locator('#conn-text')).toHaveText('Connection lost. Reconnecting…');
  await expect(bob.page.getByRole('button', { name: 'Retry now' })).toBeVisible();
  // Written while disconnected: waits, then goes out by itself.
  const box = alice.page.getByRole('textbox', { name: 'Message bob' });
  await box.fill('written during the outage');
  await box.press('Enter');
  const waiting = ui.messageWithText(alice.page, 'written during the outage');
  await expect(waiting).toHaveAttribute('data-state', 'pending');
  await expect(waiting.locator('.status')).toHaveText('Waiting for connection…');

  await env.chatd.restart();
  // Bob reconnects on his own and writes while alice is still away.
  await until(async () => {
    const text = await bob.page.locator('#conn-text').textContent();
    return { pass: text === '' || text === 'Connected again.', actual: text };
  }, 'bob to reconnect by himself', 30000);
  await ui.send(bob.page, 'while you were away 1');
  await ui.send(bob.page, 'while you were away 2');
  await ui.send(bob.page, 'while you were away 3');
  await expect(alice.page.locator('#conn-text')).toHaveText(OFFLINE);

  await alice.context.setOffline(false);
  await expect(ui.sentMessage(alice.page, 'written during the outage')).toHaveCount(1);
  await expect(ui.messageWithText(alice.page, 'while you were away 3')).toHaveCount(1);
  await expect(ui.messageWithText(bob.page, 'written during the outage')).toHaveCount(1);
  const expected = ['before 1', 'before 2', 'while you were away 1', 'while you were away 2',
    'while you were away 3', 'written during the outage'];
  await expect(alice.page.locator('#messages > li.msg')).toHaveCount(expected.length);
  await expect(bob.page.locator('#messages > li.msg')).toHaveCount(expected.length);
  await assertExactlyOnce(alice.page, expected);
  await assertExactlyOnce(bob.page, expected);

  // Live delivery works again both ways, and a reload shows the same history.
  await ui.send(bob.page, 'after 1');
  await expect(ui.messageWithText(alice.page, 'after 1')).toHaveCount(1);
  await ui.send(alice.page, 'after 2');
  await expect(ui.messageWithText(bob.page, 'after 2')).toHaveCount(1);
  expected.push('after 1', 'after 2');
  await alice.page.reload();
  await expect(alice.page.locator('#messages > li.msg')).toHaveCount(expected.length);
  await assertExactlyOnce(alice.page, expected);
  await assertExactlyOnce(bob.page, expected);
});

test('a_send_whose_acknowledgement_is_lost_fails_and_retry_delivers_it_once', async () => {
  // Alice's WebSocket goes through a relay that swallows chatd's answer to a send and reports
  // "unavailable" instead: the message is stored, alice is told it is not.
  const { context, page, relay } = await person(env.browser, env.chatd.url, { relay: true });
  await ui.signIn(page, 'alice');
  await ui.open(page, 'bob');
  relay.loseAcks = true;
  const box = page.getByRole('textbox', { name: 'Message bob' });
  await box.fill('lost acknowledgement');
  await box.press('Enter');
  const failed = ui.messageWithText(page, 'lost acknowledgement');
  await expect(failed).toHaveAttribute('data-state', 'failed');
  await expect(failed.locator('.status')).toContainText('Not sent: database unavailable');
  // It was stored, so bob has it already; once.
  await expect(ui.messageWithText(bob.page, 'lost acknowledgement')).toHaveCount(1);
  relay.loseAcks = false;
  await failed.getByRole('button', { name: 'Retry' }).click();
  await expect(ui.sentMessage(page, 'lost acknowledgement')).toHaveCount(1);
  await expect(ui.messageWithText(page, 'lost acknowledgement')).toHaveCount(1);
  await expect(ui.messageWithText(bob.page, 'lost acknowledgement')).toHaveCount(1);
  // The retry was answered with the original message: nothing new for bob either.
  await expect(ui.messageWithText(alice.page, 'lost acknowledgement')).toHaveCount(1);
  await context.close();
  for (const p of [alice, bob]) assert.deepEqual(p.page.errors, []);
});
