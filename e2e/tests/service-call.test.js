// Video customer service: two customers queue (positions 1 and 2), the agent sees the waiting list, takes the
// first, calls them over WebRTC (300/301, 310/311, 340/341, 342/343 through the server), media flows both ways,
// and a hang-up (330 → 321/560) returns everyone to idle.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, login, shot, waitFor, RUN } from '../lib/browser.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Inbound video of the page's peer connection: frames decoded and the <video> element's size and clock. */
async function media(page) {
  return page.evaluate(async () => {
    const pc = window.seedim.call?.pc;
    const v = document.getElementById('remote-video');
    let framesDecoded = 0;
    if (pc) {
      (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') framesDecoded += r.framesDecoded || 0; });
    }
    return { state: pc?.connectionState || null, framesDecoded, width: v.videoWidth, time: v.currentTime };
  });
}

test('queue positions, take next, a real WebRTC call, hang-up', async () => {
  const queue = `q-${RUN}`; // a dynamic queue of our own: other tests cannot disturb the positions
  const agentId = `agent-${RUN}`;
  const c1 = `carol-${RUN}`;
  const c2 = `dave-${RUN}`;
  const agent = await newPage(browser);
  const p1 = await newPage(browser);
  const p2 = await newPage(browser);
  await login(agent, agentId, 'agent');
  await agent.getByTestId('agent-queue-id').fill(queue);
  await agent.getByTestId('refresh-queue').click();
  await login(p1, c1);
  await login(p2, c2);

  // customer 1 queues, then customer 2: live positions (410)
  for (const p of [p1, p2]) await p.getByTestId('queue-id').fill(queue);
  await p1.getByTestId('talk-to-agent').click();
  await p1.locator('[data-testid="queue-position"][data-wait-index="1"]').waitFor();
  await p2.getByTestId('talk-to-agent').click();
  await p2.locator('[data-testid="queue-position"][data-wait-index="2"]').waitFor();
  assert.match(await p2.getByTestId('queue-position').textContent(), /position 2 of 2/);
  // a reload keeps the place: the new connection gets its 410 at once
  await login(p2, c2);
  await p2.locator('[data-testid="queue-position"][data-wait-index="2"]').waitFor();
  // the agent's waiting list (431 pushes) in order
  await agent.getByTestId(`waiting-${c2}`).waitFor();
  assert.deepEqual(await agent.locator('#waiting-list li').evaluateAll((li) => li.map((x) => x.dataset.user)), [c1, c2]);
  await shot(p2, 'service-1-second-customer-position-2');
  await shot(agent, 'service-2-agent-waiting-list');

  // the agent takes the first customer (401 → 402 + 551 to both); customer 2 moves up
  await agent.getByTestId('take-next').click();
  await agent.getByTestId('room-peer').filter({ hasText: c1 }).waitFor();
  await p1.getByTestId('room-peer').filter({ hasText: agentId }).waitFor();
  await p1.locator('[data-testid="queue-status"][data-status="in-room"]').waitFor();
  await p2.locator('[data-testid="queue-position"][data-wait-index="1"]').waitFor();
  await agent.getByTestId(`waiting-${c1}`).waitFor({ state: 'detached' });

  // the agent calls; the customer accepts
  await agent.getByTestId('start-call').click();
  await p1.getByTestId('incoming-call').waitFor();
  await shot(p1, 'service-3-customer-incoming-call');
  await p1.getByTestId('accept-call').click();
  for (const p of [agent, p1]) await p.locator('[data-testid="call-status"][data-state="connected"]').waitFor({ timeout: 20_000 });

  // media flows both ways: connected peer connections, decoded frames, the remote <video> playing
  for (const p of [agent, p1]) {
    await waitFor(p, async () => {
      const pc = window.seedim.call?.pc;
      const v = document.getElementById('remote-video');
      if (!pc || pc.connectionState !== 'connected' || v.videoWidth === 0) return false;
      let frames = 0;
      (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0; });
      return frames > 5;
    });
    const m1 = await media(p);
    await p.waitForTimeout(600);
    const m2 = await media(p);
    assert.equal(m2.state, 'connected');
    assert.ok(m2.width > 0, 'remote video has a size');
    assert.ok(m2.time > m1.time, `remote video clock advances (${m1.time} → ${m2.time})`);
    assert.ok(m2.framesDecoded > m1.framesDecoded, 'frames keep being decoded');
  }
  await shot(agent, 'service-4-agent-in-call');
  await shot(p1, 'service-5-customer-in-call');

  // the customer hangs up: both sides back to idle, room gone, the agent free again
  await p1.getByTestId('hang-up').click();
  for (const p of [agent, p1]) {
    await p.locator('[data-testid="call-status"][data-state="idle"]').waitFor();
    await p.getByTestId('room').waitFor({ state: 'hidden' });
    assert.equal(await p.evaluate(() => window.seedim.call.pc), null);
  }
  await p1.locator('[data-testid="queue-status"][data-status="idle"]').waitFor();
  await agent.getByTestId('service-notice').filter({ hasText: 'hangup' }).waitFor();
  await shot(agent, 'service-6-agent-after-hangup');
  await shot(p1, 'service-7-customer-after-hangup');

  // the agent can take the next one at once (not AGENT_BUSY)
  await agent.getByTestId('take-next').click();
  await p2.getByTestId('room-peer').filter({ hasText: agentId }).waitFor();
  await agent.getByTestId('leave-room').click();
  await p2.locator('[data-testid="queue-status"][data-status="idle"]').waitFor();

  for (const p of [agent, p1, p2]) assert.deepEqual(p.errors, []);
});

test('reject, then a call that the customer\'s reload leaves behind, hung up from the reloaded page', async () => {
  const queue = `r-${RUN}`;
  const agentId = `agent2-${RUN}`;
  const cust = `erin-${RUN}`;
  const agent = await newPage(browser);
  const p = await newPage(browser);
  await login(agent, agentId, 'agent');
  await agent.getByTestId('agent-queue-id').fill(queue);
  await login(p, cust);
  await p.getByTestId('queue-id').fill(queue);
  await p.getByTestId('talk-to-agent').click();
  await p.locator('[data-testid="queue-position"][data-wait-index="1"]').waitFor();
  await agent.getByTestId('take-next').click();
  // a first call is rejected (320 → 321 rejected), the second one accepted
  await agent.getByTestId('start-call').click();
  await p.getByTestId('reject-call').click();
  await agent.getByTestId('service-notice').filter({ hasText: 'rejected' }).waitFor();
  await agent.locator('[data-testid="call-status"][data-state="idle"]').waitFor();
  await agent.getByTestId('start-call').click();
  await p.getByTestId('accept-call').click();
  for (const x of [agent, p]) await x.locator('[data-testid="call-status"][data-state="connected"]').waitFor({ timeout: 20_000 });

  // reload: same device id (sessionStorage), the room and its active call come back with the 551
  await login(p, cust);
  await p.getByTestId('room-call-state').filter({ hasText: 'active' }).waitFor();
  await p.locator('[data-testid="call-status"][data-state="idle"]').waitFor();
  await shot(p, 'service-8-customer-reloaded-in-call');
  await p.getByTestId('hang-up').click();
  await p.getByTestId('room').waitFor({ state: 'hidden' });
  await agent.locator('[data-testid="call-status"][data-state="idle"]').waitFor();
  await agent.getByTestId('room').waitFor({ state: 'hidden' });
  for (const x of [agent, p]) assert.deepEqual(x.errors, []);
});
