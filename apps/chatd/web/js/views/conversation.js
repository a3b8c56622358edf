// The open conversation: header (title, presence or members), the message log with earlier
// history on scroll-up, own messages' pending / sent / failed states, typing indicator, and
// the composer (Enter sends, Shift+Enter adds a line).
import { byId, codePoints, formatFullTime, formatTime, h } from '../dom.js';

const MAX_MESSAGE_CODE_POINTS = 2000;
const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 150;

export class ConversationView {
  constructor(chat, connection, { onBack, onSettings, isVisible }) {
    this.chat = chat;
    this.conn = connection;
    this.isVisible = isVisible;
    this.channelId = null;
    this.nodes = new Map();         // seq -> li
    this.pendingNodes = new Map();  // client_msg_id -> li
    this.stickToBottom = true;

    this.el = {
      empty: byId('conv-empty'),
      body: byId('conv-body'),
      title: byId('conv-title'),
      sub: byId('conv-sub'),
      settings: byId('conv-settings'),
      log: byId('log'),
      loadOlder: byId('load-older'),
      logStart: byId('log-start'),
      list: byId('messages'),
      jump: byId('jump'),
      typing: byId('typing'),
      form: byId('composer'),
      input: byId('composer-input'),
      label: byId('composer-label'),
      error: byId('composer-error'),
    };
    const el = this.el;
    this.handlers = [
      [byId('back'), 'click', () => onBack()],
      [el.settings, 'click', () => onSettings(this.channelId)],
      [el.loadOlder, 'click', () => this.loadOlder(true)],
      [el.jump, 'click', () => { this.scrollToBottom(); el.input.focus(); }],
      [el.log, 'scroll', () => this.onScroll()],
      [el.form, 'submit', (e) => { e.preventDefault(); this.submit(); }],
      [el.input, 'keydown', (e) => this.onKey(e)],
      [el.input, 'input', () => this.onInput()],
      [el.list, 'click', (e) => this.onListClick(e)],
      [document, 'visibilitychange', () => this.maybeMarkRead()],
      [window, 'focus', () => this.maybeMarkRead()],
    ];
    for (const [target, type, fn] of this.handlers) target.addEventListener(type, fn);

    const mine = (fn) => (d) => { if (d.channelId === this.channelId) fn(d); };
    this.unsubscribe = [
      chat.on('messages', mine((d) => this.renderMessages(d))),
      chat.on('pending', mine(() => this.renderPending())),
      chat.on('typing', mine(() => this.renderTyping())),
      chat.on('members', mine(() => this.renderHeader())),
      chat.on('channel', mine(() => this.renderHeader())),
      chat.on('presence', () => this.renderHeader()),
      chat.on('users', () => this.renderSenders()),
      chat.on('channels', () => { if (this.channelId) this.renderHeader(); }),
    ];
    this.onConnStatus = () => this.renderPending();
    connection.addEventListener('status', this.onConnStatus);
    this.resizer = new ResizeObserver(() => { if (this.stickToBottom) this.scrollToBottom(); });
    this.resizer.observe(el.log);
  }

  dispose() {
    for (const [target, type, fn] of this.handlers) target.removeEventListener(type, fn);
    for (const off of this.unsubscribe) off();
    this.conn.removeEventListener('status', this.onConnStatus);
    this.resizer.disconnect();
    this.show(null);
  }

  // Opens a conversation (null: none). Loads its latest page the first time.
  show(channelId) {
    const el = this.el;
    if (channelId === this.channelId) return;
    this.channelId = channelId;
    this.nodes.clear();
    this.pendingNodes.clear();
    el.list.replaceChildren();
    el.input.value = '';
    el.input.removeAttribute('aria-invalid');
    el.error.textContent = '';
    el.jump.hidden = true;
    this.autosize();
    el.empty.hidden = !!channelId;
    el.body.hidden = !channelId;
    if (!channelId) return;
    this.stickToBottom = true;
    const ch = this.chat.channels.get(channelId);
    this.renderHeader();
    this.renderTyping();
    this.renderMessages({ reset: true });
    if (ch?.kind === 'group') this.chat.loadMembers(channelId).catch(() => {});
    if (!this.chat.page(channelId)?.loaded) {
      this.chat.loadLatest(channelId).catch(() => {
        this.el.logStart.hidden = false;
        this.el.logStart.textContent = 'Messages could not be loaded. They will appear once the connection is back.';
      });
    }
  }

  focusComposer() {
    this.el.input.focus();
  }

