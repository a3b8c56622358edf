// Debian's Chromium driven by playwright-core (Playwright's own browser download does not work
// here), axe-core checks, and screenshots for the README.
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 640 };
export const SCREENSHOTS = process.env.CHAT_WEB_SCREENSHOTS ||
  path.resolve(here, '../../../docs/screenshots');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-renderer-backgrounding', '--disable-background-timer-throttling',
      '--disable-backgrounding-occluded-windows'],
    timeout: 30000,
  });
}

// A new browser context (its own cookies: one "person") with one page on `baseURL`.
export async function person(browser, baseURL, { viewport = DESKTOP, colorScheme = 'light',
  reducedMotion = 'reduce', locale = 'en-GB', timezoneId = 'UTC' } = {}) {
  const context = await browser.newContext({ baseURL, viewport, colorScheme, reducedMotion, locale,
    timezoneId });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  page.errors = errors;
  return { context, page };
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

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
}
