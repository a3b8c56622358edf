// A real OpenID Provider (the certified `oidc-provider` package) on 127.0.0.1 for the chat_oidc
// tests, plus "static" test issuers whose documents a test can set to anything (garbage, key
// rotation) and a plain-http listener for the loopback-http allowance tests.
//
// Usage: node server.mjs <state-dir>   (free ports, written to <state-dir>/ports.json)
//   <state-dir> holds tls/ca.pem, tls/server.pem, tls/server.key and keys/{rsa1,ec1}.pem (made by
//   provider.sh). The key's file name is its `kid`.
//
// Routes:
//   https://127.0.0.1:<https-port>/...           the OpenID Provider (issuer without a path)
//   /interaction/<uid>                           auto-approves: signs in as the `login_hint`
//                                                of the authorization request ("alice" if none)
//   GET|POST /static/<name>/<path>               answers what a test stored for it (404 if none)
//   PUT /__test/static/<name>/<path>?status=&delay_ms=&content_type=   stores that answer
//   the http listener serves only /static and /__test.
//
// Test accounts: any id; email <id>@example.test; email_verified is false for ids starting
// with "unverified"; name "Test <id>".
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

import Provider from 'oidc-provider';

const [stateDir] = process.argv.slice(2);
if (!stateDir) {
  console.error('usage: node server.mjs <state-dir>');
  process.exit(2);
}
// Both listeners take free ports (two test runs can share a machine); the issuer contains the
// https port, so they listen before the provider is made, and ports.json is written (atomically)
// once everything answers: the fixture and the tests read the ports from it.
const tlsDir = path.join(stateDir, 'tls');
const httpsServer = https.createServer({
  key: readFileSync(path.join(tlsDir, 'server.key')),
  cert: readFileSync(path.join(tlsDir, 'server.pem')),
});
const httpServer = http.createServer();
const listen = (server) => new Promise((resolve) =>
  server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const httpsPort = await listen(httpsServer);
const httpPort = await listen(httpServer);
const issuer = `https://127.0.0.1:${httpsPort}`;

function privateJwk(kid, alg) {
  const pem = readFileSync(path.join(stateDir, 'keys', `${kid}.pem`));
  return { ...createPrivateKey(pem).export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

const redirectUris = ['https://chat.test/v1/auth/oidc/test/callback'];
const scopeClaims = { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'chat-web',
      client_secret: 'chat-web-secret-0123456789abcdef',
      redirect_uris: redirectUris,
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    },
    {
      client_id: 'chat-web-basic',
      client_secret: 'chat-web-basic-secret-0123456789',
      redirect_uris: redirectUris,
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
    },
    {
      // A public client, like a mobile app using the platform's sign-in SDK.
      client_id: 'chat-android',
      redirect_uris: redirectUris,
      token_endpoint_auth_method: 'none',
      id_token_signed_response_alg: 'RS256',
    },
    {
      client_id: 'other-app',
      client_secret: 'other-app-secret-0123456789abcdef',
      redirect_uris: redirectUris,
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [privateJwk('rsa1', 'RS256'), privateJwk('ec1', 'ES256')] },
  cookies: { keys: ['chat-oidc-test-cookie-key-not-secret'] },
  claims: scopeClaims,
  // Scope-requested claims (email, name) go into the ID token too, as with Google.
  conformIdTokenClaims: false,
  responseTypes: ['code'],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@example.test`,
          email_verified: !id.startsWith('unverified'),
          name: `Test ${id}`,
        };
      },
    };
  },
  // First-party test clients: every requested scope is granted without a consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const found = await ctx.oidc.provider.Grant.find(grantId);
      if (found) return found;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

const providerHandler = provider.callback();

// A fully automatic "login page": the test account is the authorization request's login_hint.
async function interaction(req, res) {
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name !== 'login') {
      res.writeHead(400).end(`unexpected prompt ${details.prompt.name}`);
      return;
    }
    const accountId = details.params.login_hint || 'alice';
    await provider.interactionFinished(req, res, { login: { accountId } },
      { mergeWithLastSubmission: false });
  } catch (err) {
    console.error('interaction failed', err);
    if (!res.headersSent) res.writeHead(500).end(String(err));
  }
}

// name/path -> { status, body, contentType, delayMs }
const staticAnswers = new Map();

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function testRoutes(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname.startsWith('/__test/static/') && req.method === 'PUT') {
    const key = url.pathname.slice('/__test/static/'.length);
    staticAnswers.set(key, {
      status: Number(url.searchParams.get('status') || 200),
      body: await readBody(req),
      contentType: url.searchParams.get('content_type') || 'application/json',
      delayMs: Number(url.searchParams.get('delay_ms') || 0),
    });
    res.writeHead(204).end();
    return true;
  }
  if (url.pathname.startsWith('/static/')) {
    await readBody(req);
    const answer = staticAnswers.get(url.pathname.slice('/static/'.length));
    if (!answer) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such static answer');
      return true;
    }
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
    }, answer.delayMs);
    return true;
  }
  return false;
}

function handler(withProvider) {
  return async (req, res) => {
    try {
      if (await testRoutes(req, res)) return;
      if (withProvider && req.url.startsWith('/interaction/')) {
        await interaction(req, res);
        return;
      }
      if (withProvider) {
        providerHandler(req, res);
        return;
      }
      res.writeHead(404).end();
    } catch (err) {
      console.error(err);
      if (!res.headersSent) res.writeHead(500).end();
    }
  };
}

httpsServer.on('request', handler(true));
httpServer.on('request', handler(false));
const portsFile = path.join(stateDir, 'ports.json');
writeFileSync(`${portsFile}.tmp`, JSON.stringify({ https: httpsPort, http: httpPort }));
renameSync(`${portsFile}.tmp`, portsFile);
console.log(`oidc test provider: ${issuer}; static issuers on http://127.0.0.1:${httpPort}`);
