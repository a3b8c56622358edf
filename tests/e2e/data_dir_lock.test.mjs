// Two chatd on one SQLite data directory (issue 13, point 6): until a cluster mode exists the
// second refuses to start with a clear error, since live events would never cross between them.
// The lock (<data-dir>/chat.db.lock) dies with its process, so a kill -9 leaves no stale lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Chatd, backend } from './lib/chatd.mjs';

test('a_second_chatd_on_the_same_data_directory_refuses_to_start', { skip: backend !== 'sqlite' && 'SQLite only' }, async () => {
  const first = await new Chatd({ db: '' }).start();
  try {
    const a = await first.account('a');
    const second = new Chatd({ db: '', dataDir: first.dataDir });
    await assert.rejects(second.start(), /chatd exited/);
    const status = await second.exited;
    assert.equal(status.code, 1, second.log);
    assert.match(second.log, /code=conflict/);
    assert.match(second.log, /in use by another engine/);
    assert.ok(existsSync(path.join(first.dataDir, 'chat.db.lock')));
    // The first one is untouched.
    assert.equal((await first.request('GET', '/readyz')).status, 200);
    await first.login(a.name);

    // Killed without a chance to clean up, the first one leaves no stale lock behind.
    await first.stop('SIGKILL');
    const third = await new Chatd({ db: '', dataDir: first.dataDir }).start();
    try {
      await third.login(a.name);
    } finally {
      await third.stop();
    }
  } finally {
    await first.stop();
  }
});
