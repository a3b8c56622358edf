// The WebSocket to chatd (/v1/ws): cookie authentication ("ready"), requests matched to their
// responses by id, events, keep-alive, and reconnection with exponential backoff and jitter.
//
// Listeners (EventTarget): "ready" (detail: session info, after every (re)connection),
// "event" (detail: event frame), "status" (detail: {state, attempt, retryAt, offline}),
// "unauthenticated" (the session is gone: sign in again).
//
// Requests are paced by the `limits` chatd announces in "ready" (a token bucket like the
// server's, a little slower), in the order they were made, so that the client never runs into
// `rate_limited` by its own speed. A request without an answer within requestTimeoutMs means
// the connection is dead even if the socket looks open (a network that silently drops
// packets): it is closed and a new one made. The browser's offline signal closes it at once;
// the online signal reconnects at once.

// Timings. The browser tests shorten them through window.libchatTestTimings (set before the
// page's scripts run); the behaviour is the same, only faster.
const TIMINGS = {
  readyTimeoutMs: 5000,     // handshake done but no "ready": the cookie is not valid
  requestTimeoutMs: 15000,  // no answer: the connection is dead (or chatd is stuck): reconnect
  pingEveryMs: 20000,       // below chatd's idle timeout (60 s)
  pingTimeoutMs: 10000,
  backoffBaseMs: 500,
  backoffMaxMs: 10000,
  ...(typeof window !== 'undefined' && window.libchatTestTimings) || {},
};
// Used until chatd's "ready" announces its own limits (docs/protocol.md, Limits).
const DEFAULT_RATE = 20;
const DEFAULT_BURST = 40;

export class RequestError extends Error {
  constructor(code, message) {
    super(message || code);
    this.code = code;
  }
}

