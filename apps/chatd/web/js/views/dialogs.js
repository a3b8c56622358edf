// Modal dialogs (native <dialog>: focus stays inside, Escape closes): start a direct
// conversation, create a group, and group settings (rename, topic, members, roles, leave).
import { byId, h } from '../dom.js';

const ROLE_LABEL = { owner: 'Owner', admin: 'Admin', member: 'Member' };

function errorText(err) {
  if (err?.code === 'disconnected' || err?.code === 'timeout') {
    return 'Not connected to the server. Try again when the connection is back.';
  }
  return err?.message || 'Something went wrong. Try again.';
}

// Opens `dialog`, focuses `first`, and on close gives the focus back to what had it, unless
// the action that closed the dialog moved it somewhere on purpose.
function open(dialog, first) {
  const back = document.activeElement;
  dialog.addEventListener('close', () => {
    const now = document.activeElement;
    const lost = !now || now === document.body || dialog.contains(now) || now === back;
    if (lost && back && back.isConnected && back.checkVisibility()) back.focus();
  }, { once: true });
  dialog.showModal();
  first?.focus();
}

function wireClose(dialog) {
  for (const b of dialog.querySelectorAll('[data-close]')) {
    b.addEventListener('click', () => dialog.close());
  }
}

export class Dialogs {
  constructor(chat, { onOpenChannel, onLeft }) {
    this.chat = chat;
    this.onOpenChannel = onOpenChannel;
    this.onLeft = onLeft;
    this.settingsId = null;
    this.listeners = [];
    const listen = (target, type, fn) => {
      target.addEventListener(type, fn);
      this.listeners.push([target, type, fn]);
    };
    for (const id of ['dlg-dm', 'dlg-group', 'dlg-settings']) {
      if (!byId(id).dataset.wired) {
        wireClose(byId(id));
        byId(id).dataset.wired = '1';
      }
    }
    listen(byId('new-dm'), 'click', () => this.openDirect());
    listen(byId('new-group'), 'click', () => this.openGroup());
    listen(byId('dm-form'), 'submit', (e) => this.submitDirect(e));
    listen(byId('group-form'), 'submit', (e) => this.submitGroup(e));
    listen(byId('rename-form'), 'submit', (e) => this.submitRename(e));
    listen(byId('add-member-form'), 'submit', (e) => this.submitAdd(e));
    listen(byId('member-list'), 'click', (e) => this.onMemberClick(e));
    listen(byId('member-list'), 'change', (e) => this.onRoleChange(e));
    listen(byId('leave'), 'click', () => this.askLeave(true));
    listen(byId('leave-cancel'), 'click', () => this.askLeave(false));
    listen(byId('leave-yes'), 'click', () => this.leave());
    this.unsubscribe = [
      chat.on('members', (d) => { if (d.channelId === this.settingsId) this.renderSettings(); }),
      chat.on('channels', () => { if (this.settingsId) this.renderSettings(); }),
      chat.on('presence', () => { if (this.settingsId) this.renderSettings(); }),
      chat.on('removed', (d) => {
        if (d.channelId === this.settingsId) byId('dlg-settings').close();
      }),
    ];
  }

  dispose() {
    for (const [t, type, fn] of this.listeners) t.removeEventListener(type, fn);
    for (const off of this.unsubscribe) off();
    for (const id of ['dlg-dm', 'dlg-group', 'dlg-settings']) {
      if (byId(id).open) byId(id).close();
    }
  }

  // ---- Direct conversation ---------------------------------------------------------------
  openDirect() {
    byId('dm-form').reset();
    byId('dm-error').textContent = '';
    byId('dm-username').removeAttribute('aria-invalid');
    open(byId('dlg-dm'), byId('dm-username'));
  }

  async submitDirect(e) {
    e.preventDefault();
    const input = byId('dm-username');
    const error = byId('dm-error');
    const name = input.value.trim();
    const fail = (message) => {
      error.textContent = message;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    };
    if (!name) return fail('Enter a username.');
    if (name.toLowerCase() === this.chat.me.username.toLowerCase()) {
      return fail('That is you. Enter someone else’s username.');
    }
    try {
      const id = await this.chat.openDirect(name);
      byId('dlg-dm').close();
      this.onOpenChannel(id);
    } catch (err) {
      fail(err.code === 'not_found' ? `No user is called “${name}”.` : errorText(err));
    }
  }

