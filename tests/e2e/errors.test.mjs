// Every error code of docs/protocol.md over a real socket, and the connection staying usable
// after each one; limits: frame size, request rate, auth and idle timeouts, keep-alive pings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Chatd } from './lib/chatd.mjs';
import { Client, sleep } from './lib/client.mjs';

let chatd;
before(async () => {
  chatd = await new Chatd({ args: ['--rate', '50', '--burst', '60', '--max-frame-bytes', '4096',
    '--auth-timeout', '2', '--ping-interval', '1', '--idle-timeout', '3'] }).start();
});
after(async () => { const s = await chatd.stop(); assert.equal(s.code, 0, chatd.log); });

test('malformed_frames_get_bad_request_and_the_connection_stays_usable', async () => {
  const a = await chatd.account('a');
  const c = await Client.connect(chatd.ws, { token: a.token });
  const cases = [
    ['{not json', 'not valid JSON'],
    ['[1,2]', 'not a JSON object'],
    ['{"type":"ping"}', 'missing field id'],
    ['{"type":"ping","id":7}', 'field id'],
    ['{"type":"ping","id":""}', 'field id'],
  ];
  for (const [text, why] of cases) {
    c.raw(text);
    const err = await c.next((f) => f.type === 'error');
    assert.equal(err.code, 'bad_request', text);
    assert.equal(err.id, null);
    assert.match(err.message, new RegExp(why));
  }
  // Invalid UTF-8 in a binary frame: an error frame (in a text frame RFC 6455 demands close 1007).
  c.raw(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), undefined, 'x', { binary: true });
  const utf = await c.next((f) => f.type === 'error');
  assert.equal(utf.code, 'bad_request');
  assert.match(utf.message, /UTF-8/);
  const withId = [
    [{ id: 'x1' }, 'bad_request', /missing field type/],
    [{ id: 'x2', type: 42 }, 'bad_request', /field type/],
    [{ id: 'x3', type: 'fly' }, 'unknown_type', /fly/],
    [{ id: 'x4', type: 'send', text: 'hi' }, 'bad_request', /missing field channel_id/],
    [{ id: 'x5', type: 'send', channel_id: 'abc', text: 'hi' }, 'bad_request', /channel_id/],
    [{ id: 'x6', type: 'send', channel_id: '1', text: 5 }, 'bad_request', /text/],
    [{ id: 'x7', type: 'set_role', channel_id: '1', user_id: '1', role: 'king' }, 'bad_request', /role/],
    [{ id: 'x8', type: 'auth', token: a.token }, 'bad_request', /already authenticated/],
  ];
  for (const [frame, code, why] of withId) {
    const r = await c.raw(JSON.stringify(frame), frame.id);
    assert.equal(r.type, 'error');
    assert.equal(r.id, frame.id);
    assert.equal(r.code, code, JSON.stringify(frame));
    assert.match(r.message, why);
  }
  assert.deepEqual(await c.call('ping'), {});
  c.assertValid();
  await c.close();
});

test('engine_error_codes_reach_the_client', async () => {
  const a = await chatd.account('a'); const b = await chatd.account('b');
  const ca = await Client.connect(chatd.ws, { token: a.token });
  const cb = await Client.connect(chatd.ws, { token: b.token });
  const { channel } = await ca.call('create_group', { name: 'codes' });
  const expect = async (c, type, fields, code) => {
    const r = await c.request(type, fields, { validate: false });
    assert.equal(r.type, 'error', `${type} ${JSON.stringify(r)}`);
    assert.equal(r.code, code, `${type}: ${r.message}`);
    assert.ok(r.message.length > 0);
  };
  await expect(ca, 'send', { channel_id: channel.id, text: '' }, 'invalid_argument');
  await expect(ca, 'send', { channel_id: channel.id, text: 'x'.repeat(2001) }, 'invalid_argument');
  await expect(ca, 'create_group', { name: '' }, 'invalid_argument');
  await expect(ca, 'open_direct', { username: 'no_such_user_x' }, 'not_found');
  await expect(ca, 'get_user', { user_id: '999999999' }, 'not_found');
  await expect(cb, 'send', { channel_id: channel.id, text: 'hi' }, 'forbidden');
  await expect(ca, 'add_member', { channel_id: channel.id, user_id: a.user.id }, 'conflict');
  ca.assertValid(); cb.assertValid();
  await ca.close(); await cb.close();
});

test('requests_before_auth_are_unauthenticated_and_a_bad_token_closes_4001', async () => {
  const c = await Client.connect(chatd.ws);
  const r = await c.request('list_channels');
  assert.equal(r.code, 'unauthenticated');
  const bad = await c.request('auth', { token: 'not-a-real-token' });
  assert.equal(bad.code, 'unauthenticated');
  const closed = await c.waitClosed();
  assert.equal(closed.code, 4001);
});

test('no_auth_within_auth_timeout_closes_4001', async () => {
  const c = await Client.connect(chatd.ws);
  const closed = await c.waitClosed(6000);
  assert.equal(closed.code, 4001);
  assert.equal(closed.reason, 'authentication_timeout');
});

// A text frame of `bytes` bytes: a ping request padded with an unknown field.
function pingOfSize(id, bytes) {
  const frame = JSON.stringify({ type: 'ping', id, pad: '' });
  return frame.replace('"pad":""', `"pad":"${'x'.repeat(bytes - frame.length)}"`);
}

