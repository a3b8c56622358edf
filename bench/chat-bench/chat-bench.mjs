#!/usr/bin/env node
// chat-bench: opens N WebSocket clients in R group channels of chatd, sends at a fixed total
// rate for a bounded time, checks every delivery (each member's other connections must get
// each message exactly once), and prints delivered messages/s, latency percentiles, missing and
// duplicate counts, and chatd's CPU time per delivered message (from /proc/PID/stat).
//
// By default it starts its own chatd (--chatd PATH, SQLite in a temp dir); with --url it drives
// a running one (give --pid for the CPU figure). See `chat-bench --help`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values: opt } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    channels: { type: 'string', default: '10' },
    rate: { type: 'string', default: '500' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    size: { type: 'string', default: '64' },
    chatd: { type: 'string' },
    url: { type: 'string' },
    pid: { type: 'string' },
    db: { type: 'string' },
    threads: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help || (!opt.chatd && !opt.url)) {
  console.log(`usage: chat-bench (--chatd PATH | --url http://HOST:PORT [--pid PID]) [options]
  --clients N     WebSocket clients, one user each              [100]
  --channels R    group channels; client i joins channel i % R  [10]
  --rate M        messages per second in total                  [500]
  --duration S    seconds of measured sending                   [10]
  --warmup S      seconds of sending before, not measured       [2]
  --size B        bytes of text per message                     [64]
  --db CONN       database for the chatd it starts (default SQLite in a temp dir)
  --threads T     I/O threads of the chatd it starts            [2]
  --json          print the figures as one JSON object`);
  process.exit(opt.help ? 0 : 2);
}
const N = Number(opt.clients); const R = Math.min(Number(opt.channels), N);
const RATE = Number(opt.rate); const DURATION = Number(opt.duration) * 1000;
const WARMUP = Number(opt.warmup) * 1000;

// ---- chatd ---------------------------------------------------------------------------------
let server = null; let base = opt.url; let pid = opt.pid ? Number(opt.pid) : null; let dataDir;
async function startChatd() {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'chat-bench-'));
  const args = ['--listen', '127.0.0.1:0', '--data-dir', dataDir, '--password-cost', 'minimum',
    '--log-level', 'warn', '--threads', opt.threads, '--rate', '100000', '--burst', '100000',
    '--max-queue-bytes', String(64 << 20), '--max-queue-frames', '1000000'];
  if (opt.db) args.push('--db', opt.db);
  server = spawn(opt.chatd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/[^:]+:(\d+)\//.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (c) => reject(new Error(`chatd exited with ${c}`)));
  });
  base = `http://127.0.0.1:${port}`;
  pid = server.pid;
}
function cpuSeconds() {
  if (!pid) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;  // utime + stime, in USER_HZ = 100
}

