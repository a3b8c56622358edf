// Replies to a client's own requests are pages within the announced byte budget: a client with a
// large backlog gets every sync, history and list_channels reply (never close 4008), and the
// documented paging reaches everything (issue 12 H1/H2, issue 13 point 2).
// Only the request rate is raised, so that the data is written quickly; the queue limits that
// used to cut these clients off stay at their defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chatd } from './lib/chatd.mjs';
import { Client } from './lib/client.mjs';

const fast = ['--rate', '5000', '--burst', '5000'];
const ascii = (i) => `${i}:`.padEnd(2000, 'x');
const emoji = (i) => `${i} ${'😀'.repeat(1990)}`;  // ~8 KB, at most 2000 code points

// The wire size of a reply frame (JSON.stringify escapes as chatd does, keys in frame order).
const wireBytes = (frame) => Buffer.byteLength(JSON.stringify(frame));

// Sends `texts` into a channel, pipelined in windows, and waits for every acknowledgement.
async function fill(client, channelId, texts) {
  for (let i = 0; i < texts.length; i += 50) {
    await Promise.all(texts.slice(i, i + 50).map((text) => client.call('send', { channel_id: channelId, text })));
  }
}

// Calls `type` and checks that the reply came within the announced budget.
async function page(client, type, fields) {
  const reply = await client.request(type, fields);
  assert.equal(reply.type, 'response', `${type}: ${reply.code} ${reply.message}`);
  assert.ok(wireBytes(reply) <= client.session.limits.max_reply_bytes,
    `${type} reply of ${wireBytes(reply)} bytes is over max_reply_bytes`);
  client.assertValid();
  return reply.result;
}

test('sync_and_history_of_a_large_backlog_arrive_in_pages_within_the_budget', async () => {
  const chatd = await new Chatd({ args: fast }).start();
  try {
    const alice = await chatd.account('alice'); const bob = await chatd.account('bob');
    const ca = await Client.connect(chatd.ws, { token: alice.token });
    const groups = [];
    for (let g = 0; g < 3; g++) {
      const { channel } = await ca.call('create_group', { name: `big${g}`, member_ids: [bob.user.id] });
      groups.push(channel.id);
      await fill(ca, channel.id, Array.from({ length: 200 }, (_, i) => ascii(i)));
    }
    const heavy = (await ca.call('create_group', { name: 'emoji', member_ids: [bob.user.id] })).channel.id;
    await fill(ca, heavy, Array.from({ length: 200 }, (_, i) => emoji(i)));

    const cb = await Client.connect(chatd.ws, { token: bob.token });
    const limits = cb.session.limits;
    assert.ok(limits.max_reply_bytes * 4 <= limits.max_queue_bytes, JSON.stringify(limits));

    // The documented resume loop: sync, move the cursors, again while anything has_more.
    const got = new Map();
    const cursors = new Map();
    let rounds = 0;
    for (;;) {
      rounds++;
      const r = await page(cb, 'sync', {
        cursors: [...cursors].map(([channel_id, after_seq]) => ({ channel_id, after_seq })),
      });
      let more = r.has_more;
      for (const c of r.channels) {
        assert.ok(c.messages.length > 0);
        got.set(c.channel_id, [...(got.get(c.channel_id) || []), ...c.messages.map((m) => m.seq)]);
        cursors.set(c.channel_id, c.messages.at(-1).seq);
        more ||= c.has_more;
      }
      if (!more) break;
      assert.ok(rounds < 200, 'sync makes progress');
    }
    const all = Array.from({ length: 200 }, (_, i) => i + 1);
    for (const id of [...groups, heavy]) assert.deepEqual(got.get(id), all, `channel ${id} complete`);
    assert.ok(rounds > 1, 'the backlog is larger than one reply');

    // history limit 200 over 200 messages of 2000 emoji (1.6 MB): newest first, paged back.
    let h = await page(cb, 'history', { channel_id: heavy, limit: 200 });
    assert.ok(h.has_more && h.messages.length < 200);
    assert.equal(h.messages.at(-1).seq, 200, 'the newest page ends at the newest message');
    const seqs = h.messages.map((m) => m.seq);
    while (h.has_more) {
      h = await page(cb, 'history', { channel_id: heavy, before_seq: seqs[0], limit: 200 });
      seqs.unshift(...h.messages.map((m) => m.seq));
    }
    assert.deepEqual(seqs, all);
    assert.equal(h.messages[0].text, emoji(0));
    assert.equal(cb.closed, null, 'never cut off as a slow consumer');
    assert.deepEqual(await cb.call('ping'), {});
    await ca.close(); await cb.close();
  } finally {
    await chatd.stop();
  }
});

test('list_channels_of_a_user_added_to_many_groups_with_large_messages_is_paged', async () => {
  const chatd = await new Chatd({ args: fast }).start();
  try {
    const mallory = await chatd.account('mallory'); const victim = await chatd.account('victim');
    const cm = await Client.connect(chatd.ws, { token: mallory.token });
    const ids = [];
    for (let g = 0; g < 140; g += 20) {
      const made = await Promise.all(Array.from({ length: 20 }, (_, k) =>
        cm.call('create_group', { name: `trap${g + k}`, member_ids: [victim.user.id] })));
      ids.push(...made.map((r) => r.channel.id));
      await Promise.all(made.map((r, k) => cm.call('send', { channel_id: r.channel.id, text: emoji(g + k) })));
    }
    // Control characters (six bytes each in JSON) are refused in text and names.
    const refused = await cm.request('send', { channel_id: ids[0], text: 'a\u0001b' });
    assert.equal(refused.code, 'invalid_argument');
    assert.equal((await cm.request('create_group', { name: 'a\nb' })).code, 'invalid_argument');

    const cv = await Client.connect(chatd.ws, { token: victim.token });
    const seen = [];
    let pages = 0;
    for (let after; ;) {
      pages++;
      const r = await page(cv, 'list_channels', after ? { after_channel_id: after } : {});
      assert.ok(r.channels.length > 0);
      seen.push(...r.channels.map((s) => s.channel.id));
      if (!r.has_more) break;
      after = r.channels.at(-1).channel.id;
      assert.ok(pages < 100);
    }
    assert.ok(pages > 1, 'more than one page');
    assert.deepEqual(seen, [...ids].sort((a, b) => Number(a) - Number(b)), 'every channel once');
    assert.equal(cv.closed, null);
    await cm.close(); await cv.close();
  } finally {
    await chatd.stop();
  }
});
