// The WebSocket protocol end to end: DMs, groups and their members, history, sync after a
// reconnect, several sessions per user, read markers, typing and presence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Chatd } from './lib/chatd.mjs';
import { Client, isMessage, isMessageId, isEvent, sleep } from './lib/client.mjs';

let chatd;
const clients = [];
before(async () => { chatd = await new Chatd().start(); });
after(async () => {
  for (const c of clients) { c.assertValid(); await c.close(); }
  const s = await chatd.stop();
  assert.equal(s.code, 0, chatd.log);
});

async function connect(account) {
  const c = await Client.connect(chatd.ws, { token: account.token });
  clients.push(c);
  return c;
}

test('dm_both_ways', async () => {
  const a = await chatd.account('a'); const b = await chatd.account('b');
  const ca = await connect(a); const cb = await connect(b);
  const { channel, peer } = await ca.call('open_direct', { username: b.name.toUpperCase() });
  assert.equal(channel.kind, 'direct');
  assert.equal(peer.id, b.user.id);
  const again = await cb.call('open_direct', { user_id: a.user.id });
  assert.equal(again.channel.id, channel.id, 'one DM per pair');
  const sent = await ca.call('send', { channel_id: channel.id, text: 'hi bob', client_msg_id: 'm1' });
  assert.equal(sent.message.seq, 1);
  const got = await cb.next(isMessage(channel.id));
  assert.deepEqual(got.message, sent.message);
  const reply = await cb.call('send', { channel_id: channel.id, text: 'hi alice 👋' });
  const back = await ca.next(isMessage(channel.id));
  assert.equal(back.message.text, 'hi alice 👋');
  assert.equal(back.message.seq, reply.message.seq);
  const list = await cb.call('list_channels');
  const dm = list.channels.find((s) => s.channel.id === channel.id);
  assert.equal(dm.peer.id, a.user.id);
  assert.equal(dm.last_message.text, 'hi alice 👋');
  assert.equal(dm.unread, 0);
  const la = (await ca.call('list_channels')).channels.find((s) => s.channel.id === channel.id);
  assert.equal(la.unread, 1);
  // The sender gets no event of its own message. Marker: b's next message, which comes after
  // it (a connection gets a channel's messages in seq order).
  await ca.call('send', { channel_id: channel.id, text: 'and again' });
  const marker = await cb.call('send', { channel_id: channel.id, text: 'marker' });
  assert.ok(await ca.noneBefore(isMessage(channel.id), isMessageId(marker.message.id)),
    'the sender gets an ack, not its own event');
  await cb.next(isMessage(channel.id));
});

test('send_is_idempotent_on_client_msg_id', async () => {
  const a = await chatd.account('a'); const b = await chatd.account('b');
  const ca = await connect(a); const cb = await connect(b);
  const { channel } = await ca.call('open_direct', { user_id: b.user.id });
  const first = await ca.call('send', { channel_id: channel.id, text: 'once', client_msg_id: 'same' });
  const retry = await ca.call('send', { channel_id: channel.id, text: 'once', client_msg_id: 'same' });
  assert.deepEqual(retry.message, first.message);
  await cb.next(isMessage(channel.id));
  const marker = await ca.call('send', { channel_id: channel.id, text: 'marker' });
  assert.ok(await cb.noneBefore(isMessage(channel.id), isMessageId(marker.message.id)),
    'a retry is not delivered twice');
});

test('group_of_three_non_member_receives_nothing_and_cannot_read_or_post', async () => {
  const [o, m1, m2, x] = await Promise.all(['o', 'm', 'n', 'x'].map((p) => chatd.account(p)));
  const [co, c1, c2, cx] = await Promise.all([o, m1, m2, x].map(connect));
  const { channel } = await co.call('create_group', { name: 'trio', topic: 'three of us', member_ids: [m1.user.id, m2.user.id] });
  await c1.next(isEvent('channel.created', (f) => f.channel.id === channel.id));
  await c2.next(isEvent('channel.created', (f) => f.channel.id === channel.id));
  const sent = await c1.call('send', { channel_id: channel.id, text: 'hello group' });
  for (const c of [co, c2]) assert.equal((await c.next(isMessage(channel.id))).message.id, sent.message.id);
  assert.ok(await cx.none((f) => f.type === 'event' && (f.channel?.id === channel.id ||
    f.channel_id === channel.id || f.message?.channel_id === channel.id)), 'outsider sees nothing');
  for (const [type, fields] of [['history', {}], ['send', { text: 'let me in' }], ['list_members', {}], ['get_channel', {}], ['mark_read', { seq: 1 }], ['typing', {}]]) {
    const r = await cx.request(type, { channel_id: channel.id, ...fields });
    assert.equal(r.type, 'error', type);
    assert.equal(r.code, 'forbidden', type);
  }
  const members = await co.call('list_members', { channel_id: channel.id });
  assert.deepEqual(members.members.map((m) => m.role).sort(), ['member', 'member', 'owner']);
});

