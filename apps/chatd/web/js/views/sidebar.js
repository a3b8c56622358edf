// The conversation list: one button per conversation, most recent activity first, with
// unread badge, last-message preview, time and (for direct conversations) presence.
import { byId, formatFullTime, formatShortTime, h } from '../dom.js';

export class Sidebar {
  constructor(chat, { onOpen }) {
    this.chat = chat;
    this.onOpen = onOpen;
    this.list = byId('channel-list');
    this.status = byId('channel-status');
    this.items = new Map();  // channel id -> li
    this.activeId = null;
    this.list.replaceChildren();
    this.onClick = (e) => {
      const button = e.target.closest('button[data-channel-id]');
      if (button) this.onOpen(button.dataset.channelId, { user: true });
    };
    this.list.addEventListener('click', this.onClick);
    this.unsubscribe = [
      chat.on('channels', () => this.render()),
      chat.on('presence', () => this.render()),
      chat.on('users', () => this.render()),
      chat.on('synced', () => this.render()),
    ];
    this.render();
  }

  dispose() {
    this.list.removeEventListener('click', this.onClick);
    for (const off of this.unsubscribe) off();
    this.list.replaceChildren();
  }

  setActive(id) {
    this.activeId = id;
    this.render();
  }

  focusItem(id) {
    this.items.get(id)?.querySelector('button')?.focus();
  }

  render() {
    const chat = this.chat;
    const channels = chat.sortedChannels();
    if (!chat.ready) {
      this.status.textContent = 'Loading conversations…';
      this.status.hidden = false;
    } else if (!channels.length) {
      this.status.textContent = 'No conversations yet. Start one with “New message” or “New group”.';
      this.status.hidden = false;
    } else {
      this.status.hidden = true;
    }

    const focusedId = document.activeElement?.closest?.('#channel-list button')?.dataset.channelId;
    const seen = new Set();
    channels.forEach((ch, index) => {
      seen.add(ch.id);
      let li = this.items.get(ch.id);
      if (!li) {
        li = h('li', { class: 'channel-item' });
        this.items.set(ch.id, li);
      }
      this.fill(li, ch);
      if (this.list.children[index] !== li) this.list.insertBefore(li, this.list.children[index] || null);
    });
    for (const [id, li] of this.items) {
      if (!seen.has(id)) {
        li.remove();
        this.items.delete(id);
      }
    }
    if (focusedId && document.activeElement?.dataset?.channelId !== focusedId) {
      this.focusItem(focusedId);
    }
  }

  fill(li, ch) {
    const chat = this.chat;
    const title = chat.title(ch);
    const last = ch.lastMessage;
    let preview = ch.kind === 'group' ? (ch.topic || 'No messages yet') : 'No messages yet';
    if (last) {
      const firstLine = last.text.split('\n', 1)[0];
      if (last.sender_id === chat.me.id) preview = `You: ${firstLine}`;
      else if (ch.kind === 'group') preview = `${chat.userName(last.sender_id) || 'Someone'}: ${firstLine}`;
      else preview = firstLine;
    }
    const online = ch.kind === 'direct' && ch.peer ? chat.isOnline(ch.peer.id) : false;  // null: unknown
    const when = last ? last.created_at : ch.createdAt;
    const unread = ch.unread > 0;
    const button = h('button', {
      type: 'button',
      class: `channel${unread ? ' has-unread' : ''}`,
      'data-channel-id': ch.id,
      'data-kind': ch.kind,
      'aria-current': ch.id === this.activeId ? 'true' : null,
    },
    h('span', { class: `avatar ${ch.kind}`, 'aria-hidden': 'true' },
      (title[0] || '#').toUpperCase(),
      ch.kind === 'direct' ? h('span', { class: `presence-dot${online ? ' online' : ''}` }) : null),
    h('span', { class: 'channel-main' },
      h('span', { class: 'channel-top' },
        h('span', { class: 'channel-name', dir: 'auto' }, title),
        ch.kind === 'group' ? h('span', { class: 'visually-hidden' }, ', group') : null,
        ch.kind === 'direct' ? h('span', { class: 'visually-hidden' },
          online === null ? ', status unknown' : online ? ', online' : ', offline') : null,
        when ? h('time', { class: 'channel-time', datetime: new Date(when).toISOString(), title: formatFullTime(when) },
          h('span', { class: 'visually-hidden' }, ', '), formatShortTime(when)) : null),
      h('span', { class: 'channel-bottom' },
        h('span', { class: 'visually-hidden' }, ', '),
        h('span', { class: 'channel-preview', dir: 'auto' }, preview),
        unread ? h('span', { class: 'badge', 'data-unread': ch.unread },
          h('span', { class: 'visually-hidden' }, ', '),
          String(ch.unread > 99 ? '99+' : ch.unread),
          h('span', { class: 'visually-hidden' }, ch.unread === 1 ? ' unread message' : ' unread messages')) : null)));
    const old = li.firstChild;
    if (old && old.isEqualNode(button)) return;
    const hadFocus = old && old === document.activeElement;
    li.replaceChildren(button);
    if (hadFocus) button.focus();
  }
}