  // ---- New group -------------------------------------------------------------------------
  openGroup() {
    byId('group-form').reset();
    byId('group-error').textContent = '';
    open(byId('dlg-group'), byId('group-name'));
  }

  async submitGroup(e) {
    e.preventDefault();
    const nameInput = byId('group-name');
    const membersInput = byId('group-members');
    const error = byId('group-error');
    const fail = (message, field) => {
      error.textContent = message;
      for (const f of [nameInput, membersInput]) f.removeAttribute('aria-invalid');
      if (field) {
        field.setAttribute('aria-invalid', 'true');
        field.focus();
      }
    };
    const name = nameInput.value.trim();
    if (!name) return fail('Give the group a name.', nameInput);
    const usernames = [...new Set(membersInput.value.split(/[\s,]+/).map((s) => s.trim())
      .filter(Boolean))].filter((u) => u.toLowerCase() !== this.chat.me.username.toLowerCase());
    try {
      const id = await this.chat.createGroup(name, byId('group-topic').value.trim(), usernames);
      byId('dlg-group').close();
      this.onOpenChannel(id);
    } catch (err) {
      fail(err.code === 'not_found' ? err.message : errorText(err),
        err.code === 'not_found' ? membersInput : null);
    }
  }

  // ---- Group settings --------------------------------------------------------------------
  openSettings(channelId) {
    const ch = this.chat.channels.get(channelId);
    if (!ch || ch.kind !== 'group') return;
    this.settingsId = channelId;
    byId('settings-name').value = ch.name;
    byId('settings-topic').value = ch.topic || '';
    byId('add-member-name').value = '';
    byId('settings-error').textContent = '';
    byId('settings-done').textContent = '';
    this.askLeave(false, true);
    this.renderSettings();
    const dialog = byId('dlg-settings');
    dialog.addEventListener('close', () => { this.settingsId = null; }, { once: true });
    open(dialog, byId('settings-name').disabled ? byId('leave') : byId('settings-name'));
    this.chat.loadMembers(channelId).catch((err) => this.fail(err));
  }

  canManage() {
    const ch = this.chat.channels.get(this.settingsId);
    return ch && (ch.role === 'owner' || ch.role === 'admin');
  }