test('membership_rename_topic_roles_and_leave', async () => {
  const [o, a, b] = await Promise.all(['o', 'a', 'b'].map((p) => chatd.account(p)));
  const [co, ca, cb] = await Promise.all([o, a, b].map(connect));
  const { channel } = await co.call('create_group', { name: 'team' });
  await co.call('add_member', { channel_id: channel.id, username: a.name });
  const added = await ca.next(isEvent('member.added', (f) => f.channel_id === channel.id));
  assert.equal(added.member.user_id, a.user.id);
  assert.equal(added.actor_id, o.user.id);
  const dup = await co.request('add_member', { channel_id: channel.id, user_id: a.user.id });
  assert.equal(dup.code, 'conflict');
  const notAdmin = await ca.request('add_member', { channel_id: channel.id, user_id: b.user.id });
  assert.equal(notAdmin.code, 'forbidden');
  await co.call('set_role', { channel_id: channel.id, user_id: a.user.id, role: 'admin' });
  const role = await ca.next(isEvent('member.role_changed'));
  assert.equal(role.member.role, 'admin');
  await ca.call('add_member', { channel_id: channel.id, user_id: b.user.id });
  await cb.next(isEvent('member.added', (f) => f.member.user_id === b.user.id));
  const renamed = await ca.call('rename_channel', { channel_id: channel.id, name: 'team two' });
  assert.equal(renamed.channel.name, 'team two');
  const upd = await cb.next(isEvent('channel.updated'));
  assert.equal(upd.channel.name, 'team two');
  await co.call('set_topic', { channel_id: channel.id, topic: 'plans' });
  assert.equal((await cb.next(isEvent('channel.updated'))).channel.topic, 'plans');
  await ca.call('remove_member', { channel_id: channel.id, user_id: b.user.id });
  const removed = await cb.next(isEvent('member.removed'));
  assert.equal(removed.member.user_id, b.user.id);
  const gone = await cb.request('send', { channel_id: channel.id, text: 'still here?' });
  assert.equal(gone.code, 'forbidden');
  const lastOwner = await co.request('leave', { channel_id: channel.id });
  assert.equal(lastOwner.code, 'conflict');
  await ca.call('leave', { channel_id: channel.id });
  assert.equal((await co.next(isEvent('member.removed', (f) => f.member.user_id === a.user.id))).channel_id, channel.id);
});

