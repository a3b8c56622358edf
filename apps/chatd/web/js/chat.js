// The client's model of one signed-in user's chat, kept in step with chatd over a Connection:
// conversation summaries, loaded message pages, own messages waiting to be sent, members,
// presence and typing. Views read it and listen to its change notifications.
//
// Resume without loss or doubles: every message is stored by its per-channel seq (a message
// seen twice replaces itself); after each reconnection the list is re-read and every loaded
// conversation is synced from its newest contiguous seq; a hole in the seqs (a missed event)
// is filled from history. Own messages keep their client_msg_id across retries, reconnects and
// page reloads (localStorage), so chatd answers a retry with the original message.
//
// Own messages go out one at a time, oldest first (the outbox), so chatd stores them in the
// order they were written. A send that got no answer (timeout, connection lost) stays queued
// and goes again, with the same client_msg_id, after the next resume; a `rate_limited` answer
// is retried after a pause. Only a refusal by chatd marks a message "Not sent".

import { randomId } from './dom.js';

const PAGE_SIZE = 50;
const TYPING_SEND_EVERY_MS = 3000;
const TYPING_SHOW_MS = 6000;

// The loaded messages of one conversation.
class MessagePage {
  constructor() {
    this.messages = new Map();  // seq -> message
    this.loaded = false;        // the latest page has arrived
    this.oldestSeq = Infinity;
    this.newestSeq = 0;         // every seq from oldestSeq to newestSeq is present
    this.hasMoreBefore = false;
    this.loadingOlder = false;
    this.fillingGap = false;
  }

  // Adds a message; false if it was already there.
  insert(m) {
    if (this.messages.has(m.seq)) return false;
    this.messages.set(m.seq, m);
    if (this.loaded) {
      if (m.seq < this.oldestSeq) this.oldestSeq = m.seq;
      this.advance();
    }
    return true;
  }

  advance() {
    while (this.messages.has(this.newestSeq + 1)) this.newestSeq += 1;
  }

  get maxSeq() {
    let max = 0;
    for (const seq of this.messages.keys()) if (seq > max) max = seq;
    return max;
  }

  sorted() {
    return [...this.messages.values()].sort((a, b) => a.seq - b.seq);
  }
}

function summaryFrom(s) {
  const c = s.channel;
  return {
    id: c.id,
    kind: c.kind,
    name: c.name,
    topic: c.topic,
    createdBy: c.created_by,
    createdAt: c.created_at,
    role: s.role || 'member',
    lastSeq: s.last_seq || 0,
    lastReadSeq: s.last_read_seq || 0,
    unread: s.unread || 0,
    peer: s.peer || null,
    lastMessage: s.last_message || null,
  };
}

export class Chat {
  constructor(me, connection) {
    this.me = me;
    this.conn = connection;
    this.channels = new Map();  // id -> summary
    this.pages = new Map();     // id -> MessagePage
    this.members = new Map();   // channel id -> [member]
    this.users = new Map();     // user id -> username
    this.online = new Set();    // user ids
    this.typing = new Map();    // channel id -> Map(user id -> {username, until})
    this.pending = new Map();   // client_msg_id -> own message not yet acknowledged
    this.listeners = new Map();
    this.ready = false;         // the first list has arrived
    this.syncing = false;
    this.buffered = [];         // events received while (re)syncing
    this.orphans = [];          // messages of conversations not listed yet
    this.lastTypingSent = new Map();
    this.markTimers = new Map();
    this.refreshTimer = null;
    this.lookups = new Map();   // user id -> Promise of the username being looked up
    this.presenceKnown = false; // false while disconnected: who is online is not known
    this.pumping = false;       // the outbox is sending
    this.pumpAgain = false;
    this.lastCreatedAt = 0;
    this.users.set(me.id, me.username);
    this.loadPending();

    this.onReady = (e) => this.resume(e.detail);
    this.onEvent = (e) => this.handleEvent(e.detail);
    this.onStatus = (e) => {
      if (e.detail.state !== 'open' && this.presenceKnown) {
        this.presenceKnown = false;
        this.online = new Set();
        this.emit('presence');
      }
    };
    connection.addEventListener('ready', this.onReady);
    connection.addEventListener('event', this.onEvent);
    connection.addEventListener('status', this.onStatus);
  }

