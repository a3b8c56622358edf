// Three people in three browser contexts: sign up, direct messages and a group, live delivery
// both ways, unread badges, previews and ordering, typing, presence, read markers, history on
// scroll-up, group management, a refresh, and hostile text shown as text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { person } from './lib/browser.mjs';
import { expect, until } from './lib/expect.mjs';
import { useChatdAndBrowser } from './lib/fixture.mjs';
import * as ui from './lib/ui.mjs';

// A higher request rate than the default so that the history test can fill a conversation fast.
const env = useChatdAndBrowser({ chatdArgs: ['--rate', '400', '--burst', '400'] });
let alice;
let bob;
let carol;

test('three_people_sign_up_and_land_on_an_empty_conversation_list', async () => {
  alice = await person(env.browser, env.chatd.url);
  bob = await person(env.browser, env.chatd.url);
  carol = await person(env.browser, env.chatd.url);
  await ui.signUp(alice.page, 'alice');
  await ui.signUp(bob.page, 'bob');
  await ui.signUp(carol.page, 'carol');
  await expect(alice.page.locator('#channel-status')).toContainText('No conversations yet');
});

test('a_direct_message_arrives_live_with_an_unread_badge_and_preview', async () => {
  await ui.startDirect(alice.page, 'bob');
  await ui.send(alice.page, 'Hi Bob!');
  const item = ui.conversationButton(bob.page, 'alice');
  await expect(item).toBeVisible();
  await expect(item.locator('.channel-preview')).toHaveText('Hi Bob!');
  await expect(item.locator('.badge')).toHaveText(/^, 1 unread message$|^1$/);
  await expect(item.locator('.badge')).toHaveAttribute('data-unread', '1');
  // The new message is announced politely.
  await expect(bob.page.locator('#announcer')).toContainText('New message from alice: Hi Bob!');

  await ui.open(bob.page, 'alice');
  await expect(ui.messageWithText(bob.page, 'Hi Bob!')).toHaveCount(1);
  await expect(item.locator('.badge')).toHaveCount(0);  // read as soon as it is seen
  await ui.send(bob.page, 'Hello Alice, good to see you here.');
  await expect(ui.messageWithText(alice.page, 'Hello Alice, good to see you here.')).toHaveCount(1);
  await expect(alice.page.locator('#announcer')).toContainText('bob: Hello Alice');
});

test('presence_and_typing_show_in_the_conversation', async () => {
  await expect(alice.page.locator('#conv-sub')).toHaveText('Online');
  await expect(bob.page.locator('#conv-sub')).toHaveText('Online');
  await bob.page.getByRole('textbox', { name: 'Message alice' }).fill('I am typ');
  await expect(alice.page.locator('#typing')).toHaveText('bob is typing…');
  await bob.page.getByRole('textbox', { name: 'Message alice' }).press('Enter');
  await expect(ui.messageWithText(alice.page, 'I am typ')).toHaveCount(1);
  await expect(alice.page.locator('#typing')).toHaveText('');  // a message ends the typing
});

test('shift_enter_makes_a_new_line_and_enter_sends', async () => {
  const box = alice.page.getByRole('textbox', { name: 'Message bob' });
  await box.fill('');
  await box.type('first line');
  await box.press('Shift+Enter');
  await box.type('second line');
  await expect(box).toHaveCount(1);
  assert.equal(await box.inputValue(), 'first line\nsecond line');
  await box.press('Enter');
  await expect(ui.sentMessage(alice.page, 'first line\nsecond line')).toHaveCount(1);
  await expect(ui.messageWithText(bob.page, 'first line\nsecond line')).toHaveCount(1);
  assert.equal(await box.inputValue(), '');
});

