// Accounts and conversations made directly over chatd's protocol (HTTP + WebSocket from a page
// of chatd's origin), to set a scene quickly without clicking through it.
import { PASSWORD } from './ui.mjs';

export async function account(browser, baseURL, username) {
  const context = await browser.newContext({ baseURL });
  const reg = await context.request.post('/v1/register', { data: { username, password: PASSWORD } });
  if (reg.status() !== 201) throw new Error(`register ${username}: ${reg.status()} ${await reg.text()}`);
  const login = await context.request.post('/v1/login', { data: { username, password: PASSWORD } });
  if (login.status() !== 200) throw new Error(`login ${username}: ${login.status()}`);
  const user = (await login.json()).user;
  const page = await context.newPage();
  await page.goto('/healthz');  // any page of the origin: its WebSocket carries the cookie

  // Runs requests in order over one WebSocket; resolves with their results (throws on error).
  async function run(requests) {
    return page.evaluate(async (reqs) => {
      const ws = new WebSocket(`ws://${location.host}/v1/ws`);
      const waiters = new Map();
      await new Promise((resolve, reject) => {
        ws.onerror = () => reject(new Error('websocket failed'));
        ws.onmessage = (e) => {
          const f = JSON.parse(e.data);
          if (f.type === 'ready') resolve();
          const w = waiters.get(f.id);
          if (w) {
            waiters.delete(f.id);
            if (f.type === 'response') w.resolve(f.result);
            else w.reject(new Error(`${f.code}: ${f.message}`));
          }
        };
      });
      const results = [];
      let n = 0;
      for (const r of reqs) {
        const id = `seed${++n}`;
        results.push(await new Promise((resolve, reject) => {
          waiters.set(id, { resolve, reject });
          ws.send(JSON.stringify({ ...r, id }));
        }));
      }
      ws.close();
      return results;
    }, requests);
  }

  return { context, page, user, run, close: () => context.close() };
}