  dispose() {
    this.conn.removeEventListener('ready', this.onReady);
    this.conn.removeEventListener('event', this.onEvent);
    this.conn.removeEventListener('status', this.onStatus);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.presenceTimer);
    for (const t of this.markTimers.values()) clearTimeout(t);
    this.listeners.clear();
  }

  // ---- Notifications ----------------------------------------------------------------------
  // Types: channels, messages {channelId, older?, reset?}, pending {channelId}, members
  // {channelId}, presence, typing {channelId}, users, me, removed {channelId, title, byMe},
  // synced, incoming {message, channel}, revoked.
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type)?.delete(fn);
  }

  emit(type, detail = {}) {
    for (const fn of [...(this.listeners.get(type) || [])]) {
      try {
        fn(detail);
      } catch (err) {
        console.error(err);
      }
    }
  }

  // ---- Queries ----------------------------------------------------------------------------
  title(ch) {
    if (!ch) return '';
    if (ch.kind === 'direct') return ch.peer?.username || 'Direct message';
    return ch.name;
  }

  activity(ch) {
    return ch.lastMessage?.created_at ?? ch.createdAt ?? 0;
  }

  // Conversations, most recent activity first.
  sortedChannels() {
    // Ties: the newer conversation (ids are decimal strings; longer is larger).
    const newer = (a, b) => b.id.length - a.id.length || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0);
    return [...this.channels.values()].sort((a, b) => this.activity(b) - this.activity(a) ||
      newer(a, b));
  }

  userName(id) {
    if (id === this.me.id) return this.me.username;
    const name = this.users.get(id);
    if (!name) this.lookupUser(id);
    return name || null;
  }

  // The username, looked up first if it is not known yet; null if it cannot be.
  async resolveUserName(id) {
    return this.userName(id) || this.lookupUser(id);
  }

  // True / false when known; null while disconnected (presence is not known then).
  isOnline(id) {
    if (!this.presenceKnown) return null;
    return this.online.has(id);
  }

  pendingIn(channelId) {
    return [...this.pending.values()].filter((p) => p.channel_id === channelId)
      .sort((a, b) => a.created_at - b.created_at);
  }

  typingIn(channelId) {
    const now = Date.now();
    const who = this.typing.get(channelId);
    if (!who) return [];
    return [...who.values()].filter((t) => t.until > now).map((t) => t.username);
  }

  totalUnread() {
    let n = 0;
    for (const ch of this.channels.values()) n += ch.unread;
    return n;
  }

  // ---- (Re)connection ---------------------------------------------------------------------
  async resume(info) {
    if (info?.user) {
      this.me = info.user;
      this.users.set(this.me.id, this.me.username);
    }
    this.syncing = true;
    try {
      await this.refreshChannels();
      await this.syncLoaded();
      await this.refreshPresence();
      for (const id of this.members.keys()) this.loadMembers(id).catch(() => {});
    } catch (err) {
      if (err.code !== 'disconnected') console.error('resume failed', err);
      this.syncing = false;
      this.buffered = [];
      return;  // the next "ready" tries again
    }
    this.syncing = false;
    const events = this.buffered;
    this.buffered = [];
    for (const frame of events) this.handleEvent(frame);
    this.ready = true;
    this.flushPending();
    this.emit('synced');
  }

  // Every page of list_channels (each within the server's reply budget), in ascending id order.
  async listAllChannels() {
    const all = [];
    for (let after = null; ;) {
      const r = await this.conn.request('list_channels', after ? { after_channel_id: after } : {});
      const page = r.channels || [];
      all.push(...page);
      if (!r.has_more || !page.length) return all;
      after = page[page.length - 1].channel.id;
    }
  }

  async refreshChannels() {
    const list = await this.listAllChannels();
    const seen = new Set();
    let added = false;
    for (const s of list) {
      const next = summaryFrom(s);
      seen.add(next.id);
      const prev = this.channels.get(next.id);
      if (!prev) added = true;
      if (prev) {
        // Keep whatever is newer: live events may have run ahead of this list.
        if (prev.lastSeq > next.lastSeq) {
          next.lastSeq = prev.lastSeq;
          next.lastMessage = prev.lastMessage;
        }
        next.lastReadSeq = Math.max(prev.lastReadSeq, next.lastReadSeq);
        next.unread = Math.max(0, next.lastSeq - next.lastReadSeq);
      }
      this.channels.set(next.id, next);
      if (next.peer) this.users.set(next.peer.id, next.peer.username);
    }
    for (const id of [...this.channels.keys()]) {
      if (!seen.has(id)) this.forget(id, false);
    }
    this.emit('channels');
    if (added && this.ready) this.schedulePresence();  // new contacts: who of them is online?
    // Messages that arrived before their conversation was known: the list may already count
    // them, so they are stored without being counted again, and announced if they were live.
    const orphans = this.orphans;
    this.orphans = [];
    for (const { m, live } of orphans) {
      const ch = this.channels.get(m.channel_id);
      if (!ch) continue;
      this.applyMessage(m, false);
      if (live && m.sender_id !== this.me.id) this.emit('incoming', { message: m, channel: ch });
    }
  }

  // Everything after the newest contiguous message of each loaded conversation. Each reply is
  // a page (a byte budget, at most 100 channels): sync again while anything has_more.
  async syncLoaded() {
    const extra = new Map();  // channels new since the list: where we stand in them
    for (let round = 0; round < 1000; round++) {
      const cursors = [];
      for (const ch of this.channels.values()) {
        const page = this.pages.get(ch.id);
        cursors.push({ channel_id: ch.id, after_seq: page?.loaded ? page.newestSeq : ch.lastSeq });
      }
      for (const [id, seq] of extra) {
        if (!this.channels.has(id)) cursors.push({ channel_id: id, after_seq: seq });
      }
      const r = await this.conn.request('sync', { cursors });
      let more = !!r.has_more;
      for (const c of r.channels || []) {
        for (const m of c.messages || []) this.applyMessage(m, false);
        if (!this.channels.has(c.channel_id)) {
          const last = c.messages?.length ? c.messages[c.messages.length - 1].seq : 0;
          extra.set(c.channel_id, Math.max(extra.get(c.channel_id) || 0, last));
          this.scheduleRefresh();
        }
        if (c.has_more) more = true;
      }
      if (!more) return;
    }
  }

  async refreshPresence() {
    const r = await this.conn.request('online_contacts');
    this.online = new Set(r.user_ids || []);
    this.presenceKnown = true;
    this.emit('presence');
  }

  // Presence events only come for people I already shared a conversation with when they
  // connected; a new conversation brings new contacts, so ask again.
  schedulePresence() {
    clearTimeout(this.presenceTimer);
    this.presenceTimer = setTimeout(() => {
      if (this.conn.isOpen) this.refreshPresence().catch(() => {});
    }, 150);
  }

  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshChannels().catch(() => {});
    }, 100);
  }

  // ---- Events -----------------------------------------------------------------------------
  handleEvent(frame) {
    if (this.syncing) {
      this.buffered.push(frame);
      return;
    }
    switch (frame.event) {
      case 'message.created':
        if (frame.message) this.applyMessage(frame.message, true);
        break;
      case 'channel.created':
        if (frame.channel && !this.channels.has(frame.channel.id)) this.scheduleRefresh();
        break;
      case 'channel.updated': {
        const ch = frame.channel && this.channels.get(frame.channel.id);
        if (ch) {
          ch.name = frame.channel.name;
          ch.topic = frame.channel.topic;
          this.emit('channels');
          this.emit('channel', { channelId: ch.id });
        }
        break;
      }
      case 'member.added':
      case 'member.role_changed':
        this.memberChanged(frame);
        break;
      case 'member.removed':
        this.memberRemoved(frame);
        break;
      case 'read_marker': {
        const ch = this.channels.get(frame.channel_id);
        if (ch && frame.seq > ch.lastReadSeq) {
          ch.lastReadSeq = frame.seq;
          ch.unread = Math.max(0, ch.lastSeq - ch.lastReadSeq);
          this.emit('channels');
        }
        break;
      }
      case 'presence':
        if (!this.presenceKnown) break;  // the next online_contacts tells
        if (frame.online) this.online.add(frame.user_id);
        else this.online.delete(frame.user_id);
        this.emit('presence');
        break;
      case 'typing':
        this.typingEvent(frame);
        break;
      case 'user.updated':  // someone (or I) changed their username
        if (frame.user) this.userUpdated(frame.user);
        break;
      case 'session.revoked':  // signed out elsewhere ("log out everywhere")
        this.emit('revoked');
        break;
      default:
        break;
    }
  }

  // Stores a message from an event, a send acknowledgement, a history page or a sync.
  // Idempotent. Returns true if it was new.
  applyMessage(m, live) {
    const own = m.sender_id === this.me.id;
    if (own && m.client_msg_id && this.pending.has(m.client_msg_id)) {
      this.pending.delete(m.client_msg_id);
      this.savePending();
      this.emit('pending', { channelId: m.channel_id });
    }
    const ch = this.channels.get(m.channel_id);
    if (!ch) {
      // A conversation I was just added to: its summary comes with the next list.
      this.orphans.push({ m, live });
      this.scheduleRefresh();
      return false;
    }
    let isNew = false;
    if (m.seq > ch.lastSeq) {
      ch.lastSeq = m.seq;
      ch.lastMessage = m;
      isNew = true;
    }
    if (own && m.seq > ch.lastReadSeq) ch.lastReadSeq = m.seq;  // chatd does the same
    ch.unread = Math.max(0, ch.lastSeq - ch.lastReadSeq);
    const page = this.pages.get(m.channel_id);
    if (page && page.insert(m)) {
      isNew = true;
      this.emit('messages', { channelId: m.channel_id });
      if (page.loaded && m.seq > page.newestSeq + 1) this.fillGap(m.channel_id);
    }
    if (!own) this.clearTyping(m.channel_id, m.sender_id);
    if (!own && m.sender_id && !this.users.has(m.sender_id)) this.lookupUser(m.sender_id);
    this.emit('channels');
    if (isNew && live && !own) this.emit('incoming', { message: m, channel: ch });
    return isNew;
  }

  memberChanged(frame) {
    const m = frame.member;
    if (!m) return;
    this.users.set(m.user_id, m.username);
    const ch = this.channels.get(frame.channel_id);
    if (m.user_id === this.me.id) {
      if (!ch) {
        this.scheduleRefresh();
        return;
      }
      ch.role = m.role;
      this.emit('channels');
    }
    if (m.user_id !== this.me.id && frame.event === 'member.added') this.schedulePresence();
    const list = this.members.get(frame.channel_id);
    if (list) {
      const i = list.findIndex((x) => x.user_id === m.user_id);
      if (i >= 0) list[i] = m;
      else list.push(m);
      this.emit('members', { channelId: frame.channel_id });
    }
  }

  memberRemoved(frame) {
    const m = frame.member;
    if (!m) return;
    if (m.user_id === this.me.id) {
      this.forget(frame.channel_id, frame.actor_id === this.me.id);
      return;
    }
    const list = this.members.get(frame.channel_id);
    if (list) {
      this.members.set(frame.channel_id, list.filter((x) => x.user_id !== m.user_id));
      this.emit('members', { channelId: frame.channel_id });
    }
  }

  // Drops a conversation I am no longer in.
  forget(channelId, byMe) {
    const ch = this.channels.get(channelId);
    if (!ch) return;
    this.channels.delete(channelId);
    this.pages.delete(channelId);
    this.members.delete(channelId);
    this.typing.delete(channelId);
    this.emit('channels');
    this.emit('removed', { channelId, title: this.title(ch), byMe });
  }

  userUpdated(user) {
    this.users.set(user.id, user.username);
    if (user.id === this.me.id) this.me = { ...this.me, username: user.username };
    for (const ch of this.channels.values()) {
      if (ch.peer?.id === user.id) ch.peer = { ...ch.peer, username: user.username };
    }
    for (const [channelId, list] of this.members) {
      const m = list.find((x) => x.user_id === user.id);
      if (m) {
        m.username = user.username;
        this.emit('members', { channelId });
      }
    }
    this.emit('channels');
    this.emit('users');
    this.emit('me');
  }

  typingEvent(frame) {
    if (frame.user_id === this.me.id) return;
    if (!this.typing.has(frame.channel_id)) this.typing.set(frame.channel_id, new Map());
    const name = frame.username || this.userName(frame.user_id) || 'Someone';
    this.typing.get(frame.channel_id).set(frame.user_id, {
      username: name, until: Date.now() + TYPING_SHOW_MS,
    });
    this.emit('typing', { channelId: frame.channel_id });
    setTimeout(() => this.emit('typing', { channelId: frame.channel_id }), TYPING_SHOW_MS + 50);
  }

  clearTyping(channelId, userId) {
    if (this.typing.get(channelId)?.delete(userId)) this.emit('typing', { channelId });
  }

  // Resolves with the username (null if it could not be found out).
  lookupUser(id) {
    if (this.lookups.has(id)) return this.lookups.get(id);
    if (!this.conn.isOpen) return Promise.resolve(null);
    const lookup = this.conn.request('get_user', { user_id: id }).then((r) => {
      this.users.set(id, r.user.username);
      this.emit('users');
      return r.user.username;
    }).catch(() => null).finally(() => this.lookups.delete(id));
    this.lookups.set(id, lookup);
    return lookup;
  }

  // ---- Messages ---------------------------------------------------------------------------
  page(channelId) {
    return this.pages.get(channelId);
  }

  // The latest page of a conversation (once; later it is kept current by events).
  async loadLatest(channelId) {
    let page = this.pages.get(channelId);
    if (page?.loaded || page?.loadingLatest) return;
    if (!page) {
      page = new MessagePage();
      this.pages.set(channelId, page);
    }
    page.loadingLatest = true;
    try {
      const r = await this.conn.request('history', { channel_id: channelId, limit: PAGE_SIZE });
      const msgs = r.messages || [];
      for (const m of msgs) page.messages.set(m.seq, m);  // next to any that arrived meanwhile
      page.oldestSeq = msgs.length ? msgs[0].seq : 1;
      page.newestSeq = msgs.length ? msgs[msgs.length - 1].seq : 0;
      page.hasMoreBefore = !!r.has_more;
      page.loaded = true;
      page.advance();
      for (const m of msgs) {
        if (m.client_msg_id && this.pending.has(m.client_msg_id)) this.applyMessage(m, false);
      }
      if (msgs.length) this.applyMessage(msgs[msgs.length - 1], false);  // the summary
      this.emit('messages', { channelId, reset: true });
      if (page.maxSeq > page.newestSeq) this.fillGap(channelId);
    } catch (err) {
      if (this.pages.get(channelId) === page && !page.loaded) this.pages.delete(channelId);
      throw err;
    } finally {
      page.loadingLatest = false;
    }
  }

  // The page before the oldest loaded message. Resolves true if more may exist.
  async loadOlder(channelId) {
    const page = this.pages.get(channelId);
    if (!page?.loaded || !page.hasMoreBefore || page.loadingOlder) return false;
    page.loadingOlder = true;
    try {
      const r = await this.conn.request('history', {
        channel_id: channelId, before_seq: page.oldestSeq, limit: PAGE_SIZE,
      });
      for (const m of r.messages || []) {
        page.messages.set(m.seq, m);
        if (m.seq < page.oldestSeq) page.oldestSeq = m.seq;
      }
      page.hasMoreBefore = !!r.has_more;
      this.emit('messages', { channelId, older: true });
      return page.hasMoreBefore;
    } finally {
      page.loadingOlder = false;
    }
  }

  // Fetches what lies between the newest contiguous seq and a message that arrived early.
  async fillGap(channelId) {
    const page = this.pages.get(channelId);
    if (!page || page.fillingGap) return;
    page.fillingGap = true;
    try {
      for (let i = 0; i < 50 && page.maxSeq > page.newestSeq; i++) {
        const r = await this.conn.request('history', {
          channel_id: channelId, after_seq: page.newestSeq, limit: 200,
        });
        for (const m of r.messages || []) this.applyMessage(m, false);
        if (!r.messages?.length) break;
      }
    } catch { /* the next reconnection syncs */ } finally {
      page.fillingGap = false;
    }
  }

  // Queues an own message; it shows as pending until chatd acknowledges it.
  send(channelId, text) {
    // Strictly increasing: the outbox's order is the order of writing.
    this.lastCreatedAt = Math.max(Date.now(), this.lastCreatedAt + 1);
    const p = {
      client_msg_id: randomId(), channel_id: channelId, text, state: 'pending',
      created_at: this.lastCreatedAt, error: null,
    };
    this.pending.set(p.client_msg_id, p);
    this.savePending();
    this.lastTypingSent.delete(channelId);  // the next keystroke announces typing again
    this.emit('pending', { channelId });
    this.pumpOutbox();
    return p;
  }

  // The oldest own message waiting to go (failed ones wait for Retry).
  nextToSend() {
    let next = null;
    for (const p of this.pending.values()) {
      if (p.state === 'pending' && (!next || p.created_at < next.created_at)) next = p;
    }
    return next;
  }

  // Sends the outbox, one message at a time, while connected.
  pumpOutbox() {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.runOutbox().finally(() => {
      this.pumping = false;
      if (this.pumpAgain) this.pumpOutbox();
    });
  }

  async runOutbox() {
    for (;;) {
      this.pumpAgain = false;
      if (!this.conn.isOpen || !this.ready) return;  // the resume sends the rest
      const p = this.nextToSend();
      if (!p) return;
      if (!(await this.transmit(p))) return;
    }
  }

  // Sends one message. Resolves false when the outbox must wait for the next connection.
  async transmit(p) {
    p.inFlight = true;
    try {
      const r = await this.conn.request('send', {
        channel_id: p.channel_id, text: p.text, client_msg_id: p.client_msg_id,
      });
      p.inFlight = false;
      this.applyMessage(r.message, false);
      // The acknowledgement is the message itself; if it was for another key, still settle.
      if (this.pending.get(p.client_msg_id) === p) {
        this.pending.delete(p.client_msg_id);
        this.savePending();
        this.emit('pending', { channelId: p.channel_id });
      }
      return true;
    } catch (err) {
      p.inFlight = false;
      if (!this.pending.has(p.client_msg_id)) return true;
      if (err.code === 'rate_limited') {  // our own speed: the same message again, a bit later
        const rate = Number(this.conn.limits?.requests_per_second) || 20;
        await new Promise((resolve) => setTimeout(resolve, Math.max(100, 2000 / rate)));
        return true;
      }
      // No answer: chatd may or may not have it. It stays queued and goes again (same
      // client_msg_id, so never twice) once connected.
      if (err.code === 'disconnected' || err.code === 'timeout') return false;
      p.state = 'failed';
      p.error = err.message;
      this.savePending();
      this.emit('pending', { channelId: p.channel_id });
      return true;
    }
  }

  retry(clientMsgId) {
    const p = this.pending.get(clientMsgId);
    if (!p) return;
    p.state = 'pending';
    p.error = null;
    this.savePending();
    this.emit('pending', { channelId: p.channel_id });
    this.pumpOutbox();
  }

  discard(clientMsgId) {
    const p = this.pending.get(clientMsgId);
    if (!p) return;
    this.pending.delete(clientMsgId);
    this.savePending();
    this.emit('pending', { channelId: p.channel_id });
  }

  flushPending() {
    this.pumpOutbox();
  }

  pendingKey() {
    return `libchat.pending.${this.me.id}`;
  }

  loadPending() {
    try {
      const list = JSON.parse(localStorage.getItem(this.pendingKey()) || '[]');
      for (const p of list) {
        if (p && typeof p.client_msg_id === 'string' && typeof p.text === 'string') {
          this.pending.set(p.client_msg_id, { ...p, inFlight: false });
          this.lastCreatedAt = Math.max(this.lastCreatedAt, Number(p.created_at) || 0);
        }
      }
    } catch { /* storage unavailable or corrupt: start empty */ }
  }

  savePending() {
    try {
      const list = [...this.pending.values()].map(({ inFlight, ...p }) => p);  // eslint-disable-line no-unused-vars
      if (list.length) localStorage.setItem(this.pendingKey(), JSON.stringify(list));
      else localStorage.removeItem(this.pendingKey());
    } catch { /* storage unavailable: pending messages live until the page closes */ }
  }

  // ---- Read markers and typing ------------------------------------------------------------
  // Marks everything up to the newest message as read (coalesced per conversation).
  markRead(channelId) {
    const ch = this.channels.get(channelId);
    if (!ch || ch.lastSeq <= ch.lastReadSeq) return;
    ch.lastReadSeq = ch.lastSeq;
    ch.unread = 0;
    this.emit('channels');
    if (this.markTimers.has(channelId)) return;
    this.markTimers.set(channelId, setTimeout(() => {
      this.markTimers.delete(channelId);
      const c = this.channels.get(channelId);
      if (!c || !this.conn.isOpen) return;
      this.conn.request('mark_read', { channel_id: channelId, seq: c.lastReadSeq })
        .catch(() => {});
    }, 200));
  }

  notifyTyping(channelId) {
    const now = Date.now();
    if (!this.conn.isOpen || now - (this.lastTypingSent.get(channelId) || 0) < TYPING_SEND_EVERY_MS) {
      return;
    }
    this.lastTypingSent.set(channelId, now);
    // Dropped rather than queued when requests are at the rate limit: messages go first.
    this.conn.request('typing', { channel_id: channelId }, { droppable: true }).catch(() => {});
  }

  // ---- Conversations and members ----------------------------------------------------------
  upsert(channel, extra = {}) {
    if (!this.channels.has(channel.id)) {
      this.channels.set(channel.id, summaryFrom({ channel, ...extra }));
      this.emit('channels');
      this.schedulePresence();
    }
    return this.channels.get(channel.id);
  }

  async openDirect(username) {
    const r = await this.conn.request('open_direct', { username });
    this.users.set(r.peer.id, r.peer.username);
    this.upsert(r.channel, { peer: r.peer, role: 'member' });
    return r.channel.id;
  }

  // Resolves usernames to users; rejects with the list of unknown names.
  async findUsers(usernames) {
    const results = await Promise.allSettled(
      usernames.map((username) => this.conn.request('get_user', { username })));
    const missing = usernames.filter((_, i) => results[i].status === 'rejected' &&
      results[i].reason.code === 'not_found');
    const failed = results.find((r) => r.status === 'rejected' && r.reason.code !== 'not_found');
    if (failed) throw failed.reason;
    if (missing.length) {
      const err = new Error(`No user named ${missing.join(', ')}.`);
      err.code = 'not_found';
      throw err;
    }
    return results.map((r) => r.value.user);
  }

  async createGroup(name, topic, usernames) {
    const users = await this.findUsers(usernames);
    for (const u of users) this.users.set(u.id, u.username);
    const r = await this.conn.request('create_group', {
      name, topic, member_ids: users.map((u) => u.id).filter((id) => id !== this.me.id),
    });
    this.upsert(r.channel, { role: 'owner' });
    return r.channel.id;
  }

  async loadMembers(channelId) {
    const list = [];
    for (let after = null; ;) {
      const r = await this.conn.request('list_members',
        after ? { channel_id: channelId, after_user_id: after } : { channel_id: channelId });
      const page = r.members || [];
      list.push(...page);
      if (!r.has_more || !page.length) break;
      after = page[page.length - 1].user_id;
    }
    for (const m of list) this.users.set(m.user_id, m.username);
    this.members.set(channelId, list);
    this.emit('members', { channelId });
    this.emit('users');
    return list;
  }

  async rename(channelId, name) {
    const r = await this.conn.request('rename_channel', { channel_id: channelId, name });
    this.handleEvent({ event: 'channel.updated', channel: r.channel });
  }

  async setTopic(channelId, topic) {
    const r = await this.conn.request('set_topic', { channel_id: channelId, topic });
    this.handleEvent({ event: 'channel.updated', channel: r.channel });
  }

  async addMember(channelId, username) {
    await this.conn.request('add_member', { channel_id: channelId, username });
    await this.loadMembers(channelId);
  }

  async removeMember(channelId, userId) {
    await this.conn.request('remove_member', { channel_id: channelId, user_id: userId });
    await this.loadMembers(channelId);
  }

  async setRole(channelId, userId, role) {
    await this.conn.request('set_role', { channel_id: channelId, user_id: userId, role });
    await this.loadMembers(channelId);
  }

  async leave(channelId) {
    await this.conn.request('leave', { channel_id: channelId });
    this.forget(channelId, true);
  }
}
