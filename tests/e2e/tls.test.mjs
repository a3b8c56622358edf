// chatd over TLS (--tls-cert/--tls-key): https API with a Secure cookie, and wss messaging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { Chatd, backend } from './lib/chatd.mjs';
import { Client, isMessage } from './lib/client.mjs';

function selfSigned() {
  const dir = mkdtempSync(path.join(process.env.CHAT_TEST_TMP || os.tmpdir(), 'chatd-tls-'));
  const cert = path.join(dir, 'cert.pem'); const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key, ca: readFileSync(cert) };
}

function post(port, ca, p, body, token) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = https.request({ host: '127.0.0.1', port, path: p, method: 'POST', ca,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data),
        ...(token ? { Authorization: `Bearer ${token}` } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

// Without the openssl command these tests skip; under CHAT_REQUIRE_TEST_DEPS=1 (./test.sh, CI)
// they run anyway and fail on the missing command.
let hasOpenssl = true;
try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); } catch { hasOpenssl = false; }
const opensslSkip = !hasOpenssl && process.env.CHAT_REQUIRE_TEST_DEPS !== '1' && 'needs the openssl command';

test('https_and_wss_with_a_secure_cookie', { skip: opensslSkip }, async () => {
  const { cert, key, ca } = selfSigned();
  const chatd = await new Chatd({ args: ['--tls-cert', cert, '--tls-key', key] }).start();
  const port = chatd.port;
  const tokens = {};
  for (const name of ['tls_alice', 'tls_bob']) {
    assert.equal((await post(port, ca, '/v1/register', { username: name, password: 'tls password' })).status, 201);
    const login = await post(port, ca, '/v1/login', { username: name, password: 'tls password' });
    assert.equal(login.status, 200);
    assert.match(login.headers['set-cookie'][0], /HttpOnly; SameSite=Strict; Secure/);
    tokens[name] = login.body.token;
  }
  const url = `wss://127.0.0.1:${port}/v1/ws`;
  const a = await Client.connect(url, { token: tokens.tls_alice, ws: { ca } });
  const b = await Client.connect(url, { token: tokens.tls_bob, ws: { ca } });
  const { channel } = await a.call('open_direct', { username: 'tls_bob' });
  const sent = await a.call('send', { channel_id: channel.id, text: 'over tls' });
  assert.equal((await b.next(isMessage(channel.id))).message.id, sent.message.id);
  // Plain ws:// on the TLS port does not work.
  await assert.rejects(new Client(`ws://127.0.0.1:${port}/v1/ws`).open());
  a.assertValid(); b.assertValid();
  await a.close(); await b.close();
  assert.equal((await chatd.stop()).code, 0, chatd.log);
});

test('unreachable_database_at_start_exits_1_with_a_clear_log_and_no_password', async () => {
  const chatd = new Chatd({ db: 'mysql://db=nope user=chat password=s3cret-pw unix_socket=/nonexistent/mysql.sock' });
  await assert.rejects(chatd.start(), /exited/);
  const status = await chatd.exited;
  assert.equal(status.code, 1);
  assert.match(chatd.log, /event=database_failed/);
  assert.doesNotMatch(chatd.log, /s3cret-pw/);
});

test('the_database_password_is_masked_in_the_log_also_when_written_pass', async () => {
  // A failed start logs the connection string: SOCI's MySQL backend reads `pass=` too.
  const failed = new Chatd({ db: "mysql://db=nope user=chat pass=s3cret-pw2 unix_socket=/nonexistent/mysql.sock" });
  await assert.rejects(failed.start(), /exited/);
  assert.equal((await failed.exited).code, 1);
  assert.match(failed.log, /event=database_failed db="mysql:\/\/db=nope user=chat pass=\*\*\* unix_socket=/);
  assert.doesNotMatch(failed.log, /s3cret-pw2/);
  // A successful start logs it too: on MariaDB with the password as `pass=`, on SQLite with a
  // `pass=` its backend ignores.
  const fresh = new Chatd();
  const db = backend === 'mariadb'
    ? fresh.db.replace(/\bpassword=/, 'pass=')
    : `sqlite3://db=${path.join(fresh.dataDir, 'chat.db')} pass=s3cret-pw3`;
  const chatd = await new Chatd({ db, dataDir: fresh.dataDir }).start();
  assert.equal((await chatd.stop()).code, 0, chatd.log);
  assert.match(chatd.log, /event=listening .*pass=\*\*\*/);
  assert.doesNotMatch(chatd.log, backend === 'mariadb' ? /pass=chat/ : /s3cret-pw3/);
});

// An RSA certificate: the server then has every classic suite at hand (RSA key exchange, CBC).
function selfSignedRsa() {
  const dir = mkdtempSync(path.join(process.env.CHAT_TEST_TMP || os.tmpdir(), 'chatd-tls-rsa-'));
  const cert = path.join(dir, 'cert.pem'); const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
    '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
  { stdio: 'ignore' });
  return { cert, key, ca: readFileSync(cert) };
}

