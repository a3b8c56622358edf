// chatd over TLS (--tls-cert/--tls-key): https API with a Secure cookie, and wss messaging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { Chatd } from './lib/chatd.mjs';
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

let hasOpenssl = true;
try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); } catch { hasOpenssl = false; }

test('https_and_wss_with_a_secure_cookie', { skip: !hasOpenssl && 'needs the openssl command' }, async () => {
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