async function post(p, body) {
  const r = await fetch(base + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) throw new Error(`${p}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

// ---- clients -------------------------------------------------------------------------------
class BenchClient {
  constructor(index) { this.index = index; this.nextId = 1; this.pending = new Map(); this.onMessage = null; }
  async open(token) {
    this.ws = new WebSocket(base.replace(/^http/, 'ws') + '/v1/ws', { perMessageDeflate: false });
    await new Promise((res, rej) => { this.ws.once('open', res); this.ws.once('error', rej); });
    this.ws.on('message', (data) => {
      const f = JSON.parse(data);
      if (f.type === 'response' || f.type === 'error') {
        const p = this.pending.get(f.id);
        this.pending.delete(f.id);
        if (p) p(f);
      } else if (f.type === 'event' && f.event === 'message.created' && this.onMessage) {
        this.onMessage(f.message);
      }
    });
    this.ws.on('close', (code) => { this.closedWith = code; });
    const r = await this.request({ type: 'auth', token });
    if (r.type !== 'response') throw new Error(`auth: ${r.code}`);
  }
  request(frame) {
    const id = String(this.nextId++);
    return new Promise((res) => { this.pending.set(id, res); this.ws.send(JSON.stringify({ ...frame, id })); });
  }
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  if (!base) await startChatd();
  const tag = Math.random().toString(36).slice(2, 7);
  const clients = [];
  for (let i = 0; i < N; i += 20) {  // accounts and connections, 20 at a time
    await Promise.all(Array.from({ length: Math.min(20, N - i) }, async (_, k) => {
      const c = new BenchClient(i + k);
      const name = `b${tag}_${i + k}`;
      const u = await post('/v1/register', { username: name, password: 'bench password' });
      const l = await post('/v1/login', { username: name, password: 'bench password' });
      c.user = u.user.id;
      await c.open(l.token);
      clients[i + k] = c;
    }));
  }
  const channels = [];
  for (let r = 0; r < R; r++) {
    const members = clients.filter((c) => c.index % R === r);
    const res = await members[0].request({ type: 'create_group', name: `bench ${r}`, member_ids: members.slice(1).map((m) => m.user) });
    if (res.type !== 'response') throw new Error(`create_group: ${res.code} ${res.message}`);
    channels.push({ id: res.result.channel.id, members });
  }
  for (const c of clients) c.channel = channels[c.index % R];

  // Every message: who still has to receive it, and when it was sent.
  const inflight = new Map();  // client_msg_id -> { sentAt, waiting: Set(client index) }
  const latencies = []; let delivered = 0; let duplicates = 0; let unexpected = 0;
  let acked = 0; let failed = 0; let sent = 0; let lastDelivery = 0;
  for (const c of clients) {
    c.onMessage = (m) => {
      const entry = inflight.get(m.client_msg_id);
      if (!entry) { unexpected++; return; }
      if (!entry.waiting.delete(c.index)) { duplicates++; return; }
      const now = performance.now();
      if (entry.warm) {
        if (entry.waiting.size === 0 && entry.acked) inflight.delete(m.client_msg_id);
        return;
      }
      latencies.push(now - entry.sentAt);
      delivered++; lastDelivery = now;
      if (entry.waiting.size === 0 && entry.acked) inflight.delete(m.client_msg_id);
    };
  }
  const text = 'x'.repeat(Math.max(1, Number(opt.size)));
  let cpu0 = NaN;
  const start = performance.now();
  const t0 = start + WARMUP;  // the measured window starts after the warm-up
  let next = 0; let total = 0;
  await new Promise((resolve) => {
    const tick = setInterval(() => {
      const now = performance.now();
      if (now - t0 >= DURATION) { clearInterval(tick); resolve(); return; }
      const warm = now < t0;
      if (!warm && Number.isNaN(cpu0)) cpu0 = cpuSeconds();
      const due = Math.floor(((now - start) / 1000) * RATE);
      for (; total < due; total++) {
        if (!warm) sent++;
        const c = clients[next++ % N];
        const key = `${tag}-${total}`;
        const waiting = new Set(c.channel.members.filter((m) => m !== c).map((m) => m.index));
        const entry = { sentAt: performance.now(), waiting, acked: false, warm };
        inflight.set(key, entry);
        c.request({ type: 'send', channel_id: c.channel.id, text, client_msg_id: key }).then((r) => {
          if (r.type !== 'response') failed++; else if (!warm) acked++;
          entry.acked = true;
          if (entry.waiting.size === 0) inflight.delete(key);
        });
      }
    }, 5);
  });
  // Drain: wait until nothing is outstanding or 10 s pass.
  const drainUntil = performance.now() + 10000;
  while (performance.now() < drainUntil && [...inflight.values()].some((e) => e.waiting.size || !e.acked)) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const cpu1 = cpuSeconds();
  let missing = 0;
  for (const e of inflight.values()) if (!e.warm) missing += e.waiting.size;
  latencies.sort((a, b) => a - b);
  const seconds = ((lastDelivery || performance.now()) - t0) / 1000;
  const result = {
    clients: N, channels: R, rate: RATE, duration_s: DURATION / 1000, warmup_s: WARMUP / 1000,
    text_bytes: text.length,
    sent, acked, failed,
    delivered, delivered_per_s: Math.round(delivered / seconds),
    latency_ms: { p50: +percentile(latencies, 50).toFixed(2), p99: +percentile(latencies, 99).toFixed(2), p999: +percentile(latencies, 99.9).toFixed(2), max: +(latencies.at(-1) ?? NaN).toFixed(2) },
    missing, duplicates, unexpected,
    closed_clients: clients.filter((c) => c.closedWith !== undefined).length,
    chatd_cpu_s: +(cpu1 - cpu0).toFixed(2),
    chatd_cpu_us_per_delivery: +(((cpu1 - cpu0) * 1e6) / Math.max(1, delivered)).toFixed(1),
  };
  if (opt.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`clients ${N}, channels ${R}, rate ${RATE}/s for ${DURATION / 1000} s, ${text.length}-byte texts`);
    console.log(`sent ${sent}, acked ${acked}, failed ${failed}`);
    console.log(`delivered ${delivered} (${result.delivered_per_s}/s)`);
    console.log(`latency ms: p50 ${result.latency_ms.p50}  p99 ${result.latency_ms.p99}  p99.9 ${result.latency_ms.p999}  max ${result.latency_ms.max}`);
    console.log(`missing ${missing}, duplicates ${duplicates}, unexpected ${unexpected}, clients closed ${result.closed_clients}`);
    console.log(`chatd CPU ${result.chatd_cpu_s} s = ${result.chatd_cpu_us_per_delivery} µs per delivered message`);
  }
  for (const c of clients) c.ws.close();
  if (server) {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(missing || duplicates || failed ? 1 : 0);
}

main().catch((e) => { console.error(e); if (server) server.kill('SIGKILL'); process.exit(1); });
