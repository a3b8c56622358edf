// Starts a real chatd on 127.0.0.1 with a fresh SQLite data directory, stops it, and restarts it
// on the same port and data (a browser page keeps its origin across the restart).
//
// Every chatd started here dies with the test process: a stop() in the test's cleanup, a
// SIGKILL on process exit, and a watchdog shell that kills it if this process is killed
// outright (SIGKILL, a ctest timeout) and cannot clean up.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const bin = process.env.CHATD_BIN;
const live = new Set();

process.on('exit', () => {
  for (const p of live) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => process.exit(130));
}

function watchdog(child) {
  const dog = spawn('/bin/sh', ['-c',
    'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill -9 "$2" 2>/dev/null',
    'chatd-watchdog', String(process.pid), String(child.pid)], { detached: true, stdio: 'ignore' });
  dog.unref();
}

export class Chatd {
  constructor({ args = [] } = {}) {
    if (!bin) throw new Error('CHATD_BIN is not set (the path of the chatd binary)');
    const tmpRoot = process.env.CHAT_TEST_TMP || os.tmpdir();
    mkdirSync(tmpRoot, { recursive: true });
    this.dataDir = mkdtempSync(path.join(tmpRoot, 'chatd-web-'));
    this.args = args;
    this.port = 0;
    this.log = '';
    this.proc = null;
  }

  // Starts chatd; resolves once it prints its URL. The first start picks a free port.
  async start() {
    const args = ['--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir,
      '--password-cost', 'minimum', '--log-level', 'info', ...this.args];
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    live.add(proc);
    watchdog(proc);
    proc.stderr.on('data', (d) => { this.log += d; });
    this.exited = new Promise((resolve) => proc.on('exit', (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    }));
    this.port = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`chatd did not start in 20 s:\n${this.log}`)), 20000);
      proc.stdout.on('data', (d) => {
        out += d;
        const m = /listening on https?:\/\/[^:]+:(\d+)\//.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      proc.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`chatd exited before listening:\n${this.log}`));
      });
    });
    this.url = `http://127.0.0.1:${this.port}`;
    return this;
  }

  // SIGTERM, then SIGKILL after 15 s; resolves with the exit status.
  async stop() {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return this.exited;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  // Stops and starts again on the same port with the same database. The port may stay
  // busy for a moment after the stop: retry briefly.
  async restart() {
    await this.stop();
    const deadline = Date.now() + 15000;
    for (;;) {
      try {
        return await this.start();
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}
