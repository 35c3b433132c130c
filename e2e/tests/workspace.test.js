// The agent workspace and the supervisor view (/desk/agent.html, /desk/supervisor.html; protocol.md §14): two agent
// pages and a customer (the demo page, which can do WebRTC). The waiting list shows the customer; availability
// away refuses a take in words; "Take" opens the room; chat both ways with delivered/read ticks; the customer
// history panel; a real video call; the transfer to the second agent (the second page gets the room, the first
// loses it); a hang-up reason in words; the supervisor page. Parts of §14 the server under test does not offer yet
// (probed once with Node clients) are skipped with a message saying so, and the page's "not available on this
// server" state is checked instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, newPage, login, shot, waitFor, BASE, RUN } from '../lib/browser.js';
import { client } from '../lib/server.js';

/** How long a page step may take on a busy machine. */
const PATIENCE_MS = 20_000;
// the screenshots of docs/customer-service.md: rewritten only when asked (SEEDIM_SCREENSHOTS=docs), else kept as artifacts
const IMAGES = join(dirname(fileURLToPath(import.meta.url)), '..', process.env.SEEDIM_SCREENSHOTS === 'docs' ? join('..', 'docs', 'images') : 'artifacts');

let browser;
/** Node clients to close whatever happens (an open socket would keep the test process alive). */
const clients = [];
before(async () => { browser = await launch(); });
after(async () => {
  clients.forEach((x) => x.close());
  await browser?.close();
});

/** A Node client of the dev app, closed after the test. */
function nodeClient(userId, o) {
  const x = client(userId, o);
  clients.push(x);
  return x;
}

/** Answers that prove the server handles a msgType (an error about the request itself is still a handler). */
const NOT_OFFERED = new Set(['UNKNOWN_MSG_TYPE', 'TIMEOUT', 'UNAVAILABLE']);

/** Which desk extensions the server under test answers: one request each from Node clients. */
async function probe() {
  const agent = nodeClient(`probe-agent-${RUN}`, { role: 'agent', chat: false });
  const admin = nodeClient(`probe-admin-${RUN}`, { role: 'admin', chat: false });
  await agent.connect();
  await admin.connect();
  const offered = async (c, frame) => {
    try {
      await c.request(frame, { timeoutMs: 4000 });
      return true;
    } catch (e) {
      return !NOT_OFFERED.has(e.code);
    }
  };
  const has = {
    status: await offered(agent, { msgType: 600 }),
    transfer: await offered(agent, { msgType: 610, toUserId: `nobody-${RUN}` }),
    history: await offered(agent, { msgType: 650, userId: `nobody-${RUN}` }),
    supervisor: await offered(admin, { msgType: 670 }),
    leftMessages: await offered(agent, { msgType: 640, queueId: `probe-${RUN}` }),
  };
  agent.close();
  admin.close();
  return has;
}

/** Opens a desk page and signs in with the dev server's id form. */
async function openDesk(page, file, userId) {
  await page.goto(`${BASE}/desk/${file}`);
  await page.getByTestId('login-user').fill(userId);
  await page.getByTestId('login-submit').click();
  await page.locator('[data-testid="conn-state"][data-state="open"]').waitFor();
}

/**
 * Logs the customer in on the demo page; on a machine too busy to connect within the patience, once more, saying what
 * the page showed (a second failure fails the test with that).
 */
async function customerLogin(t, page, userId) {
  try {
    await login(page, userId);
  } catch (e) {
    const seen = `login error "${await page.getByTestId('login-error').textContent()}", connection "${await page.getByTestId('conn-state').textContent()}"`;
    t.diagnostic(`the demo page did not connect (${seen}): once more`);
    await login(page, userId);
  }
}

/** The agent page's tab panel of a customer. */
const panel = (page, customer) => page.getByTestId(`panel-${customer}`);

