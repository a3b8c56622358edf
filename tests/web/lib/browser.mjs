// Debian's Chromium driven by playwright-core (Playwright's own browser download does not work
// here), axe-core checks, and screenshots for the README.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 640 };
// Where screenshot() saves its pictures: the directory CHAT_WEB_SCREENSHOTS names (only
// tests/web/screenshots.sh sets it, to docs/screenshots/), else a fresh temporary directory, so
// that a test run never writes into the work tree.
let screenshotDir = process.env.CHAT_WEB_SCREENSHOTS || null;
function screenshots() {
  if (!screenshotDir) {
    const tmpRoot = process.env.CHAT_TEST_TMP || os.tmpdir();
    mkdirSync(tmpRoot, { recursive: true });
    screenshotDir = mkdtempSync(path.join(tmpRoot, 'screenshots-'));
  }
  return screenshotDir;
}

const launchOptions = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-renderer-backgrounding', '--disable-background-timer-throttling',
    '--disable-backgrounding-occluded-windows'],
  timeout: 30000,
};

export async function launch() {
  return chromium.launch(launchOptions);
}

// A browser with a profile on disk: closing and launching it again is a browser restart.
export async function launchWithProfile(userDataDir, baseURL) {
  const context = await chromium.launchPersistentContext(userDataDir, {
    ...launchOptions, baseURL, viewport: DESKTOP, reducedMotion: 'reduce', locale: 'en-GB',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15000);
  const page = context.pages()[0] || await context.newPage();
  return { context, page };
}

// A new browser context (its own cookies: one "person") with one page on `baseURL`.
// With `relay`, the page's WebSocket goes through a relay the test controls (see relayWebSocket).
// `timings` shortens the client's connection timings (window.libchatTestTimings, read by
// js/connection.js: requestTimeoutMs, pingEveryMs, pingTimeoutMs, readyTimeoutMs,
// backoffBaseMs, backoffMaxMs) so that a test of a dead connection does not wait 30 s.
export async function person(browser, baseURL, { viewport = DESKTOP, colorScheme = 'light',
  reducedMotion = 'reduce', locale = 'en-GB', timezoneId = 'UTC', relay = false,
  timings = null } = {}) {
  const context = await browser.newContext({ baseURL, viewport, colorScheme, reducedMotion, locale,
    timezoneId });
  context.setDefaultTimeout(15000);
  if (timings) await context.addInitScript((t) => { window.libchatTestTimings = t; }, timings);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.errors = errors;
  const control = relay ? await relayWebSocket(page) : null;
  return { context, page, relay: control };
}

// Puts a relay between the page and chatd's /v1/ws. While `failSends` is set, send requests
// are answered with an "unavailable" error and never reach chatd; while `loseAcks` is set,
// they reach chatd (and are stored) but the answer is replaced by that error. While
// `dropToClient` / `dropToServer` is set, frames that way are silently lost (a dead network
// that does not close the socket). `rateLimitSends` send requests (a count) are answered
// with chatd's `rate_limited` error instead of reaching it. `sends` counts the send
// requests that reached chatd, per client_msg_id.
export async function relayWebSocket(page) {
  const control = { failSends: false, loseAcks: false, dropToClient: false, dropToServer: false,
    rateLimitSends: 0, sends: new Map() };
  const unavailable = (id) => JSON.stringify({
    type: 'error', id, code: 'unavailable', message: 'database unavailable',
  });
  await page.routeWebSocket(/\/v1\/ws$/, (ws) => {
    const server = ws.connectToServer();
    const lost = new Set();
    ws.onMessage((m) => {
      if (control.dropToServer) return undefined;
      const f = JSON.parse(m);
      if (f.type === 'send' && control.rateLimitSends > 0) {
        control.rateLimitSends -= 1;
        return ws.send(JSON.stringify({ type: 'error', id: f.id, code: 'rate_limited', message: 'too many requests' }));
      }
      if (f.type === 'send') control.sends.set(f.client_msg_id, (control.sends.get(f.client_msg_id) || 0) + 1);
      if (f.type === 'send' && control.failSends) return ws.send(unavailable(f.id));
      if (f.type === 'send' && control.loseAcks) lost.add(f.id);
      return server.send(m);
    });
    server.onMessage((m) => {
      if (control.dropToClient) return undefined;
      const f = JSON.parse(m);
      if (f.type === 'response' && lost.delete(f.id)) return ws.send(unavailable(f.id));
      return ws.send(m);
    });
  });
  return control;
}

// Runs axe-core on the page as it is; throws with a readable list if anything is violated.
export async function checkA11y(page, screen) {
  const has = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!has) await page.evaluate(axeSource);  // evaluated over CDP: not blocked by the page's CSP
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
    }));
  });
  if (violations.length) {
    const text = violations.map((v) => `- [${v.impact}] ${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`)
      .join('\n');
    throw new Error(`axe found ${violations.length} violation(s) on "${screen}":\n${text}`);
  }
}

// Saves <name>.png in screenshots() (docs/screenshots/ under tests/web/screenshots.sh). Message times come from the server's clock; they are
// shown as fixed times in the picture so that the committed files only change with the UI.
// Rasterising is not bit-exact from run to run (a few anti-aliased pixels), so a picture that
// differs from the saved one in fewer than 0.1% of its pixels is not rewritten.
export async function screenshot(page, name) {
  const dir = screenshots();
  mkdirSync(dir, { recursive: true });
  await page.mouse.move(0, 0);  // no hover effect wherever the last click was
  await page.evaluate(() => {
    const setTime = (t, text) => {
      const last = t.lastChild;
      if (last && last.nodeType === Node.TEXT_NODE) last.textContent = text;
    };
    document.querySelectorAll('#messages time').forEach((t, i) => setTime(t, `09:${String(30 + i).padStart(2, '0')}`));
    document.querySelectorAll('#channel-list time').forEach((t, i) => setTime(t, `09:${String(50 - 3 * i).padStart(2, '0')}`));
  });
  const file = path.join(dir, `${name}.png`);
  const png = await page.screenshot({ animations: 'disabled', caret: 'hide' });
  if (existsSync(file) && await nearlyEqual(page, readFileSync(file), png)) return;
  writeFileSync(file, png);
}

// True if two PNGs have the same size and differ in under 0.1% of their pixels.
async function nearlyEqual(page, a, b) {
  if (a.equals(b)) return true;
  const url = (buf) => `data:image/png;base64,${buf.toString('base64')}`;
  return page.evaluate(async ([srcA, srcB]) => {
    const load = (src) => new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = reject;
      img.src = src;
    });
    const pixels = (img) => {
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      return ctx.getImageData(0, 0, img.width, img.height).data;
    };
    const [ia, ib] = await Promise.all([load(srcA), load(srcB)]);
    if (ia.width !== ib.width || ia.height !== ib.height) return false;
    const pa = pixels(ia);
    const pb = pixels(ib);
    let differing = 0;
    for (let i = 0; i < pa.length; i += 4) {
      if (pa[i] !== pb[i] || pa[i + 1] !== pb[i + 1] || pa[i + 2] !== pb[i + 2]) differing += 1;
    }
    return differing < (ia.width * ia.height) / 1000;
  }, [url(a), url(b)]).catch(() => false);
}
