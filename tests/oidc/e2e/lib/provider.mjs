// The test OpenID Provider (tests/oidc/provider, ctest fixture oidc_provider) seen from chatd's
// end-to-end tests: chatd's OIDC configuration for it, the authorization code flow driven with
// fetch (its login page signs in as the login_hint), and ID tokens signed by hand (wrong key,
// wrong audience, expired) with the provider's own or a foreign key.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const dir = process.env.CHAT_TEST_OIDC_DIR;
if (!dir) throw new Error('CHAT_TEST_OIDC_DIR is not set (run through ctest)');
// The provider listens on free ports, written by it to ports.json in its state directory.
const { https: port } = JSON.parse(readFileSync(path.join(dir, 'ports.json'), 'utf8'));
export const issuer = `https://127.0.0.1:${port}`;
export const caFile = path.join(dir, 'tls', 'ca.pem');
// The redirect URI registered at the provider. The host does not exist: tests send the
// browser (or fetch) on to chatd with the same path and query, as DNS would for a real host.
export const redirectUri = 'https://chat.test/v1/auth/oidc/test/callback';
export const webClient = { id: 'chat-web', secret: 'chat-web-secret-0123456789abcdef' };
export const nativeClient = 'chat-android';

// Writes chatd's --oidc-config file for the test provider (plus `extraProviders`) and returns
// its path.
export function writeChatdConfig({ extraProviders = [] } = {}) {
  const config = {
    providers: [{
      id: 'test',
      display_name: 'Test provider',
      issuer,
      client_id: webClient.id,
      client_secret: webClient.secret,
      redirect_uri: redirectUri,
      native_client_ids: [nativeClient],
    }, ...extraProviders],
    http: { ca_file: caFile },
  };
  const file = path.join(mkdtempSync(path.join(process.env.CHAT_TEST_TMP || os.tmpdir(), 'oidc-')),
    'oidc.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// A cookie jar good enough for one provider host.
class Jar {
  constructor() { this.cookies = new Map(); }
  take(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
    }
  }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
}

// Follows the provider's redirects from `url` until it sends the browser to the redirect URI;
// returns that URL (with code, state, iss). NODE_EXTRA_CA_CERTS trusts the fixture CA.
export async function followToRedirectUri(url, jar = new Jar()) {
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, { redirect: 'manual', headers: { Cookie: jar.header() } });
    jar.take(res);
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (!location) throw new Error(`provider answered ${res.status} without a redirect at ${url}`);
    const next = new URL(location, url).toString();
    if (next.startsWith(redirectUri)) return next;
    url = next;
  }
  throw new Error('too many redirects at the provider');
}

// An ID token from the provider itself for the native client (a public client, PKCE), as a
// phone's sign-in SDK would get it. `user` becomes the subject; `nonce` goes into the token.
export async function providerIdToken(user, { nonce = b64url(randomBytes(16)) } = {}) {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const auth = new URL(`${issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: nativeClient, response_type: 'code', redirect_uri: redirectUri,
    scope: 'openid email profile', state: b64url(randomBytes(16)), nonce,
    code_challenge: challenge, code_challenge_method: 'S256', login_hint: user,
  }).toString();
  const back = new URL(await followToRedirectUri(auth.toString()));
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code in ${back}`);
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: redirectUri,
      client_id: nativeClient, code_verifier: verifier,
    }).toString(),
  });
  const body = await res.json();
  if (!body.id_token) throw new Error(`token endpoint: ${res.status} ${JSON.stringify(body)}`);
  return body.id_token;
}

// An RS256 token signed by hand. `key` defaults to the provider's own signing key rsa1.
export function signedToken(claims, { kid = 'rsa1', key } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: issuer, aud: webClient.id, sub: 'hand-made', iat: now, exp: now + 600,
    email: 'hand-made@example.test', email_verified: true, ...claims,
  };
  const signingKey = key || createPrivateKey(readFileSync(path.join(dir, 'keys', 'rsa1.pem')));
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), signingKey))}`;
}

export function foreignKey() {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}