// A TLS handshake with `options`: {ok, protocol, cipher} or {ok: false, error}.
function handshake(port, ca, options) {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, ...options }, () => {
      const r = { ok: true, protocol: s.getProtocol(), cipher: s.getCipher().name };
      s.destroy();
      resolve(r);
    });
    s.on('error', (e) => resolve({ ok: false, error: e.code || e.message }));
  });
}

test('tls_offers_only_forward_secret_aead_suites_and_no_renegotiation', { skip: opensslSkip }, async () => {
  const { cert, key, ca } = selfSignedRsa();
  const chatd = await new Chatd({ args: ['--tls-cert', cert, '--tls-key', key] }).start();
  const port = chatd.port;
  const tls12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
  // Refused: CBC with SHA-1 (even with ECDHE), CBC with SHA-256, RSA key exchange (no forward
  // secrecy) even with GCM. Each alone on the client's list, so the server has to say no.
  for (const ciphers of ['ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'AES128-SHA',
    'AES128-GCM-SHA256', 'AES256-GCM-SHA384']) {
    const r = await handshake(port, ca, { ...tls12, ciphers });
    assert.equal(r.ok, false, `${ciphers} was accepted`);
    assert.match(r.error, /HANDSHAKE_FAILURE|NO_SHARED_CIPHER/, ciphers);
  }
  // TLS 1.1 and 1.0 are refused by the server (the client allows them at security level 0).
  for (const version of ['TLSv1', 'TLSv1.1']) {
    const r = await handshake(port, ca, { minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' });
    assert.equal(r.ok, false, `${version} was accepted`);
    assert.match(r.error, /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION/, version);
  }
  // Modern clients: TLS 1.3, and TLS 1.2 with ECDHE and GCM or ChaCha20; the server's order
  // decides (a client preferring ChaCha20 gets the server's first choice, AES-GCM).
  const modern = await handshake(port, ca, {});
  assert.equal(modern.ok, true);
  assert.equal(modern.protocol, 'TLSv1.3');
  for (const ciphers of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']) {
    const r = await handshake(port, ca, { ...tls12, ciphers });
    assert.deepEqual(r, { ok: true, protocol: 'TLSv1.2', cipher: ciphers });
  }
  const preferred = await handshake(port, ca, { ...tls12, ciphers: 'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256' });
  assert.equal(preferred.cipher, 'ECDHE-RSA-AES128-GCM-SHA256');
  // A client-initiated renegotiation is refused (OpenSSL 3's default too; chatd says so itself).
  const renegotiated = await new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, ...tls12 }, () => {
      s.renegotiate({ rejectUnauthorized: true }, (err) => {
        s.destroy();
        resolve(err ? err.code || err.message : 'renegotiated');
      });
    });
    s.on('error', (e) => resolve(e.code || e.message));
  });
  assert.equal(renegotiated, 'ERR_SSL_NO_RENEGOTIATION');
  // HTTPS responses carry Strict-Transport-Security.
  const res = await post(port, ca, '/v1/login', { username: 'nobody_here', password: 'wrong password' });
  assert.equal(res.status, 401);
  assert.match(res.headers['strict-transport-security'], /max-age=\d+/);
  assert.equal((await chatd.stop()).code, 0, chatd.log);
});