test('a_message_with_markup_is_shown_as_text_and_never_run', async () => {
  const hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> <b>bold?</b>';
  await ui.send(alice.page, hostile);
  const shown = ui.messageWithText(bob.page, hostile);
  await expect(shown).toHaveCount(1);
  assert.equal(await shown.locator('p.text').textContent(), hostile);
  for (const { page } of [alice, bob]) {
    assert.equal(await page.locator('#messages script, #messages img, #messages b').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  }
  await expect(ui.conversationButton(bob.page, 'alice').locator('.channel-preview')).toHaveText(hostile);
});

test('a_group_with_a_third_person_delivers_to_everyone_and_moves_to_the_top', async () => {
  await ui.createGroup(alice.page, 'Weekend trip', ['bob', 'carol']);
  await ui.send(alice.page, 'Who is in for Saturday?');
  for (const other of [bob, carol]) {
    const item = ui.conversationButton(other.page, 'Weekend trip');
    await expect(item.locator('.channel-preview')).toHaveText('alice: Who is in for Saturday?');
    await expect(item.locator('.badge')).toHaveAttribute('data-unread', '1');
  }
  // Most recent activity first.
  await expect(bob.page.locator('#channel-list .channel-name')).toHaveTexts(['Weekend trip', 'alice']);
  await expect(bob.page.locator('#announcer')).toContainText('New message from alice in Weekend trip');

  await ui.open(carol.page, 'Weekend trip');
  await ui.send(carol.page, 'Count me in!');
  await expect(ui.messageWithText(alice.page, 'Count me in!')).toHaveCount(1);
  await expect(ui.messageWithText(alice.page, 'Count me in!').locator('.sender')).toHaveText('carol');
  await ui.open(bob.page, 'Weekend trip');
  await expect(ui.messageWithText(bob.page, 'Count me in!')).toHaveCount(1);
  await ui.send(bob.page, 'Me too');
  await expect(ui.messageWithText(carol.page, 'Me too')).toHaveCount(1);
  await expect(ui.messageWithText(alice.page, 'Me too')).toHaveCount(1);
  await expect(alice.page.locator('#conv-sub')).toContainText('3 members');
});

test('the_owner_renames_removes_and_adds_and_a_member_leaves', async () => {
  const page = alice.page;
  await page.getByRole('button', { name: 'Group settings' }).click();
  const dialog = page.getByRole('dialog', { name: /settings$/ });
  await expect(dialog.locator('#member-list > li')).toHaveCount(3);
  await dialog.getByLabel('Group name').fill('Weekend trip 2026');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.locator('#settings-done')).toHaveText('Saved.');
  await expect(bob.page.locator('#conv-title')).toHaveText('Weekend trip 2026');
  await expect(ui.conversationButton(carol.page, 'Weekend trip 2026')).toBeVisible();

  await dialog.getByRole('button', { name: 'Remove carol' }).click();
  await expect(dialog.locator('#member-list > li')).toHaveCount(2);
  await expect(ui.conversationButton(carol.page, 'Weekend trip 2026')).toHaveCount(0);
  await expect(carol.page.locator('#conv-empty')).toBeVisible();  // she had it open
  await expect(carol.page.locator('#announcer')).toContainText('no longer a member of Weekend trip 2026');

  await dialog.getByLabel('Add a person by username').fill('carol');
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(dialog.locator('#settings-done')).toHaveText('carol was added.');
  await expect(dialog.locator('#member-list > li')).toHaveCount(3);
  await expect(ui.conversationButton(carol.page, 'Weekend trip 2026')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  await bob.page.getByRole('button', { name: 'Group settings' }).click();
  const bobs = bob.page.getByRole('dialog', { name: /settings$/ });
  await bobs.getByRole('button', { name: 'Leave group' }).click();
  await bobs.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(bobs).toBeHidden();
  await expect(ui.conversationButton(bob.page, 'Weekend trip 2026')).toHaveCount(0);
  await expect(alice.page.locator('#conv-sub')).toContainText('2 members');
});

test('a_refresh_keeps_the_session_and_the_open_conversation', async () => {
  await ui.open(bob.page, 'alice');
  const before = await ui.texts(bob.page);
  await bob.page.reload();
  await expect(bob.page.locator('#me-name')).toHaveText('bob');
  await expect(bob.page.locator('#conv-title')).toHaveText('alice');
  await expect(bob.page.locator('#messages > li.msg')).toHaveCount(before.length);
  assert.deepEqual(await ui.texts(bob.page), before);
  await ui.send(bob.page, 'Still here after a refresh');
  await ui.open(alice.page, 'bob');
  await expect(ui.messageWithText(alice.page, 'Still here after a refresh')).toHaveCount(1);
});

test('earlier_history_loads_when_scrolling_up_without_gaps_or_doubles', async () => {
  // Carol writes 130 messages to bob through her own WebSocket (fast, same protocol).
  await ui.startDirect(carol.page, 'bob');
  const total = 130;
  await carol.page.evaluate(async (n) => {
    const ws = new WebSocket(`ws://${location.host}/v1/ws`);
    await new Promise((resolve, reject) => {
      ws.onmessage = (e) => { if (JSON.parse(e.data).type === 'ready') resolve(); };
      ws.onerror = reject;
    });
    const channel = await new Promise((resolve) => {
      ws.onmessage = (e) => {
        const f = JSON.parse(e.data);
        if (f.id === 'o') resolve(f.result.channel.id);
      };
      ws.send(JSON.stringify({ type: 'open_direct', id: 'o', username: 'bob' }));
    });
    let acked = 0;
    await new Promise((resolve) => {
      ws.onmessage = (e) => {
        const f = JSON.parse(e.data);
        if (f.type === 'response' && f.id.startsWith('s') && ++acked === n) resolve();
      };
      for (let i = 1; i <= n; i++) {
        ws.send(JSON.stringify({ type: 'send', id: `s${i}`, channel_id: channel, text: `Message number ${i}` }));
      }
    });
    ws.close();
  }, total);
  const item = ui.conversationButton(bob.page, 'carol');
  await expect(item.locator('.badge')).toHaveAttribute('data-unread', String(total));
  await item.click();
  await expect(ui.messageWithText(bob.page, `Message number ${total}`)).toHaveCount(1);
  await expect(item.locator('.badge')).toHaveCount(0);
  // The first earlier page by keyboard: the button above the messages.
  await expect(bob.page.locator('#messages > li.msg')).toHaveCount(50);
  const more = bob.page.getByRole('button', { name: 'Load earlier messages' });
  await more.focus();
  await bob.page.keyboard.press('Enter');
  await until(async () => {
    const n = await bob.page.locator('#messages > li.msg').count();
    return { pass: n >= 100, actual: n };
  }, 'an earlier page');
  // The focus stays in the log: on the button, or on the log once everything is loaded.
  await expect(bob.page.locator('#load-older:focus, #log:focus')).toHaveCount(1);
  // The rest by scrolling up.
  const log = bob.page.locator('#log');
  await until(async () => {
    const n = await bob.page.locator('#messages > li.msg').count();
    if (n < total) await log.evaluate((el) => { el.scrollTop = 0; });
    return { pass: n === total, actual: n };
  }, 'every message after scrolling up', 30000);
  await expect(bob.page.locator('#log-start')).toHaveText('This is the beginning of the conversation.');
  const seqs = await bob.page.locator('#messages > li.msg').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => i + 1));
  const texts = await ui.texts(bob.page);
  assert.deepEqual(texts, Array.from({ length: total }, (_, i) => `Message number ${i + 1}`));

  // Scrolled up, bob does not see a new message: it stays unread, and a button leads to it.
  await log.evaluate((el) => { el.scrollTop = 0; });
  await ui.send(carol.page, 'Are you still reading?');
  const jump = bob.page.getByRole('button', { name: 'New messages below' });
  await expect(jump).toBeVisible();
  await expect(item.locator('.badge')).toHaveAttribute('data-unread', '1');
  await jump.click();
  await expect(jump).toBeHidden();
  await expect(item.locator('.badge')).toHaveCount(0);
  await expect(bob.page.getByRole('textbox', { name: 'Message carol' })).toBeFocused();
});

