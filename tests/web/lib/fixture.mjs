// One chatd and one Chromium per test file, always torn down (even when a test fails).
import { after, before } from 'node:test';
import { Chatd } from './chatd.mjs';
import { launch } from './browser.mjs';

// Returns an object whose chatd and browser are set in before() and closed in after().
export function useChatdAndBrowser({ chatdArgs = [] } = {}) {
  const env = { chatd: null, browser: null, contexts: [] };
  before(async () => {
    env.chatd = await new Chatd({ args: chatdArgs }).start();
    env.browser = await launch();
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
