// A protocol client over the npm `ws` package: requests with ids, an event inbox, and schema
// validation of every frame the server sends (a violation fails the test that reads next).
import WebSocket from 'ws';
import { checkServerFrame, checkClientFrame, checkResult } from './schema.mjs';

export class Client {
  constructor(url, options = {}) {
    this.url = url;
    this.options = options;
    this.frames = [];      // every frame received, in order
    this.events = [];      // event frames not yet taken
    this.pending = new Map();
    this.waiters = [];
    this.nextId = 1;
    this.violations = [];
    this.closed = null;
  }

  // Opens the socket; with `token`, authenticates and resolves with the session info.
  static async connect(url, { token, headers, ...rest } = {}) {
    const c = new Client(url, rest);
    await c.open(headers);
    if (token) c.session = await c.call('auth', { token });
    return c;
  }

  open(headers = {}) {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(this.url, { headers, maxPayload: 16 * 1024 * 1024, ...this.options.ws });
      let opened = false;
      this.ws.on('open', () => { opened = true; resolve(); });
      this.ws.on('unexpected-response', (req, res) => {
        reject(Object.assign(new Error(`handshake refused: ${res.statusCode}`), { status: res.statusCode }));
      });
      // After the handshake, an error (e.g. a frame `ws` refuses) ends in a 1006 close: keep
      // it so the close says why.
      this.ws.on('error', (e) => { if (!opened) reject(e); else this.error = e; });
      this.ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
      this.ws.on('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        if (!opened) reject(new Error(`closed before the handshake completed: ${code}`));
        for (const w of this.waiters.splice(0)) w.onClose?.(this.closed);
        const cause = this.error ? ` (after error: ${this.error.message})` : '';
        for (const [, p] of this.pending) p.reject(new Error(`closed ${code} ${reason}${cause}`));
        this.pending.clear();
      });
    });
  }

  onFrame(data) {
    let frame;
    try {
      frame = JSON.parse(data.toString());
      checkServerFrame(frame);
    } catch (e) {
      this.violations.push(e.message);
      return;
    }
    this.frames.push(frame);
    if (frame.type === 'response' || frame.type === 'error') {
      const p = this.pending.get(frame.id);
      if (p) {
        this.pending.delete(frame.id);
        if (frame.type === 'response') {
          try { checkResult(p.type, frame.result); } catch (e) { this.violations.push(e.message); }
        }
        p.resolve(frame);
        return;
      }
      if (frame.id !== null && frame.id !== undefined) {
        this.violations.push(`reply to unknown id ${frame.id}`);
      }
    }
    this.events.push(frame);
    this.waiters = this.waiters.filter((w) => !w.tryTake());
  }

  assertValid() {
    if (this.violations.length) throw new Error(`schema violations:\n${this.violations.join('\n')}`);
  }

  // Sends a request; resolves with the response or error frame.
  request(type, fields = {}, { validate = true } = {}) {
    const id = `r${this.nextId++}`;
    const frame = { type, id, ...fields };
    if (validate) checkClientFrame(frame);
    return this.raw(JSON.stringify(frame), id, type);
  }

  // Sends any text; if `id` is given resolves with the reply bearing it.
  raw(text, id, type = 'unknown', { binary = false } = {}) {
    return new Promise((resolve, reject) => {
      if (id !== undefined) this.pending.set(id, { resolve, reject, type });
      this.ws.send(text, { binary }, (err) => { if (err) reject(err); });
      if (id === undefined) resolve();
    });
  }

  // Sends a request and returns its result; throws on an error frame.
  async call(type, fields = {}) {
    const reply = await this.request(type, fields);
    this.assertValid();
    if (reply.type !== 'response') {
      throw Object.assign(new Error(`${type} failed: ${reply.code}: ${reply.message}`), { reply });
    }
    return reply.result;
  }

  // Waits for (and removes) the first event matching `pred`.
  next(pred = () => true, timeoutMs = 3000) {
    const idx = this.events.findIndex(pred);
    if (idx >= 0) return Promise.resolve(this.events.splice(idx, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = {
        tryTake: () => {
          const i = this.events.findIndex(pred);
          if (i < 0) return false;
          clearTimeout(timer);
          resolve(this.events.splice(i, 1)[0]);
          return true;
        },
        onClose: (c) => { clearTimeout(timer); reject(new Error(`closed ${c.code} ${c.reason} while waiting`)); },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching event within ${timeoutMs} ms; inbox: ${JSON.stringify(this.events).slice(0, 500)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  // "Nothing arrived" is shown by a marker that arrives after it, never by a sleep (a sleep can
  // only pass, also when the event comes later than it waited).
  //
  // none(pred): true if no event matching `pred` (and not yet taken) came before the answer to a
  // `ping` sent now on this connection. The ping is a marker for events that the server had
  // already handed to this connection when it answered, e.g. an event that its other recipients
  // have received; where a later event of the same stream exists, prefer noneBefore.
  async none(pred) {
    const reply = await this.request('ping');
    if (reply.type !== 'response') throw new Error(`ping failed: ${JSON.stringify(reply)}`);
    return !this.arrivedBefore(reply, pred);
  }

  // noneBefore(pred, marker): waits for (and takes) the first event matching `marker`, then true
  // if no event matching `pred` (and not yet taken) came before it. With `marker` a later
  // message of the same channel this is exact: a connection gets a channel's messages in seq
  // order.
  async noneBefore(pred, marker, timeoutMs = 3000) {
    const m = await this.next(marker, timeoutMs);
    return !this.arrivedBefore(m, pred);
  }

  // True if an event still in the inbox, received before the frame `mark`, matches `pred`.
  arrivedBefore(mark, pred) {
    const before = new Set(this.frames.slice(0, this.frames.indexOf(mark)));
    return this.events.some((f) => before.has(f) && pred(f));
  }

  waitClosed(timeoutMs = 10000) {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.ws.once('close', () => { clearTimeout(timer); resolve(this.closed); });
    });
  }

  close() {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
    return this.waitClosed().catch(() => {});
  }
}

export const isMessage = (channelId) => (f) =>
  f.type === 'event' && f.event === 'message.created' && (!channelId || f.message.channel_id === channelId);
// The message.created event of the message with id `messageId`.
export const isMessageId = (messageId) => (f) =>
  f.type === 'event' && f.event === 'message.created' && f.message.id === messageId;
export const isEvent = (name, extra = () => true) => (f) => f.type === 'event' && f.event === name && extra(f);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
