// Starts a real chatd on a free port (SQLite in a temporary data directory, or a fresh MariaDB
// database when CHAT_E2E_BACKEND=mariadb) and stops it; HTTP helpers for its API.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkHttp } from './schema.mjs';

export const backend = process.env.CHAT_E2E_BACKEND || 'sqlite';
const bin = process.env.CHATD_BIN;
if (!bin) throw new Error('CHATD_BIN is not set');
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
  constructor({ args = [], db, dataDir } = {}) {
    this.dataDir = dataDir || mkdtempSync(path.join(tmpRoot, 'chatd-e2e-'));
    this.db = db === undefined ? freshDatabase() : db;
    this.args = args;
    this.log = '';
  }

  // Starts the process and resolves once it prints its URL.
  async start() {
    const args = ['--listen', '127.0.0.1:0', '--data-dir', this.dataDir,
      '--password-cost', 'minimum', '--log-level', 'debug', ...this.args];
    if (this.db) args.push('--db', this.db);
    this.proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d) => { this.log += d; });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) =>
      resolve({ code, signal })));
    const port = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`chatd did not start:\n${this.log}`)), 15000);
      this.proc.stdout.on('data', (d) => {
        out += d;
        const m = /listening on https?:\/\/[^:]+:(\d+)\//.exec(out);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
      this.proc.on('exit', () => { clearTimeout(timer); reject(new Error(`chatd exited:\n${this.log}`)); });
    });
    this.port = port;
    this.http = `http://127.0.0.1:${port}`;
    this.ws = `ws://127.0.0.1:${port}/v1/ws`;
    return this;
  }

  // Sends a signal and resolves with the exit status.
  async stop(signal = 'SIGTERM') {
    if (!this.proc || this.proc.exitCode !== null) return this.exited;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20000);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  // Polls GET /readyz (readiness comes from chatd's monitor, checked each second and right
  // after a failure) until it answers `status` or `ms` pass; resolves with the last response.
  async readiness(status, ms = 5000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const r = await this.request('GET', '/readyz');
      if (r.status === status || Date.now() > deadline) return r;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  // An HTTP request; resolves {status, headers, body} (body parsed as JSON when it is JSON).
  async request(method, url, { body, token, cookie, origin, raw } = {}) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    if (cookie) headers.Cookie = cookie;
    if (origin) headers.Origin = origin;
    const res = await fetch(this.http + url, {
      method, headers, body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed = text;
    if ((res.headers.get('content-type') || '').startsWith('application/json')) parsed = JSON.parse(text);
    if (parsed && parsed.error) checkHttp('error', parsed);
    return { status: res.status, headers: res.headers, body: parsed };
  }

  async register(username, password = 'correct horse battery') {
    const r = await this.request('POST', '/v1/register', { body: { username, password } });
    if (r.status !== 201) throw new Error(`register ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    checkHttp('user', r.body);
    return r.body.user;
  }

  async login(username, password = 'correct horse battery') {
    const r = await this.request('POST', '/v1/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    checkHttp('login', r.body);
    return { ...r.body, cookie: r.headers.get('set-cookie') };
  }

  // Registers and logs in a user with a name unique to this run.
  async account(prefix = 'u') {
    const name = `${prefix}${Math.random().toString(36).slice(2, 10)}`.slice(0, 20);
    const user = await this.register(name);
    const { token } = await this.login(name);
    return { user, token, name };
  }
}
