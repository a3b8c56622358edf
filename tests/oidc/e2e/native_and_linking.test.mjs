// chatd with --oidc-config against the real test provider: the native-token endpoint with
// provider-issued tokens (sign-up, then sign-in to the same account) and each refused token
// mapped to its documented HTTP error; link and unlink for a signed-in user (native and
// through the browser endpoints start -> provider -> callback).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Chatd } from '../../e2e/lib/chatd.mjs';
import { checkHttp } from '../../e2e/lib/schema.mjs';
import {
  foreignKey, followToRedirectUri, issuer, providerIdToken, redirectUri, signedToken,
  writeChatdConfig,
} from './lib/provider.mjs';

let chatd;
before(async () => {
  // "down": a provider nothing answers for (port 9 on loopback is closed).
  const down = {
    id: 'down', display_name: 'Down', issuer: 'https://127.0.0.1:9', client_id: 'c',
    client_secret: 's', redirect_uri: 'https://chat.test/v1/auth/oidc/down/callback',
  };
  chatd = await new Chatd({ args: ['--oidc-config', writeChatdConfig({ extraProviders: [down] })] }).start();
});
after(async () => { const s = await chatd.stop(); assert.equal(s.code, 0, chatd.log); });

const unique = (prefix) => `${prefix}${Math.random().toString(36).slice(2, 9)}`;

async function native(idToken, extra = {}) {
  return chatd.request('POST', '/v1/auth/oidc/native', { body: { provider: 'test', id_token: idToken, ...extra } });
}

function expectError(r, status, code) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code);
}

test('providers_are_listed_for_the_buttons', async () => {
  const r = await chatd.request('GET', '/v1/auth/oidc/providers');
  assert.equal(r.status, 200);
  checkHttp('oidc_providers', r.body);
  assert.deepEqual(r.body.providers[0], { id: 'test', name: 'Test provider', display_name: 'Test provider',
    start_url: '/v1/auth/oidc/test/start' });
  assert.deepEqual(r.body.providers.map((p) => p.id), ['test', 'down']);
});

// A native sign-up: the ticket plus an ID token of the same identity (docs/protocol.md).
function nativeSignup(ticket, idToken, username) {
  return chatd.request('POST', '/v1/auth/oidc/signup',
    { body: { ticket, provider: 'test', id_token: idToken, username } });
}

test('native_first_token_gives_a_signup_ticket_then_the_same_account_every_time', async () => {
  const subject = unique('nat');
  const idToken = await providerIdToken(subject);
  const first = await native(idToken);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  checkHttp('oidc_native', first.body);
  assert.equal(first.body.signup.provider, 'test');
  assert.equal(first.body.signup.email, `${subject}@example.test`);
  assert.equal(first.body.signup.issuer, issuer);
  assert.equal(first.body.signup.subject, subject);
  const ticket = first.body.signup.ticket;
  const name = unique('n_');
  // The username rules and errors of /v1/register; the ticket survives a refused name.
  await chatd.register(`taken${subject}`.slice(0, 20));
  const taken = await nativeSignup(ticket, idToken, `TAKEN${subject}`.slice(0, 20));
  expectError(taken, 409, 'conflict');
  const bad = await nativeSignup(ticket, idToken, 'a b');
  expectError(bad, 400, 'invalid_argument');
  const made = await nativeSignup(ticket, idToken, name);
  assert.equal(made.status, 201, JSON.stringify(made.body));
  checkHttp('login', made.body);
  assert.equal(made.body.user.username, name);
  const used = await nativeSignup(ticket, idToken, unique('x'));
  expectError(used, 400, 'invalid_ticket');

  const again = await native(await providerIdToken(subject));
  assert.equal(again.status, 200);
  checkHttp('login', again.body);
  assert.equal(again.body.user.id, made.body.user.id);
  assert.equal(again.body.user.username, name);
  const me = await chatd.request('GET', '/v1/me', { token: again.body.token });
  assert.equal(me.body.user.id, made.body.user.id);
});

