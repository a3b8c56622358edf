// Limits on work anyone can ask for (docs/security.md "Floods of HTTP work" and "Password
// guessing", docs/protocol.md "Limits"): failed-login backoff (429 + Retry-After), cheap
// routes answered while the worker queue is full of abandoned logins, 503 when it is full, and
// the per-address connection cap. Each test starts its own chatd with small limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { Chatd } from './lib/chatd.mjs';

const right = 'correct horse battery';

async function withChatd(args, fn) {
  const chatd = await new Chatd({ args }).start();
  try {
    await fn(chatd);
  } finally {
    const s = await chatd.stop();
    assert.equal(s.code, 0, chatd.log);
  }
}

// Writes one raw HTTP request on a new connection. `onResponse(status, headers)` is called once
// the status line and headers are in (or never, if the connection ends without them).
function rawRequest(port, method, path, body, onResponse) {
  const socket = net.connect(port, '127.0.0.1');
  const bytes = body === undefined ? '' : JSON.stringify(body);
  const written = new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(bytes)}\r\n\r\n${bytes}`,
    () => resolve());
  });
  let data = '';
  let done = false;
  socket.on('data', (d) => {
    data += d;
    const end = data.indexOf('\r\n\r\n');
    if (done || end < 0) return;
    done = true;
    const [statusLine, ...lines] = data.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => {
      const colon = l.indexOf(':');
      return [l.slice(0, colon).toLowerCase(), l.slice(colon + 1).trim()];
    }));
    onResponse(Number(statusLine.split(' ')[1]), headers);
  });
  socket.on('error', () => {});
  const closed = new Promise((resolve) => socket.on('close', resolve));
  return { socket, written, closed };
}

async function metric(chatd, name) {
  const r = await chatd.request('GET', '/metrics');
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(r.body);
  assert.ok(m, `metric ${name} missing`);
  return Number(m[1]);
}

test('wrong_passwords_then_429_with_retry_after_per_account', async () => {
  await withChatd(['--login-failures-per-account', '3'], async (chatd) => {
    await chatd.register('victim');
    for (let i = 0; i < 3; i++) {
      const r = await chatd.request('POST', '/v1/login', { body: { username: 'victim', password: `guess ${i}` } });
      assert.equal(r.status, 401);
    }
    // Even the right password waits now: nothing is learnt by guessing during the backoff.
    const r = await chatd.request('POST', '/v1/login', { body: { username: 'VICTIM', password: right } });
    assert.equal(r.status, 429);
    assert.equal(r.body.error.code, 'rate_limited');
    const wait = Number(r.headers.get('retry-after'));
    assert.ok(wait >= 1 && wait <= 2, `Retry-After ${r.headers.get('retry-after')}`);
  });
});

test('wrong_passwords_against_many_accounts_then_429_per_address', async () => {
  await withChatd(['--login-failures-per-account', '0', '--login-failures-per-address', '4'], async (chatd) => {
    await chatd.register('someone');
    for (const name of ['ann', 'ben', 'cid', 'someone']) {
      const r = await chatd.request('POST', '/v1/login', { body: { username: name, password: 'a wrong guess' } });
      assert.equal(r.status, 401);
    }
    const r = await chatd.request('POST', '/v1/login', { body: { username: 'someone', password: right } });
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
  });
});

test('a_weak_password_is_refused_with_invalid_argument', async () => {
  await withChatd([], async (chatd) => {
    const r = await chatd.request('POST', '/v1/register', { body: { username: 'weakling', password: 'password1' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'invalid_argument');
    assert.match(r.body.error.message, /^password is too weak: /);
  });
});

test('healthz_answers_while_the_queue_is_full_of_logins_and_a_full_queue_answers_503', async () => {
  // One hash thread at the real cost, a queue of 8, and no per-address limits in the way.
  await withChatd(['--password-cost', 'interactive', '--hash-threads', '1', '--max-queued-requests', '8',
    '--password-rate', '10000', '--password-burst', '10000', '--password-rate-per-address', '10000',
    '--password-burst-per-address', '10000', '--max-connections-per-address', '0',
    '--login-failures-per-account', '0', '--login-failures-per-address', '0'], async (chatd) => {
    // 1. 200 logins at once, read to the end: the queue takes 8 (+1 running), the rest get 503.
    const order = [];
    const logins = Array.from({ length: 200 }, (_, i) => rawRequest(chatd.port, 'POST', '/v1/login',
      { username: `nobody${i}`, password: 'not the password' },
      (status, headers) => order.push({ what: 'login', status, retryAfter: headers['retry-after'] })));
    await Promise.all(logins.map((l) => l.written));
    const health = rawRequest(chatd.port, 'GET', '/healthz', undefined,
      (status) => order.push({ what: 'healthz', status }));
    await Promise.all([...logins, health].map((l) => l.closed));

    const healthAt = order.findIndex((o) => o.what === 'healthz');
    assert.equal(order[healthAt].status, 200);
    const hashed = order.filter((o) => o.what === 'login' && o.status === 401);
    const busy = order.filter((o) => o.what === 'login' && o.status === 503);
    assert.equal(hashed.length + busy.length, 200, JSON.stringify(order));
    assert.ok(busy.length >= 200 - 9 - 1, `503s: ${busy.length}`);
    assert.ok(busy.every((o) => Number(o.retryAfter) >= 1));
    // healthz did not wait for the queued logins: some of them finished after it.
    assert.ok(order.slice(healthAt + 1).some((o) => o.status === 401),
      `healthz at ${healthAt} of ${order.length}`);

    // 2. 200 logins written and abandoned at once: /healthz still answers, and the queued ones
    // whose client has gone are dropped unrun.
    const abandoned = Array.from({ length: 200 }, (_, i) => rawRequest(chatd.port, 'POST', '/v1/login',
      { username: `ghost${i}`, password: 'not the password' }, () => {}));
    await Promise.all(abandoned.map((l) => l.written));
    for (const l of abandoned) l.socket.destroy();
    const r = await chatd.request('GET', '/healthz');
    assert.equal(r.status, 200);
    for (let i = 0; i < 200 && await metric(chatd, 'chatd_http_queued') > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(await metric(chatd, 'chatd_http_queued'), 0);
    assert.ok(await metric(chatd, 'chatd_http_abandoned_total') >= 1);
    assert.ok(await metric(chatd, 'chatd_http_busy_total') >= busy.length);
    // And work goes on: a real sign-up and login.
    await chatd.register('after_flood');
    await chatd.login('after_flood');
  });
});

test('connections_per_address_are_capped', async () => {
  await withChatd(['--max-connections-per-address', '3'], async (chatd) => {
    const open = await Promise.all(Array.from({ length: 3 }, () => new Promise((resolve, reject) => {
      const ws = new WebSocket(chatd.ws);
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    })));
    // A fourth connection from the same address is closed before any request is read.
    let answered = false;
    const refused = rawRequest(chatd.port, 'GET', '/healthz', undefined, () => { answered = true; });
    await refused.closed;
    assert.equal(answered, false);
    const ws4 = new WebSocket(chatd.ws);
    await new Promise((resolve) => { ws4.once('error', resolve); ws4.once('open', resolve); });
    assert.notEqual(ws4.readyState, WebSocket.OPEN);

    // Once one closes, a new connection is served again (the slot is freed when the server has
    // dropped the closed connection, hence the bounded retry).
    open[0].close();
    await new Promise((resolve) => open[0].once('close', resolve));
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = await new Promise((resolve) => {
        const h = rawRequest(chatd.port, 'GET', '/healthz', undefined, (s) => resolve(s));
        h.closed.then(() => resolve(0));
      });
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(status, 200);
    await Promise.all(open.slice(1).map((ws) => new Promise((resolve) => { ws.once('close', resolve); ws.close(); })));
    // The server frees a slot when it has dropped the connection: retry (bounded) until served.
    let refusedTotal;
    for (let i = 0; i < 100 && refusedTotal === undefined; i++) {
      refusedTotal = await metric(chatd, 'chatd_connections_refused_total').catch(() => undefined);
      if (refusedTotal === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(refusedTotal >= 2, `refused ${refusedTotal}`);
  });
});
