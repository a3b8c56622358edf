// The sign-in / create-account screen, and the OpenID Connect provider spot.
import * as api from '../api.js';
import { byId, h } from '../dom.js';

const USERNAME = /^[A-Za-z0-9_.-]{3,20}$/;

const text = {
  signin: {
    title: 'Sign in',
    lead: 'Welcome back. Sign in to continue your conversations.',
    submit: 'Sign in',
    busy: 'Signing in…',
    switchText: 'New here?',
    switchButton: 'Create an account',
    passwordAutocomplete: 'current-password',
  },
  signup: {
    title: 'Create your account',
    lead: 'Pick a username others will find you by, and a password.',
    submit: 'Create account',
    busy: 'Creating your account…',
    switchText: 'Already have an account?',
    switchButton: 'Sign in instead',
    passwordAutocomplete: 'new-password',
  },
};

// Wires the form once; onSignedIn(user) runs after a successful sign-in or sign-up.
export function setupAuth(onSignedIn) {
  const form = byId('auth-form');
  const username = byId('auth-username');
  const password = byId('auth-password');
  const error = byId('auth-error');
  const submit = byId('auth-submit');
  let mode = 'signin';
  let busy = false;

  function setMode(next, focusTitle) {
    mode = next;
    const t = text[mode];
    byId('auth-title').textContent = t.title;
    byId('auth-lead').textContent = t.lead;
    submit.textContent = t.submit;
    byId('auth-switch-text').textContent = t.switchText;
    byId('auth-switch').textContent = t.switchButton;
    password.setAttribute('autocomplete', t.passwordAutocomplete);
    // The rules matter when choosing a name and password, not when signing in.
    byId('auth-username-hint').hidden = mode !== 'signup';
    byId('auth-password-hint').hidden = mode !== 'signup';
    document.title = `${t.title} · libchat`;
    showError('');
    if (focusTitle) username.focus();
  }

  function showError(message, field) {
    error.textContent = message;
    for (const input of [username, password]) {
      if (input === field) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
    if (field) field.focus();
  }

  byId('auth-switch').addEventListener('click', () => {
    setMode(mode === 'signin' ? 'signup' : 'signin', true);
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    const name = username.value.trim();
    const pass = password.value;
    if (!name) return showError('Enter your username.', username);
    if (mode === 'signup' && !USERNAME.test(name)) {
      return showError('A username has 3 to 20 letters, digits, or _ . -', username);
    }
    if (!pass) return showError('Enter your password.', password);
    if (mode === 'signup' && pass.length < 8) {
      return showError('Choose a password of at least 8 characters.', password);
    }
    busy = true;
    submit.disabled = true;
    submit.textContent = text[mode].busy;
    showError('');
    try {
      if (mode === 'signup') await api.register(name, pass);
      const user = await api.login(name, pass);
      password.value = '';
      onSignedIn(user);
    } catch (err) {
      if (err.code === 'unauthenticated') showError('Wrong username or password.', password);
      else if (err.code === 'conflict') showError('That username is taken. Try another one.', username);
      else showError(err.message || 'Something went wrong. Try again.', null);
    } finally {
      busy = false;
      submit.disabled = false;
      submit.textContent = text[mode].submit;
    }
  });

  loadProviders();
  return {
    show() {
      setMode('signin', false);
      username.value = '';
      password.value = '';
      showError('');
      username.focus();
    },
  };
}

// Fills the OpenID Connect spot when chatd lists providers (see js/api.js).
async function loadProviders() {
  const list = await api.providers();
  if (!list.length) return;
  const ul = byId('auth-provider-list');
  ul.replaceChildren(...list.map((p) => h('li', {},
    h('a', { class: 'button wide provider', href: p.start_url }, `Continue with ${p.name}`))));
  byId('auth-providers').hidden = false;
}
