// Logging out ends live connections: /v1/logout closes the sockets of that session (cookie or
// auth frame) with session.revoked + 4001 and leaves other sessions open; logout-everywhere
// closes them all. A username change reaches contacts and my other sessions as user.updated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Chatd } from './lib/chatd.mjs';
import { Client, isEvent } from './lib/client.mjs';

let chatd;
const clients = [];
before(async () => { chatd = await new Chatd().start(); });
after(async () => {
  for (const c of clients) { c.assertValid(); await c.close(); }
  const s = await chatd.stop();
  assert.equal(s.code, 0, chatd.log);
});

async function connect(options) {
  const c = await Client.connect(chatd.ws, options);
  clients.push(c);
  return c;
}

const isReady = (f) => f.type === 'ready';

async function expectRevoked(c) {
  const closed = await c.waitClosed();
  assert.equal(closed.code, 4001);
  assert.equal(closed.reason, 'session revoked');
  const last = c.frames[c.frames.length - 1];
  assert.deepEqual(last, { type: 'event', event: 'session.revoked' });
  c.assertValid();
}

test('logout_closes_that_sessions_sockets_with_4001_and_not_another_sessions', async () => {
  const { name } = await chatd.account('rv');
  const s1 = await chatd.login(name);
  const s2 = await chatd.login(name);
  const cookie1 = s1.cookie.split(';')[0];
  const byToken = await connect({ token: s1.token });
  const byCookie = await connect({ headers: { Cookie: cookie1, Origin: chatd.url } });
  assert.ok(await byCookie.next(isReady));
  const other = await connect({ token: s2.token });

  const r = await chatd.request('POST', '/v1/logout', { token: s1.token });
  assert.equal(r.status, 200);
  await expectRevoked(byToken);
  await expectRevoked(byCookie);

  assert.equal(other.closed, null, 'the other session stays open');
  const me = await other.call('list_channels');
  assert.ok(Array.isArray(me.channels));
  assert.ok(await other.none(isEvent('session.revoked')));
});

test('logout_by_cookie_closes_the_cookie_sockets', async () => {
  const { name } = await chatd.account('rc');
  const s = await chatd.login(name);
  const cookie = s.cookie.split(';')[0];
  const c = await connect({ headers: { Cookie: cookie, Origin: chatd.url } });
  assert.ok(await c.next(isReady));
  const r = await chatd.request('POST', '/v1/logout', { cookie, origin: chatd.url });
  assert.equal(r.status, 200);
  await expectRevoked(c);
});

test('logout_everywhere_closes_every_socket_of_the_user_only', async () => {
  const a = await chatd.account('re');
  const b = await chatd.account('rb');
  const s2 = await chatd.login(a.name);
  const c1 = await connect({ token: a.token });
  const c2 = await connect({ token: s2.token });
  const c3 = await connect({ token: s2.token });
  const bystander = await connect({ token: b.token });
  const r = await chatd.request('POST', '/v1/logout-everywhere', { token: a.token });
  assert.equal(r.status, 200);
  await Promise.all([expectRevoked(c1), expectRevoked(c2), expectRevoked(c3)]);
  assert.equal(bystander.closed, null);
  await bystander.call('list_channels');
  // A revoked token cannot open a new connection either.
  const again = await connect({});
  const reply = await again.request('auth', { token: a.token });
  assert.equal(reply.type, 'error');
  assert.equal(reply.code, 'unauthenticated');
  assert.equal((await again.waitClosed()).code, 4001);
});

test('username_change_pushes_user_updated_to_a_contact_and_my_other_sessions', async () => {
  const a = await chatd.account('ua');
  const b = await chatd.account('ub');
  const stranger = await chatd.account('us');
  const ca = await connect({ token: a.token });
  const cb = await connect({ token: b.token });
  const cs = await connect({ token: stranger.token });
  await ca.call('open_direct', { user_id: b.user.id });
  const newName = `n${a.name}`.slice(0, 20);
  const r = await chatd.request('POST', '/v1/me/username', { token: a.token, body: { username: newName } });
  assert.equal(r.status, 200);
  const got = await cb.next(isEvent('user.updated'));
  assert.deepEqual(got.user, { id: a.user.id, username: newName, created_at: a.user.created_at });
  const mine = await ca.next(isEvent('user.updated'));
  assert.equal(mine.user.username, newName);
  assert.ok(await cs.none(isEvent('user.updated')), 'no event for someone who shares no channel');
  for (const c of [ca, cb, cs]) c.assertValid();
});
