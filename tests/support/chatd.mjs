// The one chatd launcher of the Node suites (end-to-end, browser, OpenID Connect): starts a real
// chatd on 127.0.0.1 (a free port on the first start, the same port on a restart) with a
// temporary data directory and SQLite in it, or a fresh MariaDB database when
// CHAT_E2E_BACKEND=mariadb; stops and restarts it. Node built-ins only, so that every suite can
// import it whatever its node_modules.
//
// Every chatd started here dies with the test process: a stop() in the test's cleanup, a
// SIGKILL on process exit, and a watchdog shell that kills it if this process is killed
// outright (SIGKILL, a ctest timeout) and cannot clean up.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const backend = process.env.CHAT_E2E_BACKEND || 'sqlite';
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

// Made at import: suites make their own files in it too.
const tmpRoot = process.env.CHAT_TEST_TMP || os.tmpdir();
mkdirSync(tmpRoot, { recursive: true });

let dbCounter = 0;
// A new database for one server: a fresh MariaDB schema, or '' (SQLite file in the data dir).
export function freshDatabase() {
  if (backend !== 'mariadb') return '';
  const conn = process.env.CHAT_TEST_MYSQL;
  const socket = /unix_socket=(\S+)/.exec(conn || '')?.[1];
  if (!socket) throw new Error('CHAT_TEST_MYSQL with a unix_socket is needed for mariadb');
  const name = `chatd_e2e_${process.pid}_${Date.now() % 100000}_${++dbCounter}`;
  execFileSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-uchat', '-pchat', '-e',
    `CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`]);
  return `mysql://db=${name} user=chat password=chat unix_socket=${socket} charset=utf8mb4`;
}

export class Chatd {
  // args: extra command-line options; db: a database URL ('' for SQLite in the data directory,
  // the default per CHAT_E2E_BACKEND); dataDir: an existing data directory to reuse.
  constructor({ args = [], db, dataDir } = {}) {
    if (!bin) throw new Error('CHATD_BIN is not set (the path of the chatd binary)');
    this.dataDir = dataDir || mkdtempSync(path.join(tmpRoot, 'chatd-'));
    this.db = db === undefined ? freshDatabase() : db;
    this.args = args;
    this.port = 0;
    this.log = '';
    this.proc = null;
  }

  // Starts chatd; resolves once it prints its URL. The first start picks a free port.
  async start() {
    const args = ['--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir,
      '--password-cost', 'minimum', '--log-level', 'debug', ...this.args];
    if (this.db) args.push('--db', this.db);
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
    this.ws = `ws://127.0.0.1:${this.port}/v1/ws`;
    return this;
  }

  // Sends `signal` (SIGKILL after 20 s); resolves with the exit status.
  async stop(signal = 'SIGTERM') {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return this.exited;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20000);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  // Stops and starts again on the same port with the same data (a browser page keeps its
  // origin across the restart). The port may stay busy for a moment after the stop: retry
  // briefly.
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
