// The sign-in / create-account screen, the OpenID Connect provider spot, and the
// choose-a-username step of a first sign-in with a provider.
import * as api from '../api.js';
import { byId, h } from '../dom.js';

const USERNAME = /^[A-Za-z0-9_.-]{3,20}$/;

const PROVIDER_AGAIN = 'Sign in with your provider again.';
const SIGNUP_EXPIRED = `This sign-up has expired. ${PROVIDER_AGAIN}`;
const TOKEN_REFUSED = 'Your provider’s answer could not be verified, so you are not signed in. ' +
  'Try again; if it keeps happening, tell the server’s administrator.';
const PROVIDER_TROUBLE = 'Your provider could not be reached or gave an unusable answer. ' +
  'Try again in a few minutes.';

// What each #oidc_error code (docs/auth.md, Errors) means for the person signing in.
const PROVIDER_ERRORS = {
  login_denied: 'Signing in with your provider was cancelled. You are not signed in.',
  invalid_state: `That sign-in link has expired or was opened in another browser. ${PROVIDER_AGAIN}`,
  replayed_state: `That sign-in link was already used. ${PROVIDER_AGAIN}`,
  invalid_ticket: SIGNUP_EXPIRED,
  unknown_provider: 'That sign-in provider is not set up on this server.',
  malformed_token: TOKEN_REFUSED,
  unsupported_algorithm: TOKEN_REFUSED,
  unknown_key: TOKEN_REFUSED,
  bad_signature: TOKEN_REFUSED,
  wrong_issuer: TOKEN_REFUSED,
  wrong_audience: TOKEN_REFUSED,
  token_expired: `Your provider’s sign-in took too long or your device’s clock is off. ${PROVIDER_AGAIN}`,
  token_not_yet_valid: `Your device’s or the provider’s clock is off. ${PROVIDER_AGAIN}`,
  nonce_mismatch: TOKEN_REFUSED,
  replayed_nonce: TOKEN_REFUSED,
  email_not_verified: 'Your email address is not verified with your provider. Verify it there, then sign in again.',
  rate_limited: 'Too many sign-ins are in progress from your network. Wait a minute and try again.',
  unavailable: 'The server is busy. Wait a minute and try again.',
  reauthentication_required: 'For your security, sign in again before linking another account.',
  token_exchange_failed: PROVIDER_TROUBLE,
  provider_unreachable: PROVIDER_TROUBLE,
  bad_provider_response: PROVIDER_TROUBLE,
  invalid_config: 'Signing in with this provider is not set up correctly on the server. Tell its administrator.',
  invalid_argument: 'Your provider account could not be used to make an account here. Try another way to sign in.',
  conflict: 'That provider account is already linked to another account here.',
  internal: 'Something went wrong on the server. Try again.',
};

export function providerErrorText(code) {
  return PROVIDER_ERRORS[code] || 'Signing in with your provider did not work. Try again.';
}

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
  // After a first sign-in with an OpenID Connect provider: only a username is needed.
  choose: {
    title: 'Choose your username',
    lead: 'You are signed in with your provider. Pick the username others will find you by.',
    submit: 'Create account',
    busy: 'Creating your account…',
    switchText: 'Changed your mind?',
    switchButton: 'Sign in another way',
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
  const identity = byId('auth-identity');
  let busy = false;
  let providers = [];

  function setMode(next, focusUsername) {
    mode = next;
    const t = text[mode];
    byId('auth-title').textContent = t.title;
    byId('auth-lead').textContent = t.lead;
    submit.textContent = t.submit;
    byId('auth-switch-text').textContent = t.switchText;
    byId('auth-switch').textContent = t.switchButton;
    password.setAttribute('autocomplete', t.passwordAutocomplete);
    // The rules matter when choosing a name and password, not when signing in.
    byId('auth-username-hint').hidden = mode === 'signin';
    byId('auth-password-hint').hidden = mode !== 'signup';
    password.closest('.field').hidden = mode === 'choose';
    byId('auth-providers').hidden = mode === 'choose' || !providers.length;
    if (mode !== 'choose') identity.hidden = true;
    document.title = `${t.title} · libchat`;
    showError('');
    if (focusUsername) username.focus();
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
    if (mode === 'choose') history.replaceState(null, '', location.pathname);
    setMode(mode === 'signin' ? 'signup' : 'signin', true);
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    const name = username.value.trim();
    const pass = password.value;
    if (!name) return showError('Enter your username.', username);
    if (mode !== 'signin' && !USERNAME.test(name)) {
      return showError('A username has 3 to 20 letters, digits, or _ . -', username);
    }
    if (mode !== 'choose' && !pass) return showError('Enter your password.', password);
    if (mode === 'signup' && pass.length < 8) {
      return showError('Choose a password of at least 8 characters.', password);
    }
    busy = true;
    submit.disabled = true;
    submit.textContent = text[mode].busy;
    showError('');
    try {
      let user;
      if (mode === 'choose') {
        user = await api.completeProviderSignup(name);
        history.replaceState(null, '', location.pathname);
      } else {
        if (mode === 'signup') await api.register(name, pass);
        user = await api.login(name, pass);
      }
      password.value = '';
      onSignedIn(user);
    } catch (err) {
      if (err.code === 'unauthenticated' && mode === 'signin') {
        showError('Wrong username or password.', password);
      } else if (err.code === 'conflict') {
        showError('That username is taken. Try another one.', username);
      } else if (mode === 'choose' && (err.code === 'invalid_ticket' ||
          (err.status !== 400 && err.status !== 0))) {
        history.replaceState(null, '', location.pathname);  // the ticket is gone: start over
        setMode('signin', false);
        showError(SIGNUP_EXPIRED, null);
      } else {
        showError(err.message || 'Something went wrong. Try again.', null);
      }
    } finally {
      busy = false;
      submit.disabled = false;
      submit.textContent = text[mode].submit;
    }
  });

  api.providers().then((list) => {
    providers = list;
    if (!list.length) return;
    byId('auth-provider-list').replaceChildren(...list.map((p) => h('li', {},
      h('a', { class: 'button wide provider', href: p.start_url }, `Continue with ${p.name}`))));
    byId('auth-providers').hidden = mode === 'choose';
  });

  return {
    show() {
      setMode('signin', false);
      username.value = '';
      password.value = '';
      username.focus();
    },
    // A first sign-in with a provider came back with a sign-up ticket (see js/api.js): `info`
    // says which provider account the new account will be linked to; the person sees it.
    chooseUsername(info) {
      setMode('choose', false);
      const who = info.email || info.name || `ID ${info.subject}`;
      identity.replaceChildren(
        'Your new account will be linked to the ', h('strong', {}, info.provider_name || info.provider),
        ' account ', h('strong', { class: 'who' }, who), ' ',
        h('span', { class: 'issuer' }, `(${info.issuer}, ID ${info.subject})`), '.');
      identity.hidden = false;
      username.value = info.suggested_username || '';
      password.value = '';
      username.focus();
      username.select();
    },
    // The choose-a-username page without a valid ticket (expired, used, or a link from
    // someone else): sign in again.
    signupExpired() {
      setMode('signin', false);
      history.replaceState(null, '', location.pathname);
      showError(SIGNUP_EXPIRED, null);
    },
    // Back from a provider with #oidc_error=CODE (already taken out of the address bar).
    showProviderError(code) {
      showError(providerErrorText(code), null);
    },
  };
}