test('a_frame_of_exactly_max_frame_bytes_is_read_one_byte_more_closes_1009', async () => {
  const a = await chatd.account('a');
  const c = await Client.connect(chatd.ws, { token: a.token });
  const atLimit = pingOfSize('at-limit', 4096);
  assert.equal(Buffer.byteLength(atLimit), 4096);
  const reply = await c.raw(atLimit, 'at-limit', 'ping');
  assert.equal(reply.type, 'response', JSON.stringify(reply));
  const over = pingOfSize('over', 4097);
  assert.equal(Buffer.byteLength(over), 4097);
  c.raw(over);
  assert.equal((await c.waitClosed()).code, 1009);
});

test('frame_over_max_frame_bytes_closes_1009', async () => {
  const a = await chatd.account('a');
  const c = await Client.connect(chatd.ws, { token: a.token });
  c.raw(JSON.stringify({ type: 'ping', id: 'big', pad: 'x'.repeat(5000) }));
  assert.equal((await c.waitClosed()).code, 1009);
});

test('invalid_utf8_in_a_text_frame_closes_1007', async () => {
  const a = await chatd.account('a');
  const c = await Client.connect(chatd.ws, { token: a.token });
  // ws refuses to send invalid UTF-8 as text, so write the raw frame: FIN+text, masked.
  const payload = Buffer.from([0x7b, 0xff, 0x7d]);
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  c.ws._socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
  assert.equal((await c.waitClosed()).code, 1007);
});

test('over_the_request_rate_gets_rate_limited_and_recovers', async () => {
  const a = await chatd.account('a');
  const c = await Client.connect(chatd.ws, { token: a.token });
  const replies = await Promise.all(Array.from({ length: 100 }, () => c.request('ping')));
  const limited = replies.filter((r) => r.type === 'error');
  assert.ok(limited.length > 0, 'some requests are refused');
  assert.ok(limited.every((r) => r.code === 'rate_limited'));
  // The burst (60, less the auth frame) passes at once.
  assert.ok(replies.filter((r) => r.type === 'response').length >= 55);
  await sleep(300);
  assert.deepEqual(await c.call('ping'), {}, 'the bucket refills');
  await c.close();
});

test('keepalive_pings_hold_a_quiet_connection_and_a_silent_peer_is_closed', async () => {
  const a = await chatd.account('a');
  const opened = Date.now();
  const c = await Client.connect(chatd.ws, { token: a.token });
  // Past --idle-timeout 3 the automatic pongs keep it open: wait for the 5th keep-alive ping
  // (--ping-interval 1), which comes 5 s after connecting, not for a fixed time.
  let pings = 0;
  await new Promise((resolve) => c.ws.on('ping', () => { if (++pings === 5) resolve(); }));
  assert.ok(Date.now() - opened > 3500, `5 pings within ${Date.now() - opened} ms: past the idle timeout?`);
  assert.equal(c.closed, null);
  assert.deepEqual(await c.call('ping'), {});
  // A peer that stops answering (socket paused: no pongs) is closed as idle: wait until the
  // server counts one connection less (c stays), then see the close.
  const open = async () => Number((await chatd.request('GET', '/metrics')).body.match(/^chatd_connections (\d+)$/m)[1]);
  const d = await Client.connect(chatd.ws, { token: a.token });
  const before = await open();
  d.ws._socket.pause();
  const paused = Date.now();
  for (const deadline = paused + 15000; await open() !== before - 1;) {
    assert.ok(Date.now() < deadline, 'the silent peer is not closed within 15 s');
    await sleep(100);
  }
  assert.ok(Date.now() - paused > 2500, `closed ${Date.now() - paused} ms after going silent: before --idle-timeout 3`);
  assert.equal(c.closed, null, 'the answering peer stays open');
  d.ws._socket.resume();
  const closed = await d.waitClosed(10000);
  assert.ok([4002, 1006].includes(closed.code), `close ${closed.code}`);
  await c.close();
});

test('malformed_frames_count_against_the_request_rate', async () => {
  const a = await chatd.account('a');
  const c = await Client.connect(chatd.ws, { token: a.token });
  // 150 malformed frames (cut-off JSON, no id) and 30 pings: 181 frames with the auth, far
  // over the burst of 60, although only 31 of them are well-formed requests.
  const bad = `{"pad":"${'x'.repeat(3000)}`;
  const pings = [];
  for (let i = 0; i < 30; i++) {
    for (let j = 0; j < 5; j++) c.raw(bad);
    pings.push(c.request('ping'));
  }
  const replies = await Promise.all(pings);
  assert.ok(replies.some((r) => r.code === 'rate_limited'), 'the malformed frames used up the budget');
  assert.ok(replies.every((r) => r.type === 'response' || r.code === 'rate_limited'));
  assert.equal(c.closed, null);
  c.assertValid();
  await c.close();
});

test('ten_malformed_frames_in_a_row_close_4009', async () => {
  const a = await chatd.account('a');
  const c = await Client.connect(chatd.ws, { token: a.token });
  for (let i = 0; i < 9; i++) c.raw('{not json');
  assert.deepEqual(await c.call('ping'), {}, 'a well-formed request restarts the count');
  for (let i = 0; i < 10; i++) c.raw('[]');
  const closed = await c.waitClosed(5000);
  assert.equal(closed.code, 4009);
  assert.equal(closed.reason, 'bad_frames');
  const errors = c.events.filter((f) => f.type === 'error');
  assert.equal(errors.length, 19);
  assert.ok(errors.every((f) => f.code === 'bad_request' && f.id === null));
});
