// Entry point: decides between the sign-in screen and the chat, wires the views together,
// routes (#/c/<channel id>), shows the connection banner and announces new messages.
import * as api from './api.js';
import { Chat } from './chat.js';
import { Connection } from './connection.js';
import { byId, h } from './dom.js';
import { providerErrorText, setupAuth } from './views/auth.js';
import { ConversationView } from './views/conversation.js';
import { Dialogs } from './views/dialogs.js';
import { Sidebar } from './views/sidebar.js';

const NARROW = window.matchMedia('(max-width: 719px)');

let session = null;  // the signed-in app: {conn, chat, sidebar, conversation, dialogs, ...}
let auth = null;

function wsUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/ws`;
}

// ---- Screens ------------------------------------------------------------------------------
function showAuth() {
  byId('boot').hidden = true;
  byId('app-view').hidden = true;
  byId('auth-view').hidden = false;
  if (!auth) auth = setupAuth((user) => startApp(user, true));
  auth.show();
}

function startApp(user, justSignedIn) {
  byId('boot').hidden = true;
  byId('auth-view').hidden = true;
  byId('app-view').hidden = false;
  byId('me-name').textContent = user.username;
  document.title = 'libchat';

  const conn = new Connection(wsUrl());
  const chat = new Chat(user, conn);
  const s = { conn, chat, everConnected: false, wantedId: null, offs: [] };
  session = s;
  s.sidebar = new Sidebar(chat, { onOpen: (id, how) => navigate(id, how) });
  s.conversation = new ConversationView(chat, conn, {
    onBack: () => goBack(),
    onSettings: (id) => s.dialogs.openSettings(id),
    isVisible: () => !NARROW.matches || byId('app-main').dataset.pane === 'conversation',
  });
  s.dialogs = new Dialogs(chat, { onOpenChannel: (id) => navigate(id, { user: true }), onLeft: () => {} });

  s.offs.push(
    chat.on('channels', () => { updateTitle(); if (s.wantedId) route(); }),
    chat.on('synced', () => route()),
    chat.on('incoming', (d) => announceIncoming(d.message, d.channel)),
    chat.on('me', () => { byId('me-name').textContent = chat.me.username; }),
    chat.on('revoked', () => checkSession()),
    chat.on('removed', (d) => {
      announce(d.byMe ? `You left ${d.title}.` : `You are no longer a member of ${d.title}.`);
      if (currentId() === d.channelId) {
        history.replaceState(null, '', '#/');
        route();
        byId('new-dm').focus();
      }
    }),
  );
  conn.addEventListener('status', (e) => connectionStatus(e.detail));
  conn.addEventListener('unauthenticated', () => checkSession());
  conn.start();
  route();
  if (justSignedIn) byId('new-dm').focus();
}

async function stopApp() {
  const s = session;
  if (!s) return;
  session = null;
  for (const off of s.offs) off();
  s.conn.stop();
  s.dialogs.dispose();
  s.conversation.dispose();
  s.sidebar.dispose();
  s.chat.dispose();
  clearInterval(s.countdown);
  if (byId('dlg-signout').open) byId('dlg-signout').close();
  setBanner(null);
  byId('announcer').replaceChildren();
}

const SIGNED_OUT_KEY = 'libchat.signed-out';

// Unsent messages live only in this browser, under this user: signing out deletes them, so
// ask first.
function askSignOut() {
  const s = session;
  if (!s) return;
  const unsent = s.chat.pending.size;
  if (!unsent) {
    signOut();
    return;
  }
  const dialog = byId('dlg-signout');
  byId('dlg-signout-text').textContent = unsent === 1
    ? 'You have 1 unsent message. Signing out deletes it from this browser; it will not be sent.'
    : `You have ${unsent} unsent messages. Signing out deletes them from this browser; they will not be sent.`;
  const back = document.activeElement;
  dialog.addEventListener('close', () => {
    if (session === s && back?.isConnected) back.focus();
  }, { once: true });
  dialog.showModal();
  byId('signout-cancel').focus();
}

byId('signout-cancel').addEventListener('click', () => byId('dlg-signout').close());
byId('signout-yes').addEventListener('click', () => {
  byId('dlg-signout').close();
  signOut();
});

async function signOut() {
  const s = session;
  if (!s) return;
  try {
    await api.logout();
  } catch { /* the session may already be gone; the cookie is cleared either way */ }
  try {
    localStorage.removeItem(s.chat.pendingKey());
    localStorage.setItem(SIGNED_OUT_KEY, String(Date.now()));  // tells this browser's other tabs
  } catch { /* storage unavailable */ }
  await stopApp();
  history.replaceState(null, '', location.pathname);
  showAuth();
}

// Signing out in one tab signs out the others (their open WebSockets would otherwise stay).
window.addEventListener('storage', async (e) => {
  if (e.key !== SIGNED_OUT_KEY || !session) return;
  await stopApp();
  history.replaceState(null, '', location.pathname);
  showAuth();
});

// The WebSocket refused our cookie: find out whether the session really ended.
async function checkSession() {
  const s = session;
  let user;
  try {
    user = await api.currentUser();
  } catch {
    return;  // server unreachable: keep retrying
  }
  if (!user && session === s) {
    await stopApp();
    showAuth();
    byId('auth-error').textContent = 'Your session has ended. Sign in again.';
  }
}

// ---- Routing: #/c/<id> opens a conversation; anything else shows the list ----------------
function currentId() {
  return session?.conversation.channelId || null;
}

function hashId() {
  const m = /^#\/c\/(\d{1,19})$/.exec(location.hash);
  return m ? m[1] : null;
}

function navigate(id, how = {}) {
  if (hashId() === id) {
    route(how);
    return;
  }
  if (location.hash.startsWith('#/c/')) history.replaceState({ inApp: true }, '', `#/c/${id}`);
  else history.pushState({ inApp: true }, '', `#/c/${id}`);
  route(how);
}

