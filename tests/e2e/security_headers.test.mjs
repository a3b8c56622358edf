// The security headers of docs/security.md on every kind of HTTP response chatd sends: the web
// client, static files, docs, the API, errors, health and metrics, and refused WebSocket
// handshakes. (Over TLS, Strict-Transport-Security too: tls.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Chatd } from './lib/chatd.mjs';

let chatd;
before(async () => { chatd = await new Chatd().start(); });
after(async () => { const s = await chatd.stop(); assert.equal(s.code, 0, chatd.log); });

function assertSecurityHeaders(headers, what) {
  const csp = headers.get('content-security-policy');
  assert.ok(csp, `${what}: Content-Security-Policy`);
  assert.match(csp, /frame-ancestors 'none'/, what);
  assert.match(csp, /object-src 'none'/, what);
  assert.equal(headers.get('x-frame-options'), 'DENY', what);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', what);
  assert.ok(['no-referrer', 'same-origin'].includes(headers.get('referrer-policy')), what);
  assert.equal(headers.get('strict-transport-security'), null, `${what}: no HSTS over plain http`);
}

test('every_http_response_carries_the_security_headers', async () => {
  const cases = [
    ['GET', '/', 200], ['GET', '/app.css', 200], ['GET', '/js/main.js', 200],
    ['GET', '/docs/protocol.md', 200], ['GET', '/no-such-file', 404], ['GET', '/healthz', 200],
    ['GET', '/readyz', 200], ['GET', '/metrics', 200], ['GET', '/v1/me', 401],
    ['POST', '/v1/login', 400], ['GET', '/v1/nope', 404], ['PUT', '/v1/me', 405],
  ];
  for (const [method, url, status] of cases) {
    const r = await chatd.request(method, url, method === 'POST' ? { raw: 'not json' } : {});
    assert.equal(r.status, status, `${method} ${url}`);
    assertSecurityHeaders(r.headers, `${method} ${url}`);
  }
  // The web client's CSP is the header's: it allows its own scripts and styles only.
  const page = await chatd.request('GET', '/');
  const csp = page.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
});

test('a_refused_websocket_handshake_carries_them_too', async () => {
  const headers = await new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: chatd.port, path: '/v1/ws',
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', Origin: 'https://evil.example' },
    });
    req.on('response', (res) => { res.resume(); resolve({ status: res.statusCode, h: new Headers(res.headers) }); });
    req.on('upgrade', () => reject(new Error('the handshake was accepted')));
    req.on('error', reject);
    req.end();
  });
  assert.equal(headers.status, 403);
  assertSecurityHeaders(headers.h, 'refused handshake');
});
