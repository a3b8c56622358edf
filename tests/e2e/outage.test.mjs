// Database failures: an outage (MariaDB only) gives `unavailable`, /readyz 503, and the
// connections stay open until it is back; a broken schema gives `internal`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Chatd, backend, freshDatabase } from './lib/chatd.mjs';
import { Client, isMessage, sleep } from './lib/client.mjs';

// A TCP relay in front of MariaDB that the test can cut and restore.
class Relay {
  constructor(target) { this.target = target; this.sockets = new Set(); }
  async listen(port = 0) {
    this.server = net.createServer((down) => {
      const up = net.connect(this.target, '127.0.0.1');
      for (const s of [down, up]) { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); s.on('error', () => {}); }
      down.pipe(up); up.pipe(down);
    });
    await new Promise((r) => this.server.listen(port, '127.0.0.1', r));
    this.port = this.server.address().port;
  }
  async cut() {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

test('database_outage_gives_unavailable_and_recovers', { skip: backend !== 'mariadb' && 'MariaDB only' }, async () => {
  const socketDb = freshDatabase();
  const dir = path.dirname(/unix_socket=(\S+)/.exec(socketDb)[1]);
  const relay = new Relay(Number(readFileSync(path.join(dir, 'port'), 'utf8').trim()));
  await relay.listen();
  const db = socketDb.replace(/unix_socket=\S+/, `host=127.0.0.1 port=${relay.port}`);
  const chatd = await new Chatd({ db, args: ['--db-pool', '2'] }).start();
  const a = await chatd.account('a'); const b = await chatd.account('b');
  const ca = await Client.connect(chatd.ws, { token: a.token });
  const cb = await Client.connect(chatd.ws, { token: b.token });
  const { channel } = await ca.call('open_direct', { user_id: b.user.id });
  await ca.call('send', { channel_id: channel.id, text: 'before' });
  await cb.next(isMessage(channel.id));

  await relay.cut();
  const failed = await ca.request('send', { channel_id: channel.id, text: 'during', client_msg_id: 'retry-me' });
  assert.equal(failed.type, 'error');
  assert.equal(failed.code, 'unavailable', failed.message);
  const hist = await ca.request('history', { channel_id: channel.id });
  assert.equal(hist.code, 'unavailable');
  const ready = await chatd.readiness(503);
  assert.equal(ready.status, 503);
  assert.equal(ready.body.error.code, 'unavailable');
  assert.equal((await chatd.request('GET', '/healthz')).status, 200, 'alive while not ready');
  assert.equal(ca.closed, null, 'connections stay open');

  // Back: once /readyz says ready, the very first request succeeds (no retrying until one
  // does, which would hide a first request failing on a connection left over from the outage).
  await relay.listen(relay.port);
  assert.equal((await chatd.readiness(200, 15000)).status, 200, 'ready again');
  const retry = await ca.request('send', { channel_id: channel.id, text: 'during', client_msg_id: 'retry-me' });
  assert.equal(retry.type, 'response', `the first send after recovery: ${JSON.stringify(retry)}`);
  assert.equal((await cb.next(isMessage(channel.id))).message.text, 'during');
  const hist2 = await ca.request('history', { channel_id: channel.id });
  assert.equal(hist2.type, 'response', `the first history after recovery: ${JSON.stringify(hist2)}`);
  assert.deepEqual(hist2.result.messages.map((m) => m.text), ['before', 'during']);
  const metrics = await chatd.request('GET', '/metrics');
  assert.match(metrics.body, /^chatd_database_errors_total [1-9]/m);
  ca.assertValid(); cb.assertValid();
  await ca.close(); await cb.close();
  assert.equal((await chatd.stop()).code, 0, chatd.log);
  await relay.cut();
});

test('storage_failure_is_internal_and_the_connection_stays', async () => {
  const chatd = await new Chatd().start();
  const a = await chatd.account('a'); const b = await chatd.account('b');
  const ca = await Client.connect(chatd.ws, { token: a.token });
  const { channel } = await ca.call('open_direct', { user_id: b.user.id });
  await ca.call('send', { channel_id: channel.id, text: 'before' });
  // Break the schema under the running server.
  if (backend === 'mariadb') {
    const socket = /unix_socket=(\S+)/.exec(chatd.db)[1];
    const db = /db=(\S+)/.exec(chatd.db)[1];
    execFileSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-uchat', '-pchat', db, '-e', 'DROP TABLE messages']);
  } else {
    execFileSync('sqlite3', [path.join(chatd.dataDir, 'chat.db'), 'DROP TABLE messages']);
  }
  const r = await ca.request('history', { channel_id: channel.id });
  assert.equal(r.type, 'error');
  assert.equal(r.code, 'internal', r.message);
  assert.deepEqual(await ca.call('ping'), {}, 'the connection stays usable');
  ca.assertValid();
  await ca.close();
  assert.equal((await chatd.stop()).code, 0, chatd.log);
});

// Readiness means "can write" (issue 13, point 5): a database that still answers reads but
// refuses writes (here its files made immutable, as on a read-only file system) is not ready.
test('a_database_that_cannot_write_is_not_ready', { skip: backend !== 'sqlite' && 'SQLite files' }, async (t) => {
  const chatd = await new Chatd().start();
  const files = ['chat.db', 'chat.db-wal'].map((f) => path.join(chatd.dataDir, f));
  const a = await chatd.account('a'); const b = await chatd.account('b');
  const ca = await Client.connect(chatd.ws, { token: a.token });
  const { channel } = await ca.call('open_direct', { user_id: b.user.id });
  await ca.call('send', { channel_id: channel.id, text: 'before' });
  try {
    execFileSync('chattr', ['+i', ...files], { stdio: 'ignore' });
  } catch {
    await ca.close(); await chatd.stop();
    t.skip('chattr +i is not supported here');
    return;
  }
  try {
    assert.equal((await chatd.readiness(503)).status, 503, 'not ready while writes fail');
    const failed = await ca.request('send', { channel_id: channel.id, text: 'during', client_msg_id: 'w1' });
    assert.equal(failed.code, 'unavailable', JSON.stringify(failed));
    assert.match(failed.message, /not stored, retry with the same client_msg_id/);
    assert.equal((await ca.call('history', { channel_id: channel.id })).messages.length, 1, 'reads still work');
    const metrics = await chatd.request('GET', '/metrics');
    assert.match(metrics.body, /^chatd_database_up 0$/m);
  } finally {
    execFileSync('chattr', ['-i', ...files], { stdio: 'ignore' });
  }
  const ready = await chatd.readiness(200);
  if (ready.status !== 200) await chatd.stop('SIGKILL');
  assert.equal(ready.status, 200, `ready again once it can write:\n${chatd.log.split("\n").filter((l) => !l.includes("event=http")).join("\n").slice(-4000)}`);
  await ca.call('send', { channel_id: channel.id, text: 'during', client_msg_id: 'w1' });
  ca.assertValid();
  await ca.close();
  assert.equal((await chatd.stop()).code, 0, chatd.log);
  assert.match(chatd.log, /level=warn.*event=database\.down/);
  assert.match(chatd.log, /level=info.*event=database\.up/);
});

// "Unknown database" is a configuration error: exit 2 and said so, not `unavailable`.
test('a_database_that_refuses_the_configuration_is_a_configuration_error', { skip: backend !== 'mariadb' && 'MariaDB only' }, async () => {
  const socketDb = freshDatabase();
  const db = socketDb.replace(/db=\S+/, 'db=no_such_database_here');
  const chatd = new Chatd({ db });
  await assert.rejects(chatd.start(), /chatd exited/);
  const status = await chatd.exited;
  assert.equal(status.code, 2, chatd.log);
  assert.match(chatd.log, /event=database_failed .*code=configuration/);
  assert.doesNotMatch(chatd.log, /code=unavailable/);
});
