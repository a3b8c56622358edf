// HTTP edges (issue 13, point 8), over raw sockets so that nothing normalises the requests:
// chunked bodies get 411, oversized ones a complete 413 that an uploading client can read (not
// a reset), every response names chatd in Server, and a frame with a lone surrogate escape is
// answered with its request's id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Chatd } from './lib/chatd.mjs';
import { Client } from './lib/client.mjs';

let chatd;
before(async () => { chatd = await new Chatd().start(); });
after(async () => { const s = await chatd.stop(); assert.equal(s.code, 0, chatd.log); });

// Sends `head` then `body` (a Buffer, written in pieces as the socket drains; write errors are
// ignored: the server may close once it has answered) and resolves with everything read until
// the server closes, or rejects on a connection reset.
function exchange(head, body = Buffer.alloc(0)) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(chatd.port, '127.0.0.1');
    const chunks = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('connect', async () => {
      socket.write(head);
      const piece = 64 * 1024;
      for (let at = 0; at < body.length && !socket.destroyed; at += piece) {
        if (!socket.write(body.subarray(at, at + piece))) {
          await new Promise((r) => { socket.once('drain', r); socket.once('close', r); });
        }
      }
    });
  });
}

function parse(raw) {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `a complete header block: ${JSON.stringify(raw.slice(0, 200))}`);
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(end + 4) };
}

function assertComplete(res, what) {
  assert.equal(res.headers['content-length'], String(Buffer.byteLength(res.body, 'latin1')), what);
  assert.equal(res.headers.connection, 'close', what);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
  assert.match(res.headers.server, /^chatd\/\d+\.\d+\.\d+$/, what);
}

test('a_chunked_body_is_answered_411_length_required', async () => {
  await chatd.register('chunky');
  const json = JSON.stringify({ username: 'chunky', password: 'correct horse battery' });
  const chunked = `${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`;
  const res = parse(await exchange(
    'POST /v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
    + `Transfer-Encoding: chunked\r\n\r\n${chunked}`));
  assert.equal(res.status, 411, res.body);
  assertComplete(res, '411');
  assert.equal(JSON.parse(res.body).error.code, 'length_required');
  // The same login with Content-Length works.
  const ok = parse(await exchange(
    'POST /v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
    + `Content-Length: ${json.length}\r\n\r\n${json}`));
  assert.equal(ok.status, 200, ok.body);
});

test('an_oversized_body_gets_a_complete_413', async () => {
  const body = Buffer.alloc(70 * 1024, 'x');
  const res = parse(await exchange(
    'POST /v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
    + `Content-Length: ${body.length}\r\n\r\n`, body));
  assert.equal(res.status, 413, res.body);
  assertComplete(res, '413');
  assert.equal(JSON.parse(res.body).error.code, 'body_too_large');
});

test('a_client_uploading_10_mb_reads_the_413_every_time', async () => {
  const body = Buffer.alloc(10 * 1024 * 1024, 'x');
  for (let i = 0; i < 5; i++) {
    const res = parse(await exchange(
      'POST /v1/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
      + `Content-Length: ${body.length}\r\n\r\n`, body));
    assert.equal(res.status, 413, `upload ${i + 1}`);
    assertComplete(res, `upload ${i + 1}`);
  }
  // The server is fine afterwards.
  assert.equal((await chatd.request('GET', '/healthz')).status, 200);
});

test('http_responses_and_the_websocket_handshake_name_chatd_as_server', async () => {
  const health = parse(await exchange('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
  assert.equal(health.status, 200);
  assertComplete(health, '/healthz');
  const handshake = await new Promise((resolve, reject) => {
    const socket = net.connect(chatd.port, '127.0.0.1', () => socket.write(
      'GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
      + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'));
    let raw = '';
    socket.on('data', (d) => {
      raw += d.toString('latin1');
      if (raw.includes('\r\n\r\n')) { socket.destroy(); resolve(parse(raw)); }
    });
    socket.on('error', reject);
  });
  assert.equal(handshake.status, 101);
  assert.match(handshake.headers.server, /^chatd\/\d+\.\d+\.\d+$/);
  assert.doesNotMatch(JSON.stringify(handshake.headers), /WebSocket\+\+/);
});

test('a_frame_with_a_lone_surrogate_escape_is_answered_with_its_id', { timeout: 10000 }, async () => {
  const a = await chatd.account('sur');
  const c = await Client.connect(chatd.ws, { token: a.token });
  try {
    // What JSON.stringify makes of a string cut in the middle of an emoji.
    const text = '😀😀'.slice(0, 3);
    const frame = JSON.stringify({ type: 'send', id: 'cut-1', channel_id: 1, text });
    assert.match(frame, /\\ud83d/);
    const reply = await c.raw(frame, 'cut-1');
    assert.equal(reply.type, 'error');
    assert.equal(reply.code, 'bad_request');
    assert.equal(reply.id, 'cut-1');
    // The id after the bad string is found too.
    const late = await c.raw(`{"type":"send","text":"\\udc00","channel_id":1,"id":"cut-2"}`, 'cut-2');
    assert.equal(late.id, 'cut-2');
  } finally {
    c.close();
  }
});