export class Connection extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    this.ws = null;
    this.state = 'idle';  // idle | connecting | open | waiting | stopped
    this.attempt = 0;     // failed attempts since the last good connection
    this.nextId = 1;
    this.pending = new Map();  // request id -> {resolve, reject, timer}
    this.retryTimer = null;
    this.readyTimer = null;
    this.pingTimer = null;
    this.retryAt = 0;
    this.limits = null;
    this.rate = DEFAULT_RATE * 0.9;  // tokens per second
    this.burst = DEFAULT_BURST - 2;
    this.tokens = this.burst;
    this.tokensAt = Date.now();
    this.queue = [];                 // requests waiting for a token, in order
    this.queueTimer = null;
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => this.wentOffline();
    this.onVisible = () => {
      if (document.visibilityState === 'visible') this.reconnectNow();
    };
  }

  start() {
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    document.addEventListener('visibilitychange', this.onVisible);
    if (navigator.onLine === false) this.scheduleRetry();
    else this.connect();
  }

  stop() {
    this.state = 'stopped';
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    document.removeEventListener('visibilitychange', this.onVisible);
    clearTimeout(this.retryTimer);
    clearTimeout(this.readyTimer);
    clearInterval(this.pingTimer);
    if (this.ws) {
      this.ws.onclose = null;
      this.ws.close(1000, 'signed out');
      this.ws = null;
    }
    this.failPending('disconnected', 'signed out');
  }

  get isOpen() {
    return this.state === 'open';
  }

  // The browser says there is no network: whatever socket there is cannot carry anything.
  get offline() {
    return navigator.onLine === false;
  }

  // Skips the backoff wait (the "Retry now" button, the browser coming back online).
  reconnectNow() {
    if (this.state !== 'waiting') return;
    clearTimeout(this.retryTimer);
    this.connect();
  }

  wentOffline() {
    if (this.state === 'stopped') return;
    if (this.ws) this.drop(this.ws, 4000, 'offline');
    else if (this.state === 'waiting') this.setState('waiting');  // now says "offline"
  }

  connect() {
    this.setState('connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      // chatd pushes "ready" after a cookie-authenticated handshake; without it the cookie
      // was refused, and only signing in again helps.
      this.readyTimer = setTimeout(() => {
        this.drop(ws, 1000, 'no session');
        this.dispatchEvent(new CustomEvent('unauthenticated'));
      }, TIMINGS.readyTimeoutMs);
    };
    ws.onmessage = (e) => this.onFrame(e.data);
    ws.onclose = (e) => this.closed(ws, e.code);
  }

  // Forgets a socket (closed by the server, the network, or us) and plans the next attempt.
  closed(ws, code) {
    if (this.ws !== ws) return;
    this.ws = null;
    ws.onclose = null;
    ws.onmessage = null;
    clearTimeout(this.readyTimer);
    clearInterval(this.pingTimer);
    this.failPending('disconnected', 'connection lost');
    if (this.state === 'stopped') return;
    if (code === 4001) this.dispatchEvent(new CustomEvent('unauthenticated'));  // auth_failed
    this.scheduleRetry();
  }

  // Closes a socket without waiting for the closing handshake (it may never come).
  drop(ws, code, reason) {
    try {
      ws.close(code, reason);
    } catch { /* already closing */ }
    this.closed(ws, code);
  }

  // Waits before the next attempt; while the browser is offline, until it is online again.
  scheduleRetry() {
    if (this.state === 'stopped') return;
    clearTimeout(this.retryTimer);
    const cap = Math.min(TIMINGS.backoffMaxMs, TIMINGS.backoffBaseMs * 2 ** this.attempt);
    const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.setState('waiting');
    this.retryTimer = setTimeout(() => {
      if (this.offline) this.scheduleRetry();  // the "online" event reconnects
      else this.connect();
    }, delay);
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('status', {
      detail: { state, attempt: this.attempt, retryAt: this.retryAt, offline: this.offline },
    }));
  }

  onFrame(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    if (frame.type === 'ready') {
      clearTimeout(this.readyTimer);
      this.attempt = 0;
      this.setLimits(frame.limits);
      this.setState('open');
      this.startPings();
      this.dispatchEvent(new CustomEvent('ready', { detail: frame }));
    } else if (frame.type === 'event') {
      this.dispatchEvent(new CustomEvent('event', { detail: frame }));
    } else if ((frame.type === 'response' || frame.type === 'error') && frame.id != null) {
      const waiter = this.pending.get(frame.id);
      if (!waiter) return;
      this.pending.delete(frame.id);
      clearTimeout(waiter.timer);
      if (frame.type === 'error' && frame.code === 'rate_limited') this.tokens = 0;  // slow down
      if (frame.type === 'response') waiter.resolve(frame.result || {});
      else waiter.reject(new RequestError(frame.code, frame.message));
    }
  }

  // chatd's bucket for this connection starts full with every connection, as ours does. Ours
  // refills a tenth slower and holds two tokens less, so that network jitter (two frames
  // arriving closer together than they left) does not empty chatd's first.
  setLimits(limits) {
    this.limits = limits || null;
    const rate = Number(limits?.requests_per_second) > 0 ? Number(limits.requests_per_second) : DEFAULT_RATE;
    const burst = Number(limits?.request_burst) > 0 ? Number(limits.request_burst) : DEFAULT_BURST;
    this.rate = rate * 0.9;
    this.burst = Math.max(1, burst - 2);
    this.tokens = this.burst;
    this.tokensAt = Date.now();
  }

  refill() {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.tokensAt) / 1000) * this.rate);
    this.tokensAt = now;
  }

  // Sends one request; resolves with its result, rejects with a RequestError (code
  // "disconnected" if the connection is not open or drops first, "timeout" if no answer).
  // Requests wait their turn for the rate; `droppable` ones (typing) are not sent at all
  // when they would have to wait (code "skipped").
  request(type, fields = {}, { timeoutMs = TIMINGS.requestTimeoutMs, droppable = false } = {}) {
    if (!this.isOpen || !this.ws) {
      return Promise.reject(new RequestError('disconnected', 'not connected'));
    }
    this.refill();
    if (droppable && (this.queue.length || this.tokens < 1)) {
      return Promise.reject(new RequestError('skipped', 'not sent: at the rate limit'));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ type, fields, timeoutMs, resolve, reject, ws: this.ws });
      this.pump();
    });
  }

  // Sends queued requests while there are tokens; else waits for the next one.
  pump() {
    clearTimeout(this.queueTimer);
    this.queueTimer = null;
    while (this.queue.length) {
      const q = this.queue[0];
      if (q.ws !== this.ws || !this.isOpen) {  // made on a connection that has since closed
        this.queue.shift();
        q.reject(new RequestError('disconnected', 'connection lost'));
        continue;
      }
      this.refill();
      if (this.tokens < 1) {
        const wait = Math.ceil(((1 - this.tokens) / this.rate) * 1000);
        this.queueTimer = setTimeout(() => this.pump(), Math.max(wait, 5));
        return;
      }
      this.tokens -= 1;
      this.queue.shift();
      this.transmit(q);
    }
  }

  transmit({ type, fields, timeoutMs, resolve, reject, ws }) {
    const id = `r${this.nextId++}`;
    const timer = setTimeout(() => {
      this.pending.delete(id);
      reject(new RequestError('timeout', 'the server did not answer in time'));
      // An open socket with no answer: packets are being lost. Start again.
      if (this.ws === ws) this.drop(ws, 4000, 'request timeout');
    }, timeoutMs);
    this.pending.set(id, { resolve, reject, timer });
    try {
      ws.send(JSON.stringify({ ...fields, type, id }));
    } catch {  // the socket started closing: its close handler follows
      this.pending.delete(id);
      clearTimeout(timer);
      reject(new RequestError('disconnected', 'connection lost'));
    }
  }

  failPending(code, message) {
    const waiters = [...this.pending.values(), ...this.queue];
    this.pending.clear();
    this.queue = [];
    clearTimeout(this.queueTimer);
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new RequestError(code, message));
    }
  }

  // An unanswered ping means a dead (half-open) connection: the request timeout closes it.
  startPings() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      this.request('ping', {}, { timeoutMs: TIMINGS.pingTimeoutMs }).catch(() => {});
    }, TIMINGS.pingEveryMs);
  }
}