function goBack() {
  const id = currentId();
  if (history.state?.inApp) history.back();  // the hashchange routes
  else {
    history.replaceState(null, '', '#/');
    route();
  }
  session?.sidebar.focusItem(id);
  if (id && !document.activeElement?.dataset?.channelId) {
    // history.back() routes asynchronously: focus once the list is shown.
    window.addEventListener('hashchange', () => session?.sidebar.focusItem(id), { once: true });
  }
}

function route(how = {}) {
  const s = session;
  if (!s) return;
  let id = hashId();
  if (id && !s.chat.channels.has(id)) {
    if (!s.chat.ready) {
      s.wantedId = id;  // wait for the list
      id = null;
    } else {
      s.wantedId = null;
      history.replaceState(null, '', '#/');
      id = null;
    }
  } else {
    s.wantedId = null;
  }
  const main = byId('app-main');
  main.dataset.pane = id ? 'conversation' : 'list';
  const changed = s.conversation.channelId !== id;
  s.conversation.show(id);
  s.sidebar.setActive(id);
  updateTitle();
  if (id && (how.user || changed && how.user !== false && document.activeElement === document.body)) {
    s.conversation.focusComposer();
  }
}

window.addEventListener('hashchange', () => {
  const providerError = api.takeProviderError();
  if (providerError) {
    if (session) {
      announce(providerErrorText(providerError));
    } else {
      showAuth();
      auth.showProviderError(providerError);
    }
    return;
  }
  if (api.isProviderSignupRoute() && !session) {
    showProviderSignup();
    return;
  }
  route({ user: false });
});

// The choose-a-username step after a first sign-in with a provider: the ticket is in an
// HttpOnly cookie; chatd tells whose identity it is.
async function showProviderSignup() {
  showAuth();
  history.replaceState(null, '', '#/oidc-signup');
  let info = null;
  try {
    info = await api.providerSignupInfo();
  } catch {
    info = null;
  }
  if (info) auth.chooseUsername(info);
  else auth.signupExpired();
}
NARROW.addEventListener('change', () => session && route({ user: false }));

function updateTitle() {
  const s = session;
  if (!s) return;
  const ch = s.chat.channels.get(currentId());
  const n = s.chat.totalUnread();
  const base = ch ? `${s.chat.title(ch)} · libchat` : 'libchat';
  document.title = n ? `(${n}) ${base}` : base;
}