test('read_markers_follow_the_reader_across_tabs_and_reloads', async () => {
  // A second tab of bob's (same cookie) shows the list; alice writes; bob reads in tab one.
  const tab2 = await bob.context.newPage();
  await tab2.goto('/');
  const item2 = ui.conversationButton(tab2, 'alice');
  await expect(item2).toBeVisible();
  await ui.open(bob.page, 'carol');  // tab one looks elsewhere
  await ui.open(alice.page, 'bob');
  await ui.send(alice.page, 'Unread until you look');
  await expect(item2.locator('.badge')).toHaveAttribute('data-unread', '1');
  await expect(ui.conversationButton(bob.page, 'alice').locator('.badge')).toHaveAttribute('data-unread', '1');
  await ui.open(bob.page, 'alice');
  await expect(item2.locator('.badge')).toHaveCount(0);  // read_marker event from tab one
  await tab2.reload();
  await expect(ui.conversationButton(tab2, 'alice')).toBeVisible();
  await expect(ui.conversationButton(tab2, 'alice').locator('.badge')).toHaveCount(0);
  await tab2.close();
  for (const p of [alice, bob, carol]) assert.deepEqual(p.page.errors, []);
});

test('signing_out_in_one_tab_signs_out_the_others', async () => {
  const tab2 = await carol.context.newPage();
  await tab2.goto('/');
  await expect(ui.conversations(tab2)).toBeVisible();
  await carol.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(carol.page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(tab2.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await tab2.close();
});
