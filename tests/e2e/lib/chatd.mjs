// The end-to-end suites' chatd: the shared launcher (tests/support/chatd.mjs) with HTTP helpers
// for its API, whose answers are checked against the protocol's schemas.
import { Chatd as Launcher } from '../../support/chatd.mjs';
import { checkHttp } from './schema.mjs';

export { backend, freshDatabase } from '../../support/chatd.mjs';

export class Chatd extends Launcher {
  // Polls GET /readyz (readiness comes from chatd's monitor, checked each second and right
  // after a failure) until it answers `status` or `ms` pass; resolves with the last response.
  async readiness(status, ms = 5000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const r = await this.request('GET', '/readyz');
      if (r.status === status || Date.now() > deadline) return r;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  // An HTTP request; resolves {status, headers, body} (body parsed as JSON when it is JSON).
  async request(method, url, { body, token, cookie, origin, raw } = {}) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    if (cookie) headers.Cookie = cookie;
    if (origin) headers.Origin = origin;
    const res = await fetch(this.url + url, {
      method, headers, body: raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed = text;
    if ((res.headers.get('content-type') || '').startsWith('application/json')) parsed = JSON.parse(text);
    if (parsed && parsed.error) checkHttp('error', parsed);
    return { status: res.status, headers: res.headers, body: parsed };
  }

  async register(username, password = 'correct horse battery') {
    const r = await this.request('POST', '/v1/register', { body: { username, password } });
    if (r.status !== 201) throw new Error(`register ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    checkHttp('user', r.body);
    return r.body.user;
  }

  async login(username, password = 'correct horse battery') {
    const r = await this.request('POST', '/v1/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    checkHttp('login', r.body);
    return { ...r.body, cookie: r.headers.get('set-cookie') };
  }

  // Registers and logs in a user with a name unique to this run.
  async account(prefix = 'u') {
    const name = `${prefix}${Math.random().toString(36).slice(2, 10)}`.slice(0, 20);
    const user = await this.register(name);
    const { token } = await this.login(name);
    return { user, token, name };
  }
}
