// The protocol console page: connect with a dev sign, send example frames, see replies, pushes and acks labelled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, BASE, RUN } from '../lib/browser.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('protocol console: examples for every client msgType, labelled frames both ways', async () => {
  const page = await newPage(browser);
  await page.goto(`${BASE}/console.html`);
  const options = await page.getByTestId('c-template').locator('option').evaluateAll((o) => o.map((x) => Number(x.value)));
  assert.deepEqual(options, [20, 31, 101, 102, 130, 141, 160, 161, 180, 190, 198, 251, 300, 310, 320, 330, 340, 342, 400, 401, 420, 430, 540, 550]);

  await page.getByTestId('c-user').fill(`con-${RUN}`);
  await page.getByTestId('c-connect').click();
  await page.locator('[data-testid="conn-state"][data-state="open"]').waitFor();

  // 430 → 30, then the 431 reply
  await page.getByTestId('c-template').selectOption('430');
  await page.getByTestId('c-send').click();
  await page.locator('[data-testid="frame"][data-dir="in"][data-msg-type="431"][data-kind="reply"]').waitFor();
  await page.locator('[data-testid="frame"][data-dir="in"][data-msg-type="30"]').waitFor();

  // 130 to bob with a chat sign from /dev/chat-sign → 30 carrying the messageId
  await page.getByTestId('c-template').selectOption('130');
  await page.getByTestId('c-chatsign').click();
  await page.waitForFunction(() => JSON.parse(document.getElementById('c-frame').value).receiveSign.length === 64);
  await page.getByTestId('c-send').click();
  await page.locator('[data-testid="frame"][data-msg-type="30"]').filter({ hasText: 'messageId' }).waitFor();

  // 400 → 30 and a 410 push (labelled push)
  await page.getByTestId('c-template').selectOption('400');
  await page.getByTestId('c-send').click();
  await page.locator('[data-testid="frame"][data-dir="in"][data-msg-type="410"][data-kind="push"]').waitFor();

  // not JSON → error 10 INVALID_JSON
  await page.getByTestId('c-frame').fill('{oops');
  await page.getByTestId('c-send').click();
  await page.locator('[data-testid="frame"][data-dir="in"][data-kind="error"]').filter({ hasText: 'INVALID_JSON' }).waitFor();
  await shot(page, 'console-1-frames');
  assert.deepEqual(page.errors, []);
});