// Issue 12, M2 (sign-up ticket fixation): a ticket handed to someone else creates nothing.
test('a_native_signup_ticket_is_bound_to_the_id_token_of_its_identity', async () => {
  const attacker = unique('att');
  const attackerToken = await providerIdToken(attacker);
  const first = await native(attackerToken);
  const ticket = first.body.signup.ticket;
  // The ticket alone, as a victim's browser or app would send it: refused.
  expectError(await chatd.request('POST', '/v1/auth/oidc/signup', { body: { ticket, username: unique('v_') } }),
    400, 'invalid_ticket');
  // Planted as the browser's sign-up cookie: refused too (a native ticket needs its token).
  expectError(await chatd.request('POST', '/v1/auth/oidc/signup',
    { body: { username: unique('v_') }, cookie: `chat_oidc_signup=${ticket}` }), 400, 'invalid_ticket');
  // With another identity's ID token (the victim's app): refused.
  expectError(await nativeSignup(ticket, await providerIdToken(unique('vic')), unique('v_')), 400, 'invalid_ticket');
  // A ticket is never read from a URL.
  expectError(await chatd.request('GET', `/v1/auth/oidc/signup?ticket=${encodeURIComponent(ticket)}`),
    400, 'invalid_ticket');
  // Its own identity's token: fine.
  const made = await nativeSignup(ticket, attackerToken, unique('a_'));
  assert.equal(made.status, 201, JSON.stringify(made.body));
});

test('native_nonce_is_single_use', async () => {
  const n = await chatd.request('POST', '/v1/auth/oidc/native/nonce');
  assert.equal(n.status, 200);
  checkHttp('oidc_nonce', n.body);
  const token = await providerIdToken(unique('non'), { nonce: n.body.nonce });
  const ok = await native(token, { nonce: n.body.nonce });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  expectError(await native(token, { nonce: n.body.nonce }), 401, 'replayed_nonce');
  const other = await chatd.request('POST', '/v1/auth/oidc/native/nonce');
  expectError(await native(token, { nonce: other.body.nonce }), 401, 'nonce_mismatch');
});

test('refused_native_tokens_map_to_the_documented_http_errors', async () => {
  const now = Math.floor(Date.now() / 1000);
  const cases = [
    ['signed by a foreign key', signedToken({}, { key: foreignKey() }), 401, 'bad_signature'],
    ['unknown kid', signedToken({}, { kid: 'nobody', key: foreignKey() }), 401, 'unknown_key'],
    ['wrong audience', signedToken({ aud: 'other-app' }), 401, 'wrong_audience'],
    ['expired', signedToken({ iat: now - 7200, exp: now - 3600 }), 401, 'token_expired'],
    ['wrong issuer', signedToken({ iss: 'https://evil.example' }), 401, 'wrong_issuer'],
    ['not a JWT', 'not.a.jwt', 401, 'malformed_token'],
  ];
  for (const [what, token, status, code] of cases) {
    const r = await native(token);
    assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, code, what);
  }
  // The same checks pass a well-made token signed with the provider's key: the cases above
  // fail for their one defect only.
  const good = await native(signedToken({ sub: unique('hand') }));
  assert.equal(good.status, 200, JSON.stringify(good.body));
  // The provider says the email is not verified.
  expectError(await native(await providerIdToken(unique('unverified'))), 403, 'email_not_verified');
  const unknown = await chatd.request('POST', '/v1/auth/oidc/native', { body: { provider: 'nope', id_token: signedToken({}) } });
  expectError(unknown, 404, 'unknown_provider');
  expectError(await chatd.request('POST', '/v1/auth/oidc/native', { body: { provider: 'test' } }), 400, 'bad_request');
});

test('link_and_unlink_native_for_a_signed_in_user', async () => {
  const a = await chatd.account('lk');
  const b = await chatd.account('lb');
  const subject = unique('link');
  const list0 = await chatd.request('GET', '/v1/me/identities', { token: a.token });
  assert.equal(list0.status, 200);
  checkHttp('identities', list0.body);
  assert.deepEqual(list0.body.identities, []);
  expectError(await chatd.request('GET', '/v1/me/identities'), 401, 'unauthenticated');

  const linked = await chatd.request('POST', '/v1/me/identities/test',
    { token: a.token, body: { id_token: await providerIdToken(subject) } });
  assert.equal(linked.status, 204, JSON.stringify(linked.body));
  const list1 = await chatd.request('GET', '/v1/me/identities', { token: a.token });
  checkHttp('identities', list1.body);
  assert.equal(list1.body.identities.length, 1);
  assert.equal(list1.body.identities[0].provider, 'test');
  assert.equal(list1.body.identities[0].issuer, issuer);
  assert.equal(list1.body.identities[0].subject, subject);

  // The identity now signs in to a's account.
  const signIn = await native(await providerIdToken(subject));
  assert.equal(signIn.body.user.id, a.user.id);
  // It cannot be linked to b as well.
  const stolen = await chatd.request('POST', '/v1/me/identities/test',
    { token: b.token, body: { id_token: await providerIdToken(subject) } });
  expectError(stolen, 409, 'conflict');
  // Forged tokens link nothing.
  const forged = await chatd.request('POST', '/v1/me/identities/test',
    { token: b.token, body: { id_token: signedToken({ sub: unique('f') }, { key: foreignKey() }) } });
  expectError(forged, 401, 'bad_signature');

  const gone = await chatd.request('DELETE', '/v1/me/identities/test', { token: a.token });
  assert.equal(gone.status, 204);
  const list2 = await chatd.request('GET', '/v1/me/identities', { token: a.token });
  assert.deepEqual(list2.body.identities, []);
  const fresh = await native(await providerIdToken(subject));
  assert.ok(fresh.body.signup, 'after unlinking the identity is a first-time one again');
  expectError(await chatd.request('DELETE', '/v1/me/identities/nope', { token: a.token }), 404, 'unknown_provider');
});