  // ---- Header ----------------------------------------------------------------------------
  renderHeader() {
    const chat = this.chat;
    const ch = chat.channels.get(this.channelId);
    if (!ch) return;
    const el = this.el;
    const title = chat.title(ch);
    el.title.textContent = title;
    el.label.textContent = `Message ${title}`;
    el.input.placeholder = `Message ${title}`;
    el.settings.hidden = ch.kind !== 'group';
    if (ch.kind === 'direct') {
      // null: not connected, so not known (never a stale "Online").
      const online = ch.peer ? chat.isOnline(ch.peer.id) : false;
      el.sub.replaceChildren(
        h('span', { class: `presence-dot inline${online ? ' online' : ''}`, 'aria-hidden': 'true' }),
        online === null ? 'Status unknown' : online ? 'Online' : 'Offline');
    } else {
      const members = chat.members.get(ch.id);
      const parts = [];
      if (members) {
        const on = members.filter((m) => m.user_id !== chat.me.id && chat.isOnline(m.user_id)).length;
        parts.push(`${members.length} ${members.length === 1 ? 'member' : 'members'}`);
        if (on) parts.push(`${on} online`);
      }
      if (ch.topic) parts.push(ch.topic);
      el.sub.textContent = parts.join(' · ');
    }
  }

  // ---- Messages --------------------------------------------------------------------------
  renderMessages(detail = {}) {
    const el = this.el;
    const page = this.chat.page(this.channelId);
    const log = el.log;
    const fromBottom = log.scrollHeight - log.scrollTop;
    const wasAtBottom = this.atBottom();
    if (!page?.loaded) {
      el.loadOlder.hidden = true;
      el.logStart.hidden = false;
      el.logStart.textContent = 'Loading messages…';
      this.renderPending();
      return;
    }
    let prev = null;
    let addedBelow = false;
    let addedFromOthers = false;
    for (const m of page.sorted()) {
      let li = this.nodes.get(m.seq);
      if (!li) {
        li = this.messageNode(m);
        this.nodes.set(m.seq, li);
        el.list.insertBefore(li, prev ? prev.nextSibling : el.list.firstChild);
        if (prev && !detail.older) {
          addedBelow = true;
          if (m.sender_id !== this.chat.me.id) addedFromOthers = true;
        }
      }
      prev = li;
    }
    this.markLastOwn();
    if (!page.hasMoreBefore && document.activeElement === el.loadOlder) el.log.focus();
    el.loadOlder.hidden = !page.hasMoreBefore;
    el.logStart.hidden = page.hasMoreBefore;
    el.logStart.textContent = page.messages.size
      ? 'This is the beginning of the conversation.'
      : 'No messages yet. Say hello!';
    this.renderPending();
    if (detail.older) {
      log.scrollTop = log.scrollHeight - fromBottom;  // keep what the reader was looking at
    } else if (detail.reset || wasAtBottom || this.stickToBottom) {
      this.scrollToBottom();
    } else if (addedBelow && addedFromOthers) {
      el.jump.hidden = false;
    }
    this.maybeMarkRead();
    // A short conversation may not fill the log: fetch more until it scrolls.
    if (page.hasMoreBefore && log.scrollHeight <= log.clientHeight + NEAR_TOP_PX) this.loadOlder(false);
  }

  messageNode(m) {
    const chat = this.chat;
    const own = m.sender_id === chat.me.id;
    const sender = own ? 'You' : (chat.userName(m.sender_id) || 'Someone');
    return h('li', {
      class: `msg${own ? ' own' : ''}`, 'data-seq': m.seq, 'data-state': own ? 'sent' : null,
      'data-sender-id': m.sender_id,
    },
    h('div', { class: 'bubble' },
      h('p', { class: 'meta' },
        h('span', { class: 'sender', dir: 'auto' }, sender),
        h('span', { class: 'visually-hidden' }, ', '),
        h('time', { datetime: new Date(m.created_at).toISOString(), title: formatFullTime(m.created_at) },
          formatTime(m.created_at))),
      h('p', { class: 'text', dir: 'auto' }, m.text)),
    own ? h('p', { class: 'status' }, 'Sent') : null);
  }

  renderSenders() {
    for (const li of this.el.list.querySelectorAll('li.msg:not(.own)')) {
      const name = this.chat.userName(li.dataset.senderId);
      const span = li.querySelector('.sender');
      if (name && span && span.textContent !== name) span.textContent = name;
    }
  }

  // Only the newest own sent message shows "Sent" on screen (all keep it for screen readers).
  markLastOwn() {
    const sent = this.el.list.querySelectorAll('li.msg.own[data-seq]');
    sent.forEach((li, i) => li.classList.toggle('last-own', i === sent.length - 1));
  }

