// One chatd and one Chromium per test file, always torn down (even when a test fails).
import { after, before } from 'node:test';
import { Chatd } from '../../support/chatd.mjs';
import { launch } from './browser.mjs';

// Returns an object whose chatd and browser are set in before() and closed in after().
// `setup(env)` runs once both are up (one before() hook: node:test may not wait for one
// top-level hook before starting the next).
// With `chatd: false`, only the browser (the tests start their own servers).
export function useChatdAndBrowser({ chatd = true, chatdArgs = [], setup = null } = {}) {
  const env = { chatd: null, browser: null };
  before(async () => {
    if (chatd) env.chatd = await new Chatd({ args: chatdArgs }).start();
    env.browser = await launch();
    if (setup) await setup(env);
  });
  after(async () => {
    try {
      if (env.browser) await env.browser.close();
    } finally {
      if (env.chatd) await env.chatd.stop();
    }
  });
  return env;
}