// ---- Connection banner --------------------------------------------------------------------
function setBanner(text, { retry = false, countdownTo = 0, tone = 'warn' } = {}) {
  const banner = byId('conn-banner');
  const s = session;
  if (s) clearInterval(s.countdown);
  byId('conn-text').textContent = text || '';
  banner.dataset.tone = tone;
  banner.classList.toggle('shown', !!text);
  byId('conn-retry').hidden = !retry;
  const countdown = byId('conn-countdown');
  countdown.textContent = '';
  if (countdownTo && s) {
    const tick = () => {
      const left = Math.max(0, Math.ceil((countdownTo - Date.now()) / 1000));
      countdown.textContent = left ? `Next try in ${left} s.` : '';
    };
    tick();
    s.countdown = setInterval(tick, 500);
  }
}

const OFFLINE_TEXT = 'You are offline. Messages will be sent when the connection is back.';

function connectionStatus({ state, retryAt, offline }) {
  const s = session;
  if (!s) return;
  if (state !== 'open' && offline) {  // the browser knows there is no network: say so at once
    s.lost = true;
    if (byId('conn-text').textContent !== OFFLINE_TEXT) setBanner(OFFLINE_TEXT);
  } else if (state === 'open') {
    if (s.lost) {
      setBanner('Connected again.', { tone: 'ok' });
      s.lost = false;
      clearTimeout(s.bannerTimer);
      s.bannerTimer = setTimeout(() => { if (session === s && s.conn.isOpen) setBanner(null); }, 3000);
    } else {
      setBanner(null);
    }
    s.everConnected = true;
  } else if (state === 'waiting') {
    s.lost = true;
    const text = s.everConnected
      ? 'Connection lost. Reconnecting…'
      : 'Cannot reach the chat server. Retrying…';
    if (byId('conn-text').textContent !== text) setBanner(text, { retry: true, countdownTo: retryAt });
    else setBanner(text, { retry: true, countdownTo: retryAt });
  } else if (state === 'connecting' && s.lost) {
    setBanner(s.everConnected ? 'Connection lost. Reconnecting…' : 'Cannot reach the chat server. Retrying…');
  }
}

byId('conn-retry').addEventListener('click', () => session?.conn.reconnectNow());
byId('logout').addEventListener('click', () => askSignOut());

// ---- Announcements (polite live region) ---------------------------------------------------
function announce(text) {
  const region = byId('announcer');
  region.append(h('p', {}, text));
  while (region.childElementCount > 3) region.firstElementChild.remove();
}

// The sender's name is looked up first if it is not known yet (a new member of a group);
// announcements keep the order of the messages.
function announceIncoming(m, ch) {
  const s = session;
  const name = s.chat.resolveUserName(m.sender_id);
  s.announcing = (s.announcing || Promise.resolve()).then(async () => {
    const sender = (await name) || 'Someone';
    if (session !== s) return;
    const text = m.text.length > 200 ? `${m.text.slice(0, 200)}…` : m.text;
    const here = currentId() === ch.id && document.visibilityState === 'visible' &&
      (!NARROW.matches || byId('app-main').dataset.pane === 'conversation');
    if (here) announce(`${sender}: ${text}`);
    else if (ch.kind === 'group') announce(`New message from ${sender} in ${s.chat.title(ch)}: ${text}`);
    else announce(`New message from ${sender}: ${text}`);
  });
}

// ---- Start --------------------------------------------------------------------------------
async function boot() {
  const providerError = api.takeProviderError();
  if (api.isProviderSignupRoute()) {
    showProviderSignup();
    return;
  }
  let user = null;
  for (let attempt = 0; ; attempt++) {
    try {
      user = await api.currentUser();
      break;
    } catch {
      byId('boot').firstElementChild.textContent = 'Cannot reach the chat server. Retrying…';
      await new Promise((r) => setTimeout(r, Math.min(10000, 500 * 2 ** attempt)));
    }
  }
  if (user) startApp(user, false);
  else showAuth();
  if (providerError && !user) auth.showProviderError(providerError);
  else if (providerError) announce(providerErrorText(providerError));
}

boot();