  renderPending() {
    if (!this.channelId) return;
    const list = this.chat.pendingIn(this.channelId);
    const keep = new Set(list.map((p) => p.client_msg_id));
    for (const [id, li] of this.pendingNodes) {
      if (!keep.has(id)) {
        li.remove();
        this.pendingNodes.delete(id);
      }
    }
    const wasAtBottom = this.atBottom();
    for (const p of list) {
      const li = this.pendingNode(p);
      const old = this.pendingNodes.get(p.client_msg_id);
      if (old && old.isEqualNode(li)) {
        this.el.list.append(old);  // keep pending ones last, in order
        continue;
      }
      const hadFocus = old?.contains(document.activeElement);
      if (old) old.replaceWith(li);
      this.el.list.append(li);
      this.pendingNodes.set(p.client_msg_id, li);
      if (hadFocus) li.querySelector('button')?.focus();
    }
    if (wasAtBottom || this.stickToBottom) this.scrollToBottom();
  }

  pendingNode(p) {
    const failed = p.state === 'failed';
    const waiting = !this.conn.isOpen;
    const status = failed
      ? h('p', { class: 'status failed' },
        `Not sent${p.error ? `: ${p.error}` : '.'} `,
        h('button', { type: 'button', class: 'link-button', 'data-retry': p.client_msg_id }, 'Retry'),
        ' ',
        h('button', { type: 'button', class: 'link-button', 'data-discard': p.client_msg_id }, 'Discard'))
      : h('p', { class: 'status' }, waiting ? 'Waiting for connection…' : 'Sending…');
    return h('li', {
      class: `msg own ${failed ? 'failed' : 'pending'}`, 'data-client-msg-id': p.client_msg_id,
      'data-state': failed ? 'failed' : 'pending',
    },
    h('div', { class: 'bubble' },
      h('p', { class: 'meta' }, h('span', { class: 'sender' }, 'You')),
      h('p', { class: 'text', dir: 'auto' }, p.text)),
    status);
  }

  onListClick(e) {
    const retry = e.target.closest('[data-retry]');
    if (retry) {
      this.chat.retry(retry.dataset.retry);
      this.el.input.focus();
      return;
    }
    const discard = e.target.closest('[data-discard]');
    if (discard) {
      this.chat.discard(discard.dataset.discard);
      this.el.input.focus();
    }
  }

  renderTyping() {
    if (!this.channelId) return;
    const names = this.chat.typingIn(this.channelId);
    let text = '';
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = 'Several people are typing…';
    this.el.typing.textContent = text;
  }

  // ---- Scrolling and reading -------------------------------------------------------------
  atBottom() {
    const log = this.el.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight <= NEAR_BOTTOM_PX;
  }

  scrollToBottom() {
    const log = this.el.log;
    log.scrollTop = log.scrollHeight;
    this.stickToBottom = true;
    this.el.jump.hidden = true;
    this.maybeMarkRead();
  }

  onScroll() {
    this.stickToBottom = this.atBottom();
    if (this.stickToBottom) this.el.jump.hidden = true;
    if (this.el.log.scrollTop < NEAR_TOP_PX) this.loadOlder(false);
    this.maybeMarkRead();
  }

  async loadOlder(fromButton) {
    const id = this.channelId;
    const page = this.chat.page(id);
    if (!page?.hasMoreBefore || page.loadingOlder) return;
    try {
      await this.chat.loadOlder(id);
      if (fromButton && this.channelId === id) {
        // Keep keyboard focus in the log: on the button if more remain, else the log itself.
        if (!this.el.loadOlder.hidden) this.el.loadOlder.focus();
        else this.el.log.focus();
      }
    } catch { /* offline: the button stays */ }
  }

  // The reader has seen the newest message: the page is shown and scrolled to the bottom.
  maybeMarkRead() {
    if (!this.channelId || document.visibilityState !== 'visible' || !this.isVisible()) return;
    if (!this.chat.page(this.channelId)?.loaded || !this.atBottom()) return;
    this.chat.markRead(this.channelId);
  }

  // ---- Composer --------------------------------------------------------------------------
  onKey(e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      this.submit();
    }
  }

  onInput() {
    this.autosize();
    if (this.el.input.value.trim()) this.chat.notifyTyping(this.channelId);
    if (this.el.input.hasAttribute('aria-invalid')) {
      this.el.input.removeAttribute('aria-invalid');
      this.el.error.textContent = '';
    }
  }

  autosize() {
    const input = this.el.input;
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight + 2, 180)}px`;
  }

  submit() {
    const text = this.el.input.value;
    if (!this.channelId || !text.trim()) return;
    if (codePoints(text) > MAX_MESSAGE_CODE_POINTS) {
      this.el.input.setAttribute('aria-invalid', 'true');
      this.el.error.textContent = `A message can have at most ${MAX_MESSAGE_CODE_POINTS} characters.`;
      return;
    }
    this.chat.send(this.channelId, text);
    this.el.input.value = '';
    this.autosize();
    this.scrollToBottom();
  }
}