test('unlinking_the_last_way_to_sign_in_is_refused', async () => {
  const idToken = await providerIdToken(unique('only'));
  const first = await native(idToken);
  const made = await nativeSignup(first.body.signup.ticket, idToken, unique('o_'));
  assert.equal(made.status, 201);
  const r = await chatd.request('DELETE', '/v1/me/identities/test', { token: made.body.token });
  expectError(r, 409, 'conflict');
});

test('link_through_the_browser_endpoints', async () => {
  const a = await chatd.account('bl');
  const subject = unique('blink');
  expectError(await chatd.request('GET', '/v1/auth/oidc/test/start?purpose=link'), 401, 'unauthenticated');
  const start = await fetch(`${chatd.url}/v1/auth/oidc/test/start?purpose=link&login_hint=${subject}`,
    { redirect: 'manual', headers: { Authorization: `Bearer ${a.token}` } });
  assert.equal(start.status, 302);
  const binding = start.headers.getSetCookie().find((c) => c.startsWith('chat_oidc_binding='));
  assert.match(binding, /HttpOnly/);
  assert.match(binding, /SameSite=Lax/);
  assert.match(binding, /Path=\/v1\/auth\/oidc\//);
  const back = await followToRedirectUri(start.headers.get('location'));
  const callbackPath = back.slice(redirectUri.length - '/v1/auth/oidc/test/callback'.length);
  const cb = await fetch(`${chatd.url}${back.slice('https://chat.test'.length)}`,
    { headers: { Cookie: binding.split(';')[0] } });
  assert.ok(callbackPath.startsWith('/v1/auth/oidc/test/callback?'));
  assert.equal(cb.status, 200);
  assert.match(await cb.text(), /url=\/#oidc_linked=test/);
  assert.ok(cb.headers.getSetCookie().some((c) => /^chat_oidc_binding=;/.test(c)), 'binding cleared');
  const list = await chatd.request('GET', '/v1/me/identities', { token: a.token });
  assert.equal(list.body.identities[0].subject, subject);
  // The same callback URL a second time: the state is used up.
  const replay = await fetch(`${chatd.url}${back.slice('https://chat.test'.length)}`,
    { headers: { Cookie: binding.split(';')[0] } });
  assert.match(await replay.text(), /#oidc_error=replayed_state/);
});

test('oidc_is_404_without_a_configuration', async () => {
  const plain = await new Chatd().start();
  try {
    const r = await plain.request('GET', '/v1/auth/oidc/providers');
    expectError(r, 404, 'not_found');
  } finally {
    assert.equal((await plain.stop()).code, 0);
  }
});

test('an_unreachable_provider_is_502_for_apps_and_an_error_page_for_browsers', async () => {
  const r = await chatd.request('POST', '/v1/auth/oidc/native', { body: { provider: 'down', id_token: signedToken({}) } });
  expectError(r, 502, 'provider_unreachable');
  const start = await fetch(`${chatd.url}/v1/auth/oidc/down/start`, { redirect: 'manual' });
  assert.equal(start.status, 200);
  assert.match(await start.text(), /url=\/#oidc_error=provider_unreachable/);
  const unknown = await fetch(`${chatd.url}/v1/auth/oidc/nope/start`, { redirect: 'manual' });
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.code, 'unknown_provider');
});