  renderSettings() {
    const ch = this.chat.channels.get(this.settingsId);
    if (!ch) return;
    byId('dlg-settings-title').textContent = `${ch.name}: settings`;
    const manage = this.canManage();
    for (const id of ['settings-name', 'settings-topic', 'rename-save']) byId(id).disabled = !manage;
    byId('settings-readonly').hidden = manage;
    byId('add-member-form').hidden = !manage;
    const members = this.chat.members.get(ch.id) || [];
    byId('members-title').textContent = members.length ? `Members (${members.length})` : 'Members';
    const list = byId('member-list');
    const focused = document.activeElement;
    const focusKey = list.contains(focused) ? focused.dataset.focusKey : null;
    const order = { owner: 0, admin: 1, member: 2 };
    const sorted = [...members].sort((a, b) => order[a.role] - order[b.role] ||
      a.username.localeCompare(b.username));
    list.replaceChildren(...sorted.map((m) => this.memberRow(ch, m)));
    if (focusKey) list.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  memberRow(ch, m) {
    const me = m.user_id === this.chat.me.id;
    const online = me || this.chat.isOnline(m.user_id);
    const canRemove = !me && (ch.role === 'owner' || (ch.role === 'admin' && m.role !== 'owner'));
    const canSetRole = !me && ch.role === 'owner';
    const roleId = `role-${m.user_id}`;
    return h('li', { class: 'member', 'data-user-id': m.user_id },
      h('span', { class: 'avatar small', 'aria-hidden': 'true' }, m.username[0].toUpperCase(),
        h('span', { class: `presence-dot${online ? ' online' : ''}` })),
      h('span', { class: 'member-main' },
        h('span', { class: 'member-name', dir: 'auto' }, me ? `${m.username} (you)` : m.username),
        h('span', { class: 'member-meta' }, `${ROLE_LABEL[m.role] || m.role} · ${online ? 'online' : online === null ? 'status unknown' : 'offline'}`)),
      canSetRole || canRemove ? h('span', { class: 'member-actions' },
        canSetRole ? h('span', { class: 'member-role' },
        h('label', { for: roleId, class: 'visually-hidden' }, `Role of ${m.username}`),
        h('select', { id: roleId, 'data-user-id': m.user_id, 'data-focus-key': `role-${m.user_id}` },
          ...['member', 'admin', 'owner'].map((r) =>
            h('option', { value: r, selected: r === m.role }, ROLE_LABEL[r])))) : null,
        canRemove ? h('button', {
          type: 'button', class: 'button small quiet', 'data-remove': m.user_id,
          'data-focus-key': `remove-${m.user_id}`,
        }, 'Remove', h('span', { class: 'visually-hidden' }, ` ${m.username}`)) : null) : null);
  }

  fail(err) {
    byId('settings-done').textContent = '';
    byId('settings-error').textContent = errorText(err);
  }

  done(message) {
    byId('settings-error').textContent = '';
    byId('settings-done').textContent = message;
  }

  async submitRename(e) {
    e.preventDefault();
    const id = this.settingsId;
    const ch = this.chat.channels.get(id);
    const name = byId('settings-name').value.trim();
    const topic = byId('settings-topic').value.trim();
    if (!name) {
      byId('settings-error').textContent = 'Give the group a name.';
      byId('settings-name').focus();
      return;
    }
    try {
      if (name !== ch.name) await this.chat.rename(id, name);
      if (topic !== (ch.topic || '')) await this.chat.setTopic(id, topic);
      this.done('Saved.');
    } catch (err) {
      this.fail(err);
    }
  }

  async submitAdd(e) {
    e.preventDefault();
    const input = byId('add-member-name');
    const name = input.value.trim();
    if (!name) {
      byId('settings-error').textContent = 'Enter a username to add.';
      input.focus();
      return;
    }
    try {
      await this.chat.addMember(this.settingsId, name);
      input.value = '';
      this.done(`${name} was added.`);
      input.focus();
    } catch (err) {
      if (err.code === 'not_found') this.fail({ message: `No user is called “${name}”.` });
      else if (err.code === 'conflict') this.fail({ message: `${name} is already a member.` });
      else this.fail(err);
      input.focus();
    }
  }

  async onMemberClick(e) {
    const button = e.target.closest('[data-remove]');
    if (!button) return;
    const userId = button.dataset.remove;
    const name = this.chat.userName(userId) || 'The member';
    try {
      await this.chat.removeMember(this.settingsId, userId);
      this.done(`${name} was removed.`);
      byId('add-member-name').focus();
    } catch (err) {
      this.fail(err);
    }
  }

  async onRoleChange(e) {
    const select = e.target.closest('select[data-user-id]');
    if (!select) return;
    try {
      await this.chat.setRole(this.settingsId, select.dataset.userId, select.value);
      this.done(`${this.chat.userName(select.dataset.userId)} is now ${ROLE_LABEL[select.value].toLowerCase()}.`);
    } catch (err) {
      this.fail(err);
      this.renderSettings();
    }
  }

  askLeave(show, quiet) {
    byId('leave-confirm').hidden = !show;
    byId('leave').hidden = show;
    if (show) {
      const ch = this.chat.channels.get(this.settingsId);
      byId('leave-question').textContent = `Leave “${ch?.name}”? You will stop receiving its messages.`;
      byId('leave-cancel').focus();
    } else if (!quiet) {
      byId('leave').focus();
    }
  }

  async leave() {
    const id = this.settingsId;
    const name = this.chat.channels.get(id)?.name;
    try {
      await this.chat.leave(id);
      byId('dlg-settings').close();
      this.onLeft(id, name);
    } catch (err) {
      this.fail(err);
      this.askLeave(false);
    }
  }
}
