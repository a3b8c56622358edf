// The WebSocket to chatd (/v1/ws): cookie authentication ("ready"), requests matched to their
// responses by id, events, keep-alive, and reconnection with exponential backoff and jitter.
//
// Listeners (EventTarget): "ready" (detail: session info, after every (re)connection),
// "event" (detail: event frame), "status" (detail: {state, attempt, retryAt}),
// "unauthenticated" (the session is gone: sign in again).

const READY_TIMEOUT_MS = 5000;    // handshake done but no "ready": the cookie is not valid
const REQUEST_TIMEOUT_MS = 15000;
const PING_EVERY_MS = 20000;      // below chatd's idle timeout (60 s)
const PING_TIMEOUT_MS = 10000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10000;

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
    this.onOnline = () => this.reconnectNow();
    this.onVisible = () => {
      if (document.visibilityState === 'visible') this.reconnectNow();
    };
  }

  start() {
    window.addEventListener('online', this.onOnline);
    document.addEventListener('visibilitychange', this.onVisible);
    this.connect();
  }

  stop() {
    this.state = 'stopped';
    window.removeEventListener('online', this.onOnline);
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

  // Skips the backoff wait (the "Retry now" button, the browser coming back online).
  reconnectNow() {
    if (this.state !== 'waiting') return;
    clearTimeout(this.retryTimer);
    this.connect();
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
      }, READY_TIMEOUT_MS);
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

  scheduleRetry() {
    if (this.state === 'stopped') return;
    const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.setState('waiting');
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('status', {
      detail: { state, attempt: this.attempt, retryAt: this.retryAt },
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
      if (frame.type === 'response') waiter.resolve(frame.result || {});
      else waiter.reject(new RequestError(frame.code, frame.message));
    }
  }

  // Sends one request; resolves with its result, rejects with a RequestError (code
  // "disconnected" if the connection is not open or drops first, "timeout" if no answer).
  request(type, fields = {}, timeoutMs = REQUEST_TIMEOUT_MS) {
    if (!this.isOpen || !this.ws) {
      return Promise.reject(new RequestError('disconnected', 'not connected'));
    }
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError('timeout', 'the server did not answer in time'));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.ws.send(JSON.stringify({ ...fields, type, id }));
      } catch {  // the socket started closing: its close handler follows
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new RequestError('disconnected', 'connection lost'));
      }
    });
  }

  failPending(code, message) {
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new RequestError(code, message));
    }
  }

  // An unanswered ping means a dead (half-open) connection: close it and reconnect.
  startPings() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      const ws = this.ws;
      this.request('ping', {}, PING_TIMEOUT_MS).catch((e) => {
        if (e.code === 'timeout' && ws && this.ws === ws) this.drop(ws, 4000, 'ping timeout');
      });
    }, PING_EVERY_MS);
  }
}
