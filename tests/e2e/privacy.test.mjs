// Who may reach a user, over the real server: blocking (no DM, no send into an existing DM,
// no group add, no presence), unblocking, the group-add setting, and presence only between
// users who both chose a shared conversation (docs/protocol.md, "Who may reach me").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Chatd } from './lib/chatd.mjs';
import { Client, isEvent, isMessage } from './lib/client.mjs';

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

const isPresence = (who, online) =>
  isEvent('presence', (f) => f.user_id === who.user.id && f.online === online);

test('a_stranger_who_opens_a_dm_or_adds_me_to_a_group_never_sees_my_presence', async () => {
  const me = await chatd.account('me'); const stranger = await chatd.account('st');
  const cs = await connect(stranger);
  const { channel } = await cs.call('open_direct', { user_id: me.user.id });
  await cs.call('create_group', { name: 'trap', member_ids: [me.user.id] });
  await cs.call('send', { channel_id: channel.id, text: 'hello?' });
  const cm = await connect(me);
  assert.ok(await cs.none(isEvent('presence')), 'no presence for a stranger');
  assert.deepEqual((await cs.call('online_contacts')).user_ids, []);
  // Answering is a choice: from then on both see each other.
  await cm.call('send', { channel_id: channel.id, text: 'hi' });
  assert.deepEqual((await cs.call('online_contacts')).user_ids, [me.user.id]);
  assert.deepEqual((await cm.call('online_contacts')).user_ids, [stranger.user.id]);
});

test('block_refuses_dm_send_and_add_hides_presence_and_unblock_restores', async () => {
  const me = await chatd.account('me'); const pest = await chatd.account('pe');
  const cm = await connect(me); const cp = await connect(pest);
  const { channel } = await cp.call('open_direct', { user_id: me.user.id });
  await cm.call('send', { channel_id: channel.id, text: 'hi pest' });  // we talked once
  assert.deepEqual((await cp.call('online_contacts')).user_ids, [me.user.id]);

  assert.deepEqual(await cm.call('block_user', { username: pest.name }), {});
  assert.deepEqual((await cm.call('list_blocked')).users.map((u) => u.id), [pest.user.id]);
  await cp.next(isPresence(me, false));  // I now look offline to the blocked user
  assert.deepEqual((await cp.call('online_contacts')).user_ids, []);

  const send = await cp.request('send', { channel_id: channel.id, text: 'why?' });
  assert.equal(send.type, 'error');
  assert.equal(send.code, 'forbidden');
  const open = await cp.request('open_direct', { user_id: me.user.id });
  assert.equal(open.code, 'forbidden');
  const group = await cp.call('create_group', { name: 'pests' });
  const add = await cp.request('add_member', { channel_id: group.channel.id, user_id: me.user.id });
  assert.equal(add.code, 'forbidden');
  const create = await cp.request('create_group', { name: 'again', member_ids: [me.user.id] });
  assert.equal(create.code, 'forbidden');
  assert.ok(await cm.none(isMessage(channel.id)), 'nothing of the refused send arrives');
  const page = await cm.call('history', { channel_id: channel.id });
  assert.deepEqual(page.messages.map((m) => m.text), ['hi pest']);

  assert.deepEqual(await cm.call('unblock_user', { user_id: pest.user.id }), {});
  assert.deepEqual((await cm.call('list_blocked')).users, []);
  await cp.next(isPresence(me, true));
  await cp.call('send', { channel_id: channel.id, text: 'sorry' });
  await cm.next(isMessage(channel.id));
  await cp.call('add_member', { channel_id: group.channel.id, user_id: me.user.id });
});

test('group_add_setting_everyone_contacts_nobody', async () => {
  const me = await chatd.account('me'); const friend = await chatd.account('fr');
  const stranger = await chatd.account('st');
  const cm = await connect(me); const cf = await connect(friend); const cs = await connect(stranger);
  assert.deepEqual(await cm.call('get_privacy'), { privacy: { group_adds: 'everyone' } });
  const { channel } = await cm.call('open_direct', { user_id: friend.user.id });  // my choice
  await cf.call('send', { channel_id: channel.id, text: 'hey' });

  assert.deepEqual(await cm.call('set_privacy', { group_adds: 'contacts' }),
    { privacy: { group_adds: 'contacts' } });
  await cf.call('create_group', { name: 'friends', member_ids: [me.user.id] });
  const refused = await cs.request('create_group', { name: 'spam', member_ids: [me.user.id] });
  assert.equal(refused.code, 'forbidden');

  await cm.call('set_privacy', { group_adds: 'nobody' });
  assert.deepEqual(await cm.call('get_privacy'), { privacy: { group_adds: 'nobody' } });
  const none = await cf.request('create_group', { name: 'more', member_ids: [me.user.id] });
  assert.equal(none.code, 'forbidden');
  const bad = await cm.request('set_privacy', { group_adds: 'friends' }, { validate: false });
  assert.equal(bad.code, 'bad_request');

  await cm.call('set_privacy', { group_adds: 'everyone' });
  await cs.call('create_group', { name: 'open', member_ids: [me.user.id] });
});
