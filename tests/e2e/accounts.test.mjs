// HTTP account API: register, login (cookie + token), logout, logout everywhere, current user,
// change username, duplicate names in any letter case, health, readiness and metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Chatd } from './lib/chatd.mjs';
import { Client } from './lib/client.mjs';
import { checkHttp } from './lib/schema.mjs';

let chatd;
before(async () => { chatd = await new Chatd().start(); });
after(async () => { const s = await chatd.stop(); assert.equal(s.code, 0, chatd.log); });

test('register_login_me_logout', async () => {
  const user = await chatd.register('Alice_1');
  assert.equal(user.username, 'Alice_1');
  const login = await chatd.login('alice_1');  // any letter case
  assert.match(login.cookie, /^chat_session=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict/);
  const me = await chatd.request('GET', '/v1/me', { token: login.token });
  assert.equal(me.status, 200);
  checkHttp('user', me.body);
  assert.equal(me.body.user.id, user.id);
  const cookie = login.cookie.split(';')[0];
  const meByCookie = await chatd.request('GET', '/v1/me', { cookie });
  assert.equal(meByCookie.body.user.id, user.id);
  const out = await chatd.request('POST', '/v1/logout', { token: login.token });
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  const after = await chatd.request('GET', '/v1/me', { token: login.token });
  assert.equal(after.status, 401);
  assert.equal(after.body.error.code, 'unauthenticated');
});

test('duplicate_username_in_any_letter_case_is_conflict', async () => {
  await chatd.register('Bob_dup');
  for (const name of ['Bob_dup', 'bob_dup', 'BOB_DUP']) {
    const r = await chatd.request('POST', '/v1/register', { body: { username: name, password: 'another password' } });
    assert.equal(r.status, 409, name);
    assert.equal(r.body.error.code, 'conflict');
  }
});

test('wrong_password_and_unknown_user_look_the_same', async () => {
  await chatd.register('carol_pw');
  const a = await chatd.request('POST', '/v1/login', { body: { username: 'carol_pw', password: 'wrong password' } });
  const b = await chatd.request('POST', '/v1/login', { body: { username: 'nobody_here', password: 'wrong password' } });
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.deepEqual(a.body, b.body);
});

test('logout_everywhere_revokes_all_sessions_and_closes_nothing_else', async () => {
  await chatd.register('dave_all');
  const s1 = await chatd.login('dave_all');
  const s2 = await chatd.login('dave_all');
  const r = await chatd.request('POST', '/v1/logout-everywhere', { token: s1.token });
  assert.equal(r.status, 200);
  checkHttp('logout_everywhere', r.body);
  assert.ok(r.body.revoked >= 2);
  assert.equal((await chatd.request('GET', '/v1/me', { token: s2.token })).status, 401);
});

test('change_username', async () => {
  await chatd.register('erin_old');
  const { token } = await chatd.login('erin_old');
  const r = await chatd.request('POST', '/v1/me/username', { token, body: { username: 'erin_new' } });
  assert.equal(r.status, 200);
  assert.equal(r.body.user.username, 'erin_new');
  const taken = await chatd.request('POST', '/v1/me/username', { token, body: { username: 'BOB_DUP' } });
  assert.equal(taken.status, 409);
  await chatd.login('erin_new');
});

test('http_errors_have_stable_codes_and_statuses', async () => {
  const cases = [
    [await chatd.request('POST', '/v1/register', { raw: '{not json', body: undefined }), 400, 'bad_request'],
    [await chatd.request('POST', '/v1/register', { body: { username: 'x' } }), 400, 'bad_request'],
    [await chatd.request('POST', '/v1/register', { body: { username: 'a b', password: 'password123' } }), 400, 'invalid_argument'],
    [await chatd.request('POST', '/v1/register', { body: { username: 'shortpw', password: 'short' } }), 400, 'invalid_argument'],
    [await chatd.request('GET', '/v1/login'), 405, 'method_not_allowed'],
    [await chatd.request('GET', '/v1/nothing'), 404, 'not_found'],
    [await chatd.request('GET', '/v1/me'), 401, 'unauthenticated'],
    [await chatd.request('POST', '/v1/login', { origin: 'https://evil.example', body: { username: 'a', password: 'b' } }), 403, 'forbidden'],
  ];
  for (const [r, status, code] of cases) {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
  }
  const big = await chatd.request('POST', '/v1/register', { raw: `{"username":"${'x'.repeat(70000)}"}` });
  assert.equal(big.status, 413);
});

test('healthz_readyz_metrics_and_static_page', async () => {
  const h = await chatd.request('GET', '/healthz');
  assert.equal(h.status, 200);
  checkHttp('health', h.body);
  const r = await chatd.request('GET', '/readyz');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ready');
  const m = await chatd.request('GET', '/metrics');
  assert.equal(m.status, 200);
  for (const name of ['chatd_connections', 'chatd_frames_in_total', 'chatd_frames_out_total',
    'chatd_messages_sent_total', 'chatd_messages_delivered_total', 'chatd_delivery_latency_seconds_bucket',
    'chatd_database_errors_total', 'chatd_commit_batch_size_bucket']) {
    assert.match(m.body, new RegExp(`^${name}`, 'm'), name);
  }
  const page = await chatd.request('GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  const doc = await chatd.request('GET', '/docs/protocol.md');
  assert.equal(doc.status, 200);
  assert.match(doc.body, /chatd protocol/);
  const traversal = await chatd.request('GET', '/../CMakeLists.txt');
  assert.notEqual(traversal.status, 200);
});

test('websocket_authenticates_by_cookie_from_an_allowed_origin_only', async () => {
  await chatd.register('frank_ck');
  const { cookie } = await chatd.login('frank_ck');
  const c = cookie.split(';')[0];
  const ok = new Client(chatd.ws);
  await ok.open({ Cookie: c, Origin: chatd.url });
  const ready = await ok.next((f) => f.type === 'ready');
  assert.equal(ready.user.username, 'frank_ck');
  await ok.close();
  const evil = new Client(chatd.ws);
  await assert.rejects(evil.open({ Cookie: c, Origin: 'https://evil.example' }), /403/);
  // A cookie without an Origin (not a browser) is ignored: the client must send auth.
  const plain = new Client(chatd.ws);
  await plain.open({ Cookie: c });
  const r = await plain.request('list_channels');
  assert.equal(r.code, 'unauthenticated');
  await plain.close();
});
