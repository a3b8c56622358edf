// The HTTP account API of chatd (docs/protocol.md, "HTTP API"). The session token lives in an
// HttpOnly cookie that this code never sees; the WebSocket handshake carries it.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'http_error';
  }
}

async function call(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection.');
  }
  let data = null;
  if ((res.headers.get('content-type') || '').startsWith('application/json')) {
    data = await res.json().catch(() => null);
  }
  if (!res.ok) {
    throw new ApiError(res.status, data?.error?.code, data?.error?.message);
  }
  return data || {};
}

// The signed-in user, or null when there is no valid session.
export async function currentUser() {
  try {
    return (await call('GET', '/v1/me')).user;
  } catch (e) {
    if (e.status === 401 || e.status === 404) return null;
    throw e;
  }
}

export async function register(username, password) {
  return (await call('POST', '/v1/register', { username, password })).user;
}

// Sets the session cookie; returns the user.
export async function login(username, password) {
  return (await call('POST', '/v1/login', { username, password })).user;
}

export async function logout() {
  await call('POST', '/v1/logout');
}

// ---- OpenID Connect (issue 5, docs/auth.md) ----------------------------------------------
// chatd does not list its providers yet. When it does, this is the one place to point at the
// endpoint; expected: {"providers":[{"id":"google","name":"Google"}]} (a "start_url" may
// override the start path, which is otherwise /v1/auth/oidc/{id}/start as in docs/auth.md).
// Any failure (404 today) means "no providers" and the sign-in screen shows none.
export const PROVIDERS_ENDPOINT = '/v1/auth/oidc/providers';

export async function providers() {
  try {
    const data = await call('GET', PROVIDERS_ENDPOINT);
    if (!Array.isArray(data.providers)) return [];
    return data.providers
      .filter((p) => p && typeof p.id === 'string' && typeof p.name === 'string')
      .map((p) => ({
        id: p.id,
        name: p.name,
        start_url: typeof p.start_url === 'string' && p.start_url.startsWith('/')
          ? p.start_url : `/v1/auth/oidc/${encodeURIComponent(p.id)}/start`,
      }));
  } catch {
    return [];
  }
}

// A first sign-in with a provider ends with a sign-up ticket in an HttpOnly cookie (never in
// the URL: a link can be sent to someone else) and the browser on /#/oidc-signup. The page
// asks chatd whose identity the ticket is for (GET /v1/auth/oidc/signup), shows it, and the
// person picks a username: POST /v1/auth/oidc/signup {username} creates the account, linked
// to that identity, and the session.
// A sign-in with a provider that failed comes back as /#oidc_error=CODE (docs/auth.md,
// Errors). Returns the code and takes it out of the address bar, or returns null.
// (#oidc_linked=ID, after linking, is taken out too.)
export function takeProviderError() {
  const m = /^#oidc_(error|linked)=(.*)$/.exec(location.hash);
  if (!m) return null;
  history.replaceState(null, '', location.pathname + location.search);
  if (m[1] !== 'error') return null;
  let code = '';
  try {
    code = decodeURIComponent(m[2]);
  } catch { /* not a code */ }
  return /^[a-z_]{1,64}$/.test(code) ? code : 'unknown';
}

export function isProviderSignupRoute(hash = location.hash) {
  return /^#\/oidc-signup(\?.*)?$/.test(hash);
}

// {provider_name, issuer, subject, email?, name?, suggested_username}, or null when there is
// no valid ticket (expired, used, or none).
export async function providerSignupInfo() {
  try {
    return await call('GET', '/v1/auth/oidc/signup');
  } catch (e) {
    if (e.status === 400 || e.status === 404) return null;
    throw e;
  }
}

export async function completeProviderSignup(username) {
  const data = await call('POST', '/v1/auth/oidc/signup', { username });
  return data.user || currentUser();
}
