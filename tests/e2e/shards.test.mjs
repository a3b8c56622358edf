// The sharded transport (one io_context per --threads, SO_REUSEPORT): connections spread over
// the shards still form one server (a message reaches every member once, in order, whatever
// shard each is on), and a second chatd cannot take over the port of a running one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chatd } from './lib/chatd.mjs';
import { Client, isMessage, isMessageId } from './lib/client.mjs';

test('members_on_every_shard_get_each_message_once_in_order', async () => {
  const chatd = await new Chatd({ args: ['--threads', '4'] }).start();
  try {
    const accounts = [];
    for (let i = 0; i < 12; i++) accounts.push(await chatd.account('s'));
    const clients = await Promise.all(accounts.map((a) => Client.connect(chatd.ws, { token: a.token })));
    const room = `shards-${Date.now()}`;
    const joined = await Promise.all(clients.map((c) => c.call('join_public', { name: room })));
    const channel = joined[0].channel.id;
    const sent = [];
    for (let i = 0; i < 20; i++) {
      sent.push((await clients[i % clients.length].call('send', { channel_id: channel, text: `m${i}` })).message);
    }
    // Markers for "nothing twice": two last messages, each comes after every duplicate
    // (seq order); client 0 sent the first, so it waits for the second.
    const markers = [];
    for (const k of [0, 1]) {
      markers.push((await clients[k].call('send', { channel_id: channel, text: `marker${k}` })).message);
    }
    for (const [k, c] of clients.entries()) {
      const expected = sent.filter((_, i) => i % clients.length !== k);  // no echo to the sender's connection
      const got = [];
      for (let i = 0; i < expected.length; i++) got.push((await c.next(isMessage(channel))).message);
      assert.deepEqual(got.map((m) => m.seq), expected.map((m) => m.seq), `client ${k} in seq order`);
      const marker = markers[k === 0 ? 1 : 0];
      assert.ok(await c.noneBefore(isMessage(channel), isMessageId(marker.id)), `client ${k} got nothing twice`);
    }
    await Promise.all(clients.map((c) => c.close()));
  } finally {
    await chatd.stop();
  }
});

test('a_second_chatd_on_the_same_port_refuses_to_start', async () => {
  const first = await new Chatd({ args: ['--threads', '2'] }).start();
  try {
    for (const threads of ['2', '1']) {
      const second = new Chatd({ db: '', args: ['--threads', threads] });
      second.args = [...second.args, '--listen', `127.0.0.1:${first.port}`];
      await assert.rejects(second.start(), /chatd exited/);
      assert.match(second.log, /listen_failed/);
    }
    const { token } = await first.account('p');
    const c = await Client.connect(first.ws, { token });
    assert.ok(c.session, 'the first server still serves');
    await c.close();
  } finally {
    await first.stop();
  }
});
