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

// OpenID Connect providers (issue 5). chatd does not list providers yet; when it does, this
// is the one place to point at its endpoint. Expected shape:
//   {"providers":[{"id":"google","name":"Google","start_url":"/v1/oidc/google/start"}]}
// Any failure (404 today) means "no providers" and the section stays hidden.
export const PROVIDERS_ENDPOINT = '/v1/auth/providers';

export async function providers() {
  try {
    const data = await call('GET', PROVIDERS_ENDPOINT);
    if (!Array.isArray(data.providers)) return [];
    return data.providers.filter(
      (p) => p && typeof p.name === 'string' && typeof p.start_url === 'string' &&
        p.start_url.startsWith('/'));
  } catch {
    return [];
  }
}
