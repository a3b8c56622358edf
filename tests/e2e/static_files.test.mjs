// The static file server over a real socket (issue 12, C1): request targets are sent byte for
// byte (no client-side normalisation), and nothing outside the web and docs roots is served:
// not /etc/passwd, not the process environment, not chatd's own database or a symlinked file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Chatd } from './lib/chatd.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
let chatd;
let base;
before(async () => {
  // A copy of the web client with a symlink that points outside it.
  base = mkdtempSync(path.join(process.env.CHAT_TEST_TMP || os.tmpdir(), 'chatd-web-'));
  const web = path.join(base, 'web');
  cpSync(path.join(here, '../../apps/chatd/web'), web, { recursive: true });
  writeFileSync(path.join(base, 'secret.txt'), 'SECRET beside the web root\n');
  symlinkSync('../secret.txt', path.join(web, 'leak.txt'));
  chatd = await new Chatd({ args: ['--web-root', web] }).start();
});
after(async () => { const s = await chatd.stop(); assert.equal(s.code, 0, chatd.log); });

// Sends one raw HTTP/1.1 request and resolves {status, body} when the server closes.
function rawGet(target) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(chatd.port, '127.0.0.1');
    const chunks = [];
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] || 0);
      resolve({ status, text });
    });
    sock.write(Buffer.concat([Buffer.from('GET '), Buffer.from(target, 'latin1'),
      Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')]));
  });
}

test('no_file_outside_the_roots_is_served_over_http', async () => {
  const dbFile = path.join(chatd.dataDir, 'chat.db');
  const payloads = [
    '//etc/passwd', '//etc/hostname', '//proc/self/environ', '//proc/self/cmdline',
    `/${dbFile}`, '//proc/self/cwd/chatd-data/chat.db', `/docs/${dbFile}`,
    '/docs//etc/hostname', '/docs//etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2f..%2f..%2fetc%2fpasswd', '/..\\..\\..\\..\\etc\\passwd',
    '/js/..%5c..%5c..%5cetc/passwd', '/app.css%00.html', '/leak.txt', '/../secret.txt',
    '/docs/../apps/chatd/web/index.html', `/${'a/'.repeat(3000)}x`,
  ];
  for (const target of payloads) {
    const r = await rawGet(target);
    assert.ok(r.status === 404 || r.status === 400, `${target}: ${r.status}`);
    assert.doesNotMatch(r.text, /root:|SECRET|SQLite format/, target);
  }
});

test('the_web_client_and_docs_are_still_served', async () => {
  for (const [target, marker] of [['/', /<html/i], ['/app.css', /\w/], ['/docs/protocol.md', /chatd protocol/]]) {
    const r = await rawGet(target);
    assert.equal(r.status, 200, target);
    assert.match(r.text, marker, target);
  }
});
