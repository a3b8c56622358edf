// Retrying assertions on Playwright locators (playwright-core has no `expect`): each polls its
// condition until it holds or its timeout (default 15 s) passes, then fails with the last value.

const DEFAULT_TIMEOUT = 15000;

// Polls `check` (async, returns {pass, actual}) until pass or timeout.
export async function until(check, what, timeout = DEFAULT_TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (let delay = 20; ; delay = Math.min(delay * 2, 200)) {
    try {
      const r = await check();
      if (r === true || r?.pass) return r;
      last = r?.actual;
    } catch (err) {
      last = `error: ${err.message.split('\n')[0]}`;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function matches(expected, actual) {
  return expected instanceof RegExp ? expected.test(actual) : actual === expected;
}

export function expect(locator, { timeout = DEFAULT_TIMEOUT } = {}) {
  const name = String(locator);
  const texts = async () => (await locator.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  return {
    toBeVisible: () => locator.first().waitFor({ state: 'visible', timeout }),
    toBeHidden: () => until(async () => ({ pass: !(await locator.isVisible()), actual: 'visible' }),
      `${name} to be hidden`, timeout),
    toHaveCount: (n) => until(async () => {
      const c = await locator.count();
      return { pass: c === n, actual: c };
    }, `${name} to have count ${n}`, timeout),
    toHaveText: (expected) => until(async () => {
      const t = await texts();
      return { pass: t.length === 1 && matches(expected, t[0]), actual: t };
    }, `${name} to have text ${expected}`, timeout),
    toContainText: (expected) => until(async () => {
      const t = await texts();
      return { pass: t.some((x) => (expected instanceof RegExp ? expected.test(x) : x.includes(expected))), actual: t };
    }, `${name} to contain text ${expected}`, timeout),
    toHaveTexts: (expected) => until(async () => {
      const t = await texts();
      return { pass: JSON.stringify(t) === JSON.stringify(expected), actual: t };
    }, `${name} to have texts ${JSON.stringify(expected)}`, timeout),
    toHaveAttribute: (attr, expected) => until(async () => {
      const v = await locator.evaluateAll((els, a) => els.map((e) => e.getAttribute(a)), attr);
      return { pass: v.length === 1 && matches(expected, v[0] ?? ''), actual: v };
    }, `${name} to have ${attr}=${expected}`, timeout),
    toBeFocused: () => until(async () => {
      const f = await locator.evaluateAll((els) => els.some((e) => e === document.activeElement));
      const active = await locator.page().evaluate(() => {
        const a = document.activeElement;
        return a ? `${a.tagName.toLowerCase()}#${a.id} ${(a.textContent || '').trim().slice(0, 40)}` : null;
      });
      return { pass: f, actual: active };
    }, `${name} to be focused`, timeout),
  };
}
