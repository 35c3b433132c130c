// Shared helpers of the browser tests: the server under test, Debian's chromium through playwright-core,
// logging in on the demo page, and screenshots into e2e/artifacts/.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { watchPage } from './contract.js';

export const BASE = process.env.SEEDIM_URL || 'http://127.0.0.1:8080';
export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

/** A suffix that keeps the users of one run apart from earlier runs against the same (in-memory) server. */
export const RUN = Math.random().toString(36).slice(2, 7);

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
  '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

/**
 * Launches chromium (playwright gives every launch a fresh temporary profile, i.e. its own --user-data-dir).
 * @param {string} [executablePath] another chromium, e.g. a wrapper that runs it in a network namespace
 */
export function launch(executablePath = process.env.CHROMIUM || '/usr/bin/chromium') {
  return chromium.launch({ executablePath, args: FLAGS, headless: true });
}

/** A new context (own cookies/storage = one person) with a page, console errors collected in page.errors. */
export async function newPage(browser, { width = 1280, height = 760 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  await context.grantPermissions(['camera', 'microphone'], { origin: BASE });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.setDefaultTimeout(10_000);
  watchPage(page);
  return page;
}

/** Opens the demo and logs in. */
export async function login(page, userId, role = 'user') {
  await page.goto(`${BASE}/`);
  await page.getByTestId('login-user').fill(userId);
  await page.getByTestId('login-role').selectOption(role);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('conn-state').filter({ hasText: 'open' }).waitFor();
}

/** Saves a screenshot as e2e/artifacts/<name>.png. */
export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Polls fn (in the page) until it returns a truthy value. */
export async function waitFor(page, fn, arg, timeout = 15_000) {
  const h = await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  return h.jsonValue();
}

/**
 * On the demo page: the agent (`agent` page) and the customer (`customer` page) log in, the customer queues in `queue`
 * (a queue of the test's own) and the agent takes it; resolves once the customer sees the agent as its room's peer.
 */
export async function demoRoom(agent, customer, { queue, agentId, custId }) {
  await login(agent, agentId, 'agent');
  await agent.getByTestId('agent-queue-id').fill(queue);
  await login(customer, custId);
  await customer.getByTestId('queue-id').fill(queue);
  await customer.getByTestId('talk-to-agent').click();
  await customer.locator('[data-testid="queue-position"][data-wait-index="1"]').waitFor();
  await agent.getByTestId('take-next').click();
  await customer.getByTestId('room-peer').filter({ hasText: agentId }).waitFor();
}
