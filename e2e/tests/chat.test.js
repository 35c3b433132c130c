// Chat between two people in two browser contexts: both directions, unread badge, delivered/read ticks,
// retraction seen on the other side, history after a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, shot, RUN } from '../lib/browser.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('alice and bob chat both ways, see read ticks and retractions', async () => {
  const alice = `alice-${RUN}`;
  const bob = `bob-${RUN}`;
  const a = await newPage(browser);
  const b = await newPage(browser);
  await login(a, alice);
  await login(b, bob);

  // alice opens a conversation with bob and sends (the demo fetches the chat sign from /dev/chat-sign)
  await a.getByTestId('peer-input').fill(bob);
  await a.getByTestId('open-chat').click();
  await a.getByTestId('composer').fill('Hello Bob!');
  await a.getByTestId('send').click();
  const sent = a.getByTestId('msg').filter({ hasText: 'Hello Bob!' });
  await sent.getByTestId('tick').waitFor();

  // bob sees an unread badge in his conversation list; the push was acked (141) → delivered tick at alice
  await b.getByTestId(`unread-${alice}`).filter({ hasText: '1' }).waitFor();
  await sent.locator('[data-testid="tick"][data-status="delivered"]').waitFor();
  await shot(a, 'chat-1-alice-delivered');
  await shot(b, 'chat-2-bob-unread');

  // bob opens the conversation (160) → alice's tick turns read (199)
  await b.getByTestId(`conv-${alice}`).click();
  await b.getByTestId('msg').filter({ hasText: 'Hello Bob!' }).waitFor();
  await sent.locator('[data-testid="tick"][data-status="read"]').waitFor();
  await b.getByTestId(`unread-${alice}`).waitFor({ state: 'detached' });

  // bob answers; alice has the conversation open, so it is read at once (198) and bob sees it read
  await b.getByTestId('composer').fill('Hi Alice, how can I help?');
  await b.getByTestId('send').click();
  await a.getByTestId('msg').filter({ hasText: 'Hi Alice, how can I help?' }).waitFor();
  await b.getByTestId('msg').filter({ hasText: 'Hi Alice' }).locator('[data-testid="tick"][data-status="read"]').waitFor();
  await shot(a, 'chat-3-alice-reply');
  await shot(b, 'chat-4-bob-read');

  // alice sends a second message and retracts it: it disappears on bob's side
  await a.getByTestId('composer').fill('oops, wrong chat');
  await a.getByTestId('send').click();
  const oops = a.getByTestId('msg').filter({ hasText: 'oops, wrong chat' });
  await oops.locator('[data-testid="tick"][data-status="read"]').waitFor();
  await b.getByTestId('msg').filter({ hasText: 'oops, wrong chat' }).waitFor();
  const id = await oops.getAttribute('data-message-id');
  await oops.getByTestId('retract').click();
  await a.locator(`[data-message-id="${id}"][data-retracted="true"]`).waitFor();
  await b.locator(`[data-message-id="${id}"][data-retracted="true"]`).waitFor();
  assert.equal(await b.getByTestId('messages').getByText('oops, wrong chat').count(), 0, 'retracted text gone at bob');
  await shot(b, 'chat-5-bob-retracted');

  // a sensitive word is refused (133) and marked failed, nothing delivered
  await a.getByTestId('composer').fill('this is a scam');
  await a.getByTestId('send').click();
  await a.getByTestId('msg').filter({ hasText: 'this is a scam' }).locator('[data-testid="tick"][data-status="failed"]').waitFor();
  await a.getByTestId('chat-error').filter({ hasText: 'sensitive' }).waitFor();

  // a reload logs bob in again: the 1170 heads rebuild the list, history (161) the chat
  await login(b, bob);
  await b.getByTestId(`conv-${alice}`).click();
  await b.getByTestId('msg').filter({ hasText: 'Hello Bob!' }).waitFor();
  await b.locator(`[data-message-id="${id}"][data-retracted="true"]`).waitFor();
  await settleCount(b.getByTestId('msg'), 3);

  // scroll-back: 22 more messages (sent through the page's client), bob sees the newest 20, then loads earlier (161)
  await a.evaluate(async (peer) => {
    for (let i = 1; i <= 22; i++) await window.seedim.im.sendText(peer, `bulk ${i}`);
  }, bob);
  await login(b, bob);
  await b.getByTestId(`conv-${alice}`).click();
  await b.getByTestId('msg').filter({ hasText: 'bulk 22' }).waitFor();
  await settleCount(b.getByTestId('msg'), 20);
  // "load earlier" (161 with beforeMessageId); scrolling the list to its top loads the same page, and the click's
  // own scrolling can trigger that first and hide the button: either way the earlier page must arrive
  const earlier = b.getByTestId('msg').filter({ hasText: 'Hello Bob!' });
  await Promise.race([b.getByTestId('load-earlier').click().catch(() => {}), earlier.waitFor()]);
  await earlier.waitFor();
  await settleCount(b.getByTestId('msg'), 25);
  await b.getByTestId('load-earlier').waitFor({ state: 'hidden' });
  const ids = await b.getByTestId('msg').evaluateAll((els) => els.map((e) => Number(e.dataset.messageId)));
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'oldest first');
  await shot(b, 'chat-6-bob-history');

  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

/**
 * Waits until a locator matches exactly `n` elements (pushes replayed on reconnect may render before the
 * history page merges in), failing with the last count after `timeoutMs`.
 */
async function settleCount(locator, n, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let count = await locator.count();
  while (count !== n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    count = await locator.count();
  }
  assert.equal(count, n);
}
