// DOM helpers. User data only ever reaches the page as text (text nodes, textContent,
// attribute values); nothing here parses HTML.

// Creates an element. props: class, text, dataset, on<event> handlers, anything else as an
// attribute (true: present, false/null/undefined: absent). Children: nodes or strings (as text).
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);  // strings become text nodes
  }
  return el;
}

export function byId(id) {
  return document.getElementById(id);
}

export function clear(el) {
  el.replaceChildren();
}

// "14:05" today, "Mon 14:05" this week, "24 Nov 14:05" otherwise.
export function formatTime(ms, now = Date.now()) {
  const d = new Date(ms);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return time;
  const days = (today - d) / 86400000;
  if (days < 6 && days > 0) return `${d.toLocaleDateString([], { weekday: 'short' })} ${time}`;
  return `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}

// The short form for the conversation list: time today, else the date.
export function formatShortTime(ms, now = Date.now()) {
  const d = new Date(ms);
  if (d.toDateString() === new Date(now).toDateString()) {
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
  return d.toLocaleDateString([], { day: 'numeric', month: 'short' });
}

// A full, unambiguous date for screen readers and tooltips.
export function formatFullTime(ms) {
  return new Date(ms).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

// An idempotency key for a send: 32 hex digits (works outside secure contexts too).
export function randomId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Unicode code points in a string (the server counts limits in code points).
export function codePoints(text) {
  let n = 0;
  for (const _ of text) n += 1;  // eslint-disable-line no-unused-vars
  return n;
}
