// Graceful shutdown and restart with nothing acknowledged lost; a slow consumer cut off by
// policy while the other members of the channel are unaffected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chatd } from './lib/chatd.mjs';
import { Client, isEvent, isMessage, sleep } from './lib/client.mjs';

test('restart_under_load_loses_nothing_acknowledged', async () => {
  const first = await new Chatd().start();
  const a = await first.account('a'); const b = await first.account('b');
  const ca = await Client.connect(first.ws, { token: a.token });
  const { channel } = await ca.call('create_group', { name: 'durable', member_ids: [b.user.id] });
  const acked = [];
  let stopping = false;
  // Pipelined sends (within the rate limit) until the server goes away.
  const sender = (async () => {
    for (let i = 0; !stopping; i++) {
      const batch = Array.from({ length: 10 }, (_, k) =>
        ca.request('send', { channel_id: channel.id, text: `n${i}-${k}`, client_msg_id: `c${i}-${k}` })
          .then((r) => { if (r.type === 'response') acked.push(r.result.message); }, () => {}));
      await Promise.all(batch);
      await sleep(40);
      if (ca.closed) break;
    }
  })();
  // Stop under load: once a number of sends are acknowledged (not after a fixed time).
  for (const deadline = Date.now() + 10000; acked.length < 50;) {
    assert.ok(Date.now() < deadline, `only ${acked.length} sends acknowledged within 10 s`);
    await sleep(20);
  }
  const status = await first.stop('SIGTERM');
  stopping = true;
  await sender;
  assert.equal(status.code, 0, first.log);
  assert.equal(ca.closed?.code, 1001, 'clients are told the server is going away');
  assert.ok(acked.length >= 50, `acked ${acked.length}`);
  assert.match(first.log, /event=shutdown/);
  assert.doesNotMatch(first.log, new RegExp(a.token), 'no token in the logs');

  const second = await new Chatd({ db: first.db, dataDir: first.dataDir }).start();
  const again = await Client.connect(second.ws, { token: (await second.login(a.name)).token });
  const stored = [];
  for (let after = 0; ;) {
    const page = await again.call('history', { channel_id: channel.id, after_seq: after, limit: 200 });
    stored.push(...page.messages);
    if (!page.has_more) break;
    after = page.messages.at(-1).seq;
  }
  const byId = new Map(stored.map((m) => [m.id, m]));
  for (const m of acked) assert.deepEqual(byId.get(m.id), m, `acknowledged message ${m.id} survived`);
  assert.deepEqual(stored.map((m) => m.seq), stored.map((_, i) => i + 1), 'no gaps');
  // A retry of an acknowledged send after the restart is answered with the original.
  const last = acked.at(-1);
  const retry = await again.call('send', { channel_id: channel.id, text: last.text, client_msg_id: last.client_msg_id });
  assert.equal(retry.message.id, last.id);
  again.assertValid();
  await again.close();
  assert.equal((await second.stop('SIGINT')).code, 0, second.log);
});

// A reader that stops reading for a while, within the queue limits: its socket buffer fills,
// writes to it stop at a full buffer (mid-frame too), and once it reads again every frame
// arrives whole, in order, once, interleaved with nothing (the client checks every frame).
test('a_paused_reader_gets_every_frame_intact_and_in_order_after_a_backlog', async () => {
  const chatd = await new Chatd({ args: ['--max-queue-bytes', '67108864', '--max-queue-frames', '100000', '--rate', '5000', '--burst', '5000'] }).start();
  const [s, r] = await Promise.all(['s', 'r'].map((p) => chatd.account(p)));
  const cs = await Client.connect(chatd.ws, { token: s.token });
  const cr = await Client.connect(chatd.ws, { token: r.token });
  const { channel } = await cs.call('create_group', { name: 'backlog', member_ids: [r.user.id] });
  await cr.next(isEvent('channel.created', (f) => f.channel.id === channel.id));
  cr.ws._socket.pause();
  const text = (i) => `${i} ${'é'.repeat(1500)}`;  // ~3 KB per frame, 2,500 frames: ~8 MB
  const total = 2500;
  for (let sent = 0; sent < total; sent += 25) {
    await Promise.all(Array.from({ length: 25 }, (_, k) => cs.call('send', { channel_id: channel.id, text: text(sent + k) })));
  }
  cr.ws._socket.resume();
  for (let i = 0; i < total; i++) {
    const ev = await cr.next(isMessage(channel.id), 15000);
    assert.equal(ev.message.seq, i + 1);
    assert.equal(ev.message.text, text(i));
  }
  cr.assertValid();
  assert.equal((await chatd.request('GET', '/metrics')).body.match(/^chatd_slow_consumers_total (\d+)$/m)[1], '0');
  // The connection is still in step: a request and its response, then one more message.
  assert.equal((await cr.call('send', { channel_id: channel.id, text: 'after' })).message.seq, total + 1);
  await cs.close(); await cr.close();
  assert.equal((await chatd.stop()).code, 0, chatd.log);
});

test('slow_consumer_is_cut_off_and_others_are_unaffected', async () => {
  const chatd = await new Chatd({ args: ['--max-queue-bytes', '65536', '--rate', '2000', '--burst', '2000'] }).start();
  const [s, fast, slow] = await Promise.all(['s', 'f', 'w'].map((p) => chatd.account(p)));
  const cs = await Client.connect(chatd.ws, { token: s.token });
  const cf = await Client.connect(chatd.ws, { token: fast.token });
  const cw = await Client.connect(chatd.ws, { token: slow.token });
  const { channel } = await cs.call('create_group', { name: 'firehose', member_ids: [fast.user.id, slow.user.id] });
  for (const c of [cf, cw]) await c.next(isEvent('channel.created', (f) => f.channel.id === channel.id));
  cw.ws._socket.pause();  // stops reading: its TCP window and then the server queue fill up
  const text = 'x'.repeat(1900);
  // Send until the server reports the cut-off (kernel socket buffers absorb the first MBs).
  let sent = 0;
  const cutOff = async () => /^chatd_slow_consumers_total 1$/m.test((await chatd.request('GET', '/metrics')).body);
  while (sent < 10000 && !(sent % 500 === 0 && sent > 0 && await cutOff())) {
    await Promise.all(Array.from({ length: 10 }, (_, k) => cs.call('send', { channel_id: channel.id, text: `${sent + k} ${text}` })));
    sent += 10;
  }
  assert.ok(await cutOff(), `slow consumer not cut off after ${sent} messages`);
  for (let i = 0; i < sent; i++) await cf.next(isMessage(channel.id), 10000);
  assert.match(chatd.log, /event=ws.slow_consumer/);
  cw.ws._socket.resume();
  const closed = await cw.waitClosed(15000);
  assert.ok([4008, 1006].includes(closed.code), `close ${closed.code}`);
  // The fast member and the sender carry on.
  const more = await cs.call('send', { channel_id: channel.id, text: 'still flowing' });
  assert.equal((await cf.next(isMessage(channel.id))).message.id, more.message.id);
  cs.assertValid(); cf.assertValid();
  await cs.close(); await cf.close();
  assert.equal((await chatd.stop()).code, 0, chatd.log);
});