/** Frames of inbound video the agent page's call with `customer` decoded so far. */
async function videoFrames(page, customer) {
  return page.evaluate(async (id) => {
    const pc = window.deskAgent.tabs.get(id).call?.pc;
    if (!pc || pc.connectionState !== 'connected') return 0;
    let frames = 0;
    (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0; });
    return frames;
  }, customer);
}

test('agent workspace: waiting list, availability, take, chat with ticks, history, video call, transfer, supervisor', async (t) => {
  const t0 = Date.now();
  const mark = (what) => t.diagnostic(`${what}: ${Date.now() - t0} ms`);
  const has = await probe();
  mark('probed');
  t.diagnostic(`desk extensions offered by ${BASE}: ${JSON.stringify(has)}`);
  const queue = `ws-${RUN}`;
  const agentA = `wsa-${RUN}`;
  const agentB = `wsb-${RUN}`;
  const cust = `wsc-${RUN}`;

  const a = await newPage(browser, { width: 1280, height: 800 });
  const b = await newPage(browser, { width: 1280, height: 800 });
  const c = await newPage(browser);
  // four pages, two WebRTC peers and a server on a shared machine: more patience than the 10 s default
  for (const p of [a, b, c]) p.setDefaultTimeout(PATIENCE_MS);
  await openDesk(a, 'agent.html', agentA);
  await openDesk(b, 'agent.html', agentB);
  await a.getByTestId('whoami').filter({ hasText: agentA }).waitFor();
  // the supervisor view (an admin), opened now: a page loads slowly on a busy machine once two peers stream video
  const s = await newPage(browser, { width: 1280, height: 800 });
  s.setDefaultTimeout(PATIENCE_MS);
  await openDesk(s, 'supervisor.html', `wsadmin-${RUN}`);
  mark('agent pages open');

  if (has.status) {
    await a.locator('[data-testid="agent-status"][data-status="available"]').waitFor();
  } else {
    // the page says so instead of breaking
    await a.locator('[data-testid="agent-status"][data-status="unsupported"]').waitFor();
    assert.match(await a.getByTestId('agent-status').textContent(), /not available on this server/);
  }

  // the customer (the demo page) queues: both agents see it in their waiting list, its wait ticking
  await customerLogin(t, c, cust);
  await c.getByTestId('queue-id').fill(queue);
  await c.getByTestId('talk-to-agent').click();
  await c.locator('[data-testid="queue-position"][data-wait-index="1"]').waitFor();
  for (const p of [a, b]) await p.getByTestId(`waiting-${cust}`).waitFor();
  mark('customer waiting');
  assert.equal(await a.getByTestId(`waiting-${cust}`).getAttribute('data-queue'), queue);
  const ticked = await waitFor(a, (id) => {
    const s = document.querySelector(`[data-testid="waiting-${id}"] .wait-time`)?.textContent || '';
    return /^[1-9]\d* s$/.test(s) ? s : false;
  }, cust);
  assert.match(ticked, /s$/);
  assert.ok(await a.evaluate(() => window.deskAgent.sound.played) >= 1, 'a new waiter plays the waiter tone');

  await t.test('availability away: the take is refused in words', { skip: !has.status && 'the server does not answer 600 AGENT_STATUS yet' }, async () => {
    await a.getByTestId('availability').selectOption('away');
    await a.locator('[data-testid="agent-status"][data-status="away"]').waitFor();
    await a.getByTestId(`take-${cust}`).click();
    await a.getByTestId('error').filter({ hasText: /you are away/ }).waitFor();
    await a.getByTestId('availability').selectOption('available');
    await a.locator('[data-testid="agent-status"][data-status="available"]').waitFor();
  });

  mark('availability');
  // "Take" opens the room: a tab and its panel; the customer is in the room; the other agent's list forgets it
  await a.getByTestId(`take-${cust}`).click();
  await a.locator(`[data-testid="tab-${cust}"][data-state="open"][aria-selected="true"]`).waitFor();
  await panel(a, cust).waitFor();
  await c.getByTestId('room-peer').filter({ hasText: agentA }).waitFor();
  await b.getByTestId(`waiting-${cust}`).waitFor({ state: 'detached' });
  await a.getByTestId(`waiting-${cust}`).waitFor({ state: 'detached' });

  // chat, agent → customer: delivered (the customer's page acked it) while the customer has not opened the chat …
  await panel(a, cust).getByTestId('composer-input').fill('Hello, how can I help you?');
  await panel(a, cust).getByTestId('send').click();
  const mine = panel(a, cust).locator('[data-testid="msg"][data-mine="true"]').last();
  await mine.locator('[data-testid="tick"][data-status="delivered"]').waitFor();
  // … read once it does (160 → 199)
  await c.getByTestId('chat-room-peer').click();
  await mine.locator('[data-testid="tick"][data-status="read"]').waitFor();
  // customer → agent: shown in the open panel, which marks it read (198 → 199 on the customer's tick)
  await c.getByTestId('composer').fill('My order 1234 did not arrive');
  await c.getByTestId('send').click();
  await panel(a, cust).locator('[data-testid="msg"][data-mine="false"]').filter({ hasText: 'order 1234' }).waitFor();
  await c.locator('[data-testid="msg"][data-mine="true"]').last().locator('[data-testid="tick"][data-status="read"]').waitFor();

  mark('chat');
  await t.test('customer history: the rooms of the customer and a transcript', { skip: !has.history && 'the server does not answer 650 CUSTOMER_ROOMS yet' }, async () => {
    await panel(a, cust).getByTestId('customer-history').click();
    const room = await a.evaluate((id) => String(window.deskAgent.tabs.get(id).room.roomId), cust);
    await panel(a, cust).getByTestId(`history-room-${room}`).click();
    await panel(a, cust).getByTestId('transcript-msg').filter({ hasText: 'order 1234' }).waitFor();
    await panel(a, cust).getByTestId('transcript-msg').filter({ hasText: 'how can I help' }).waitFor();
  });
  if (!has.history) {
    await panel(a, cust).getByTestId('customer-history').click();
    await panel(a, cust).getByTestId('history-status').filter({ hasText: 'not available on this server' }).waitFor();
    await panel(a, cust).getByTestId('customer-history').click();
  }

  mark('history');
  // a video call from the workspace, declined by the customer: the reason in words
  await panel(a, cust).getByTestId('start-call').click();
  await c.getByTestId('incoming-call').waitFor();
  await c.getByTestId('reject-call').click();
  await panel(a, cust).locator('[data-testid="call-status"][data-state="idle"]').filter({ hasText: 'the customer declined the call' }).waitFor();
  // the customer calls: the agent's tab rings (ringtone), the agent accepts, media flows, the remote video plays
  await c.getByTestId('start-call').click();
  await panel(a, cust).getByTestId('incoming-call').waitFor();
  await a.locator(`[data-testid="tab-${cust}"].ringing`).waitFor();
  assert.equal(await a.evaluate(() => window.deskAgent.sound.ringing), true, 'the ringtone plays while the call rings');
  await panel(a, cust).getByTestId('accept-call').click();
  await panel(a, cust).locator('[data-testid="call-status"][data-state="connected"]').waitFor({ timeout: 20_000 });
  await c.locator('[data-testid="call-status"][data-state="connected"]').waitFor({ timeout: 20_000 });
  assert.equal(await a.evaluate(() => window.deskAgent.sound.ringing), false, 'the ringtone stops once answered');
  await waitFor(a, async (id) => {
    const pc = window.deskAgent.tabs.get(id).call?.pc;
    const v = document.querySelector(`[data-testid="panel-${id}"] [data-testid="remote-video"]`);
    if (!pc || pc.connectionState !== 'connected' || !v || v.videoWidth === 0) return false;
    let frames = 0;
    (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0; });
    return frames > 5;
  }, cust);
  const f1 = await videoFrames(a, cust);
  await a.waitForTimeout(500);
  assert.ok(await videoFrames(a, cust) > f1, 'the agent keeps decoding the customer\'s video');

  // the mute toggle
  await a.getByTestId('mute').click();
  assert.equal(await a.getByTestId('mute').getAttribute('aria-pressed'), 'true');
  await a.getByTestId('mute').click();
  assert.equal(await a.getByTestId('mute').getAttribute('aria-pressed'), 'false');

  // the screenshot, with a second customer waiting
  const next = nodeClient(`wse-${RUN}`, { role: 'user', chat: false });
  await next.connect();
  await next.enterQueue(queue);
  await a.getByTestId(`waiting-wse-${RUN}`).waitFor();
  await a.evaluate(() => document.activeElement?.blur()); // no focus ring on a button in the screenshot
  await a.screenshot({ path: join(IMAGES, 'agent-workspace.png') });

  mark('call');
  // the supervisor view while the room is open
  if (has.supervisor) {
    await s.getByTestId(`queue-${queue}`).getByTestId(`waiter-wse-${RUN}`).waitFor();
    for (const id of [agentA, agentB]) await s.getByTestId(`agent-${id}`).waitFor();
    await s.locator(`[data-testid="agent-${agentA}"][data-online="true"]`).waitFor();
    await s.getByTestId('room-customer').filter({ hasText: cust }).waitFor();
    const updated = await s.getByTestId('updated').textContent();
    assert.match(updated, /updated/);
  } else {
    t.diagnostic('SKIP supervisor snapshot: the server does not answer 670 SUPERVISOR_VIEW yet; checking the page says so');
    await s.getByTestId('problem').filter({ hasText: 'not available on this server' }).waitFor();
  }
  await s.screenshot({ path: join(IMAGES, 'supervisor.png') });

  // a second customer at once (maxRoomsPerAgent permitting): a second tab; "End chat" ends it in the agent's words
  const second = `wse-${RUN}`;
  const maxRooms = await a.evaluate(() => window.deskAgent.status.maxRooms);
  if (maxRooms !== null && maxRooms >= 2) {
    await a.getByTestId(`take-${second}`).click();
    await a.locator(`[data-testid="tab-${second}"][data-state="open"][aria-selected="true"]`).waitFor();
    await a.locator(`[data-testid="tab-${cust}"][data-state="open"]`).waitFor(); // the first room goes on
    assert.match(await a.getByTestId('agent-status').textContent(), /2\/\d+ customers/);
    const ended = next.once('room-disbanded', null, 10_000);
    await panel(a, second).getByTestId('end-chat').click();
    assert.equal((await ended).reason, 'left');
    await panel(a, second).getByTestId('room-banner').filter({ hasText: 'You ended the chat.' }).waitFor();
    await a.getByTestId(`tab-${cust}`).click();
    await panel(a, cust).waitFor();
  } else {
    t.diagnostic(`SKIP a second room at once: the server allows ${maxRooms ?? 'an unknown number of'} room(s) per agent`);
    await next.leave();
  }
  next.close();

  mark('supervisor');
  await t.test('transfer to the second agent: it gets the room, the first loses it', { skip: !has.transfer && 'the server does not answer 610 ROOM_TRANSFER yet' }, async () => {
    await panel(a, cust).getByTestId('transfer').click();
    await panel(a, cust).getByTestId('transfer-agent').fill(agentB);
    await panel(a, cust).getByTestId('transfer-to-agent').click();
    // the first agent: the call ends (321 transferred, in words), the tab ends with the reason
    await a.locator(`[data-testid="tab-${cust}"][data-state="ended"]`).waitFor();
    await panel(a, cust).getByTestId('call-status').filter({ hasText: 'the customer was transferred' }).waitFor();
    await panel(a, cust).getByTestId('room-banner').filter({ hasText: `transferred to ${agentB}` }).waitFor();
    // the second agent: a new open tab with a banner naming the first
    await b.locator(`[data-testid="tab-${cust}"][data-state="open"]`).waitFor();
    await panel(b, cust).getByTestId('room-banner').filter({ hasText: `${agentA} transferred this customer to you` }).waitFor();
    await c.getByTestId('room-peer').filter({ hasText: agentB }).waitFor();
    // what was said before the transfer: the room's transcript opens by itself (652)
    if (has.history) await panel(b, cust).getByTestId('transcript-msg').filter({ hasText: 'order 1234' }).waitFor();
    // the chat goes on with the new agent
    await panel(b, cust).getByTestId('composer-input').fill(`I am ${agentB}, I take over`);
    await panel(b, cust).getByTestId('send').click();
    await c.getByTestId(`conv-${agentB}`).waitFor();
    await c.getByTestId('chat-room-peer').click();
    await c.locator('[data-testid="msg"]').filter({ hasText: 'I take over' }).waitFor();
  });

  mark('transfer');
  // the agent who serves the customer now hangs up: the reason in words, the chat ended
  const serving = has.transfer ? b : a;
  if (has.transfer) {
    await panel(b, cust).getByTestId('start-call').click();
    await c.getByTestId('incoming-call').waitFor();
    await c.getByTestId('accept-call').click();
    await panel(b, cust).locator('[data-testid="call-status"][data-state="connected"]').waitFor({ timeout: 20_000 });
  }
  await c.getByTestId('hang-up').click();
  await panel(serving, cust).locator('[data-testid="call-status"][data-state="idle"]').filter({ hasText: 'the call was hung up' }).waitFor();
  await serving.locator(`[data-testid="tab-${cust}"][data-state="ended"]`).waitFor();
  await panel(serving, cust).getByTestId('room-banner').filter({ hasText: 'ended with a hang-up' }).waitFor();
  await c.getByTestId('room').waitFor({ state: 'hidden' });

  // an ended chat can be closed
  await panel(serving, cust).getByTestId('close-tab').click();
  await serving.getByTestId(`tab-${cust}`).waitFor({ state: 'detached' });

  mark('hang-up');
  await t.test('a left message: the count per queue, "Take", the message shown, the answer reaches the customer', { skip: !has.leftMessages && 'the server does not answer 640 MESSAGE_TAKE yet' }, async (st) => {
    const mq = `wsm-${RUN}`;
    const writer = nodeClient(`wsd-${RUN}`, { role: 'user' });
    await writer.connect();
    await writer.leaveMessage('Please call me back about order 77', mq);
    const info = nodeClient(`wsprobe2-${RUN}`, { role: 'agent', chat: false });
    await info.connect();
    const seen = await info.queueInfo(mq);
    info.close();
    if (seen.messagesWaiting === undefined) {
      writer.close();
      st.skip('the server does not report 431 messagesWaiting yet (the page takes a message per queue from it)');
      return;
    }
    await a.getByTestId('watch-queue-id').fill(mq);
    await a.getByTestId('watch-queue-submit').click();
    await a.locator(`[data-testid="messages-${mq}"][data-count="1"]`).waitFor();
    await a.getByTestId(`take-message-${mq}`).click();
    const who = `wsd-${RUN}`;
    await a.locator(`[data-testid="tab-${who}"][data-state="message"][aria-selected="true"]`).waitFor();
    await panel(a, who).getByTestId('left-message-text').filter({ hasText: 'order 77' }).waitFor();
    const got = writer.once('message', (m) => m.userId === agentA, 10_000);
    await panel(a, who).getByTestId('composer-input').fill('Calling you back in 5 minutes');
    await panel(a, who).getByTestId('send').click();
    assert.equal((await got).message, 'Calling you back in 5 minutes');
    await panel(a, who).locator('[data-testid="msg"][data-mine="true"] [data-testid="tick"][data-status="delivered"]').waitFor();
    writer.close();
  });

  for (const p of [a, b, c, s]) assert.deepEqual(p.errors, []);
});
