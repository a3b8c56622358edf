#!/usr/bin/env node
// connect-storm prepare: the setup of bench/connect_storm.sh. Signs up N users over chatd's HTTP
// API (POST /v1/register, POST /v1/login; node-ref: POST /login) and writes their session
// tokens, one a line, to --tokens. The storm itself is bench/connect_storm_client.cpp.
// Progress goes to stderr; the last line on stdout is one JSON summary.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    server: { type: 'string', default: 'chatd' },  // chatd | node-ref
    users: { type: 'string', default: '5000' },
    tokens: { type: 'string', default: 'storm-tokens.txt' },
    concurrency: { type: 'string', default: '32' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const usage = `usage: connect-storm.mjs prepare [--url http://127.0.0.1:PORT] [--server chatd|node-ref]
  [--users N (5000)] [--tokens FILE] [--concurrency K (32)]`;
if (opt.help || positionals[0] !== 'prepare') {
  console.log(usage);
  process.exit(opt.help ? 0 : 2);
}
const base = opt.url.replace(/\/$/, '');
const nodeRef = opt.server === 'node-ref';
const log = (s) => process.stderr.write(`connect-storm: ${s}\n`);
const now = () => Number(process.hrtime.bigint()) / 1e6;  // ms

async function post(path, body) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

async function tokenFor(i) {
  const username = `storm${i}`;
  if (nodeRef) return (await post('/login', { user: username })).token;
  const password = 'connect storm password';
  await post('/v1/register', { username, password });
  return (await post('/v1/login', { username, password })).token;
}

async function prepare() {
  const users = Number(opt.users);
  const tokens = new Array(users);
  let next = 0;
  let done = 0;
  const t0 = now();
  const worker = async () => {
    while (next < users) {
      const i = next++;
      tokens[i] = await tokenFor(i);
      if (++done % 1000 === 0) log(`prepared ${done}/${users} users`);
    }
  };
  await Promise.all(Array.from({ length: Number(opt.concurrency) }, worker));
  writeFileSync(opt.tokens, tokens.join('\n') + '\n');
  const s = (now() - t0) / 1000;
  log(`${users} users with tokens in ${s.toFixed(1)} s -> ${opt.tokens}`);
  console.log(JSON.stringify({ prepared: users, seconds: s }));
}

await prepare();
process.exit(0);