test('history_paging', async () => {
  const a = await chatd.account('a'); const b = await chatd.account('b');
  const ca = await connect(a);
  const { channel } = await ca.call('open_direct', { user_id: b.user.id });
  for (let i = 1; i <= 25; i++) await ca.call('send', { channel_id: channel.id, text: `m${i}` });
  const latest = await ca.call('history', { channel_id: channel.id, limit: 10 });
  assert.deepEqual(latest.messages.map((m) => m.seq), [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
  assert.equal(latest.has_more, true);
  const older = await ca.call('history', { channel_id: channel.id, before_seq: 16, limit: 10 });
  assert.deepEqual(older.messages.map((m) => m.seq), [6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  const oldest = await ca.call('history', { channel_id: channel.id, before_seq: 6, limit: 10 });
  assert.deepEqual(oldest.messages.map((m) => m.seq), [1, 2, 3, 4, 5]);
  assert.equal(oldest.has_more, false);
  const newer = await ca.call('history', { channel_id: channel.id, after_seq: 20, limit: 3 });
  assert.deepEqual(newer.messages.map((m) => m.text), ['m21', 'm22', 'm23']);
  assert.equal(newer.has_more, true);
  const bad = await ca.request('history', { channel_id: channel.id, limit: 500 }, { validate: false });
  assert.equal(bad.code, 'bad_request');
});

test('disconnect_then_reconnect_and_sync_loses_and_doubles_nothing', async () => {
  const a = await chatd.account('a'); const b = await chatd.account('b');
  const ca = await connect(a); let cb = await connect(b);
  const { channel } = await ca.call('create_group', { name: 'sync', member_ids: [b.user.id] });
  await ca.call('send', { channel_id: channel.id, text: 'before' });
  const seen = (await cb.next(isMessage(channel.id))).message.seq;
  await cb.close();
  for (let i = 0; i < 30; i++) await ca.call('send', { channel_id: channel.id, text: `while away ${i}` });
  cb = await connect(b);
  const got = [];
  let cursor = seen;
  for (;;) {  // page with a small limit to exercise has_more
    const r = await cb.call('sync', { cursors: [{ channel_id: channel.id, after_seq: cursor }], limit_per_channel: 7 });
    const c = r.channels.find((x) => x.channel_id === channel.id);
    if (!c) break;
    got.push(...c.messages);
    cursor = c.messages.at(-1).seq;
    if (!c.has_more) break;
  }
  assert.deepEqual(got.map((m) => m.seq), Array.from({ length: 30 }, (_, i) => seen + 1 + i));
  assert.equal(new Set(got.map((m) => m.id)).size, 30);
  // Live delivery resumes on the new connection.
  const live = await ca.call('send', { channel_id: channel.id, text: 'back' });
  assert.equal((await cb.next(isMessage(channel.id))).message.seq, live.message.seq);
  // Without cursors, sync starts at seq 0 in every channel.
  const all = await cb.call('sync', {});
  assert.equal(all.channels.find((x) => x.channel_id === channel.id).messages[0].seq, 1);
});

test('two_sessions_of_one_user_both_receive_and_share_read_markers', async () => {
  const a = await chatd.account('a'); const b = await chatd.account('b');
  const ca = await connect(a);
  const second = await chatd.login(b.name);
  const cb1 = await connect(b); const cb2 = await connect({ token: second.token });
  const { channel } = await ca.call('open_direct', { user_id: b.user.id });
  const sent = await ca.call('send', { channel_id: channel.id, text: 'to both' });
  assert.equal((await cb1.next(isMessage(channel.id))).message.id, sent.message.id);
  assert.equal((await cb2.next(isMessage(channel.id))).message.id, sent.message.id);
  const marked = await cb1.call('mark_read', { channel_id: channel.id, seq: sent.message.seq });
  assert.equal(marked.seq, sent.message.seq);
  const rm = await cb2.next(isEvent('read_marker'));
  assert.equal(rm.channel_id, channel.id);
  assert.equal(rm.seq, sent.message.seq);
  // b's own send from session 1 reaches session 2 (not session 1).
  const own = await cb1.call('send', { channel_id: channel.id, text: 'from b1' });
  assert.equal((await cb2.next(isMessage(channel.id))).message.id, own.message.id);
  const marker = await ca.call('send', { channel_id: channel.id, text: 'marker' });
  assert.ok(await cb1.noneBefore(isMessage(channel.id), isMessageId(marker.message.id)),
    'the sending connection gets no event of its own message');
});

test('typing_and_presence', async () => {
  const a = await chatd.account('a'); const b = await chatd.account('b');
  const ca = await connect(a);
  const { channel } = await ca.call('open_direct', { user_id: b.user.id });
  let cb = await connect(b);
  // Presence flows only between users who both chose the conversation: b answering starts it.
  assert.ok(await ca.none(isEvent('presence', (f) => f.user_id === b.user.id)));
  await cb.call('send', { channel_id: channel.id, text: 'hi', client_msg_id: 'p1' });
  const online = await ca.next(isEvent('presence', (f) => f.user_id === b.user.id));
  assert.equal(online.online, true);
  assert.deepEqual((await ca.call('online_contacts')).user_ids, [b.user.id]);
  await cb.call('typing', { channel_id: channel.id });
  const t = await ca.next(isEvent('typing'));
  assert.deepEqual([t.channel_id, t.user_id, t.username], [channel.id, b.user.id, b.name]);
  assert.ok(await cb.none(isEvent('typing')), 'the typist is not told');
  // A second session of b: no new "online"; closing one of two: no "offline".
  const cb2 = await connect({ token: (await chatd.login(b.name)).token });
  await cb.close();
  assert.ok(await ca.none(isEvent('presence', (f) => f.user_id === b.user.id)));
  await cb2.close();
  const offline = await ca.next(isEvent('presence', (f) => f.user_id === b.user.id));
  assert.equal(offline.online, false);
  cb = await connect(b);
  await ca.next(isEvent('presence', (f) => f.user_id === b.user.id && f.online));
});

test('join_public_by_name_creates_once_and_delivers_to_joiners', async () => {
  const a = await chatd.account('a'); const b = await chatd.account('b');
  const ca = await connect(a); const cb = await connect(b);
  const room = `room-${Date.now()}`;
  const [first, second] = await Promise.all([
    ca.call('join_public', { name: room }),
    cb.call('join_public', { name: room.toUpperCase() }),
  ]);
  assert.equal(first.channel.id, second.channel.id, 'one public group per name, even when racing');
  assert.equal(first.channel.kind, 'group');
  const again = await cb.call('join_public', { name: room });
  assert.equal(again.channel.id, first.channel.id, 'joining twice is harmless');
  const members = await ca.call('list_members', { channel_id: first.channel.id });
  assert.equal(members.members.length, 2);
  const sent = await ca.call('send', { channel_id: first.channel.id, text: 'hello room' });
  const got = await cb.next(isMessage(first.channel.id));
  assert.deepEqual(got.message, sent.message);
  await assert.rejects(ca.call('join_public', { name: '' }), (e) => e.reply?.code === 'invalid_argument');
  const missing = await ca.raw(JSON.stringify({ type: 'join_public', id: 'jp-missing' }), 'jp-missing');
  assert.equal(missing.code, 'bad_request');
  assert.match(missing.message, /missing field name/);
});
