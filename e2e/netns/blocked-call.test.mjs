// The browser half of deploy/check-turn-netns.sh (run by it, not by run.sh): one Chromium in the customer's network
// namespace, one in the agent's, with no route between them; the SeedIM server and coturn in a third. Through the
// demo page: the customer queues, the agent takes and calls, every candidate type allowed (iceTransportPolicy 'all').
// 1. Media flows and a relay candidate is selected (the only path there is). 2. Control case: with coturn stopped
// (NETNS_TURN_PID) the same call does not connect.
// Env (set by the script): SEEDIM_URL (the page, 127.0.0.1 inside each namespace), CHROMIUM_CUSTOMER / CHROMIUM_AGENT
// (wrappers: `ip netns exec NS chromium`), NETNS_TURN_PID, NETNS_TURN_LOG, NETNS_DIRECT_PEERS (the two browsers'
// addresses).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, newPage, waitFor, shot, demoRoom, RUN } from '../lib/browser.js';

const ENV = ['SEEDIM_URL', 'CHROMIUM_CUSTOMER', 'CHROMIUM_AGENT', 'NETNS_TURN_PID', 'NETNS_TURN_LOG', 'NETNS_DIRECT_PEERS'];
const missing = ENV.filter((k) => !process.env[k]);
const SKIP = missing.length ? `run by deploy/check-turn-netns.sh (missing ${missing.join(', ')})` : false;
const PEERS = (process.env.NETNS_DIRECT_PEERS || '').split(',');
/** How long a call without TURN is given to connect before the control case counts it as failed. */
const NO_TURN_WAIT_MS = 20_000;

let customerBrowser; let agentBrowser;
before(async () => {
  if (SKIP) return;
  [customerBrowser, agentBrowser] = await Promise.all([launch(process.env.CHROMIUM_CUSTOMER), launch(process.env.CHROMIUM_AGENT)]);
});
after(async () => { await Promise.all([customerBrowser?.close(), agentBrowser?.close()]); });

/** The 660s a page sends (CallController's call diagnostics). */
function sent660(page) {
  const out = [];
  page.on('websocket', (ws) => ws.on('framesent', ({ payload }) => {
    if (typeof payload === 'string' && payload.includes('"msgType":660')) out.push(JSON.parse(payload));
  }));
  return out;
}

/** The agent and a customer, each in its own browser (namespace), in one room; a call started and accepted. */
async function call(tag) {
  const queue = `netns-${tag}-${RUN}`;
  const agentId = `agentN${tag}-${RUN}`;
  const custId = `custN${tag}-${RUN}`;
  const agent = await newPage(agentBrowser);
  const customer = await newPage(customerBrowser);
  const stats = { agent: sent660(agent), customer: sent660(customer) };
  await demoRoom(agent, customer, { queue, agentId, custId });
  for (const p of [agent, customer]) {
    // the room's 551 (with the iceServers) may follow the 402 that showed the peer
    await waitFor(p, () => Array.isArray(window.seedim.im.iceServers));
    const ice = await p.evaluate(() => window.seedim.im.iceServers);
    assert.ok(ice.some((s) => String(s.urls).startsWith('turn:') && s.username && s.credential), `TURN in the 551: ${JSON.stringify(ice)}`);
    // every candidate type allowed: the browser may try the direct path
    assert.equal(await p.evaluate(() => window.seedim.call.o.iceTransportPolicy ?? 'all'), 'all');
  }
  await agent.getByTestId('start-call').click();
  await customer.getByTestId('accept-call').click();
  return { agent, customer, agentId, custId, stats };
}

/** The page's peer connection: state, selected pair (types and addresses), its local candidates, inbound media. */
function path(page) {
  return page.evaluate(async () => {
    const pc = window.seedim.call?.pc;
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair = null; let frames = 0; let bytes = 0; const locals = []; let succeeded = 0;
    stats.forEach((r) => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
      if (r.type === 'inbound-rtp') { bytes += r.bytesReceived || 0; if (r.kind === 'video') frames += r.framesDecoded || 0; }
      if (r.type === 'local-candidate') locals.push(`${r.candidateType} ${r.address}`);
      if (r.type === 'candidate-pair' && r.state === 'succeeded') succeeded++;
    });
    const local = pair && stats.get(pair.localCandidateId);
    const remote = pair && stats.get(pair.remoteCandidateId);
    return {
      state: pc.connectionState, ice: pc.iceConnectionState, frames, bytes, locals, succeeded,
      local: local ? `${local.candidateType} ${local.address}` : null, remote: remote ? `${remote.candidateType} ${remote.address}` : null,
    };
  });
}

test('the call connects through coturn when the direct path is blocked (all candidate types allowed)', { skip: SKIP }, async () => {
  const { agent, customer, agentId, custId, stats } = await call('relay');
  for (const p of [agent, customer]) {
    await p.locator('[data-testid="call-status"][data-state="connected"]').waitFor({ timeout: 30_000 });
    await waitFor(p, async () => {
      const pc = window.seedim.call?.pc;
      let frames = 0;
      if (pc) (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0; });
      return frames > 5;
    }, undefined, 30_000);
  }
  const paths = {};
  for (const [who, p] of [['agent', agent], ['customer', customer]]) {
    const a = await path(p);
    await p.waitForTimeout(1000);
    const b = await path(p);
    paths[who] = b;
    console.log(`${who}: ${b.state}, selected ${b.local} -> ${b.remote}, ${b.frames} frames, local candidates: ${b.locals.join(', ')}`);
    assert.equal(b.state, 'connected');
    assert.ok(b.bytes > a.bytes && b.frames > a.frames, `${who}: media keeps flowing (${a.bytes} → ${b.bytes} bytes, ${a.frames} → ${b.frames} frames)`);
    // the namespace offers the browser nothing but its own address (and the relay): no host candidate elsewhere
    for (const c of b.locals) {
      const addr = c.split(' ')[1];
      assert.ok(PEERS.includes(addr) || c.startsWith('relay ') || c.startsWith('srflx '), `${who}: unexpected local candidate ${c}`);
    }
  }
  // the selected pair goes through the relay on at least one side; never host to host between the browsers
  const relayed = ['agent', 'customer'].filter((w) => paths[w].local.startsWith('relay '));
  assert.ok(relayed.length >= 1, `a relay candidate selected: ${JSON.stringify(paths)}`);
  for (const w of ['agent', 'customer']) {
    assert.ok(!(PEERS.includes(paths[w].local.split(' ')[1]) && PEERS.includes(paths[w].remote.split(' ')[1])), `${w}: not direct`);
  }
  // coturn allocated for the members' SeedIM usernames (credentials from the 551)
  const turnLog = readFileSync(process.env.NETNS_TURN_LOG, 'utf8');
  assert.ok([agentId, custId].some((u) => turnLog.includes(`:${u}`)), 'coturn names a SeedIM user');
  await shot(customer, 'netns-1-customer-call-through-turn');

  await customer.getByTestId('hang-up').click();
  await agent.locator('[data-testid="call-status"][data-state="idle"]').waitFor();
  // the call diagnostics (660) tell the relay apart: the relayed side reports candidateType relay
  for (const w of ['agent', 'customer']) {
    for (let i = 0; i < 50 && stats[w].length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(stats[w].length, 1, `${w} sent one 660`);
    assert.equal(stats[w][0].candidateType, paths[w].local.split(' ')[0], `${w}'s 660 reports its path`);
  }
  for (const p of [agent, customer]) assert.deepEqual(p.errors, []);
});

test('control: with coturn stopped the same call does not connect', { skip: SKIP }, async () => {
  const pid = Number(process.env.NETNS_TURN_PID);
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100; i++) {
    try { process.kill(pid, 0); } catch { break; }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.throws(() => process.kill(pid, 0), 'coturn stopped');

  const { agent, customer, stats } = await call('none');
  // ICE runs (the 551 still names the TURN server, which no longer answers) and never connects
  await customer.locator('[data-testid="call-status"][data-state="connecting"]').waitFor();
  const end = Date.now() + NO_TURN_WAIT_MS;
  let last = {};
  while (Date.now() < end) {
    last = { agent: await path(agent), customer: await path(customer) };
    assert.notEqual(last.agent?.state, 'connected', `the agent connected without TURN: ${JSON.stringify(last.agent)}`);
    assert.notEqual(last.customer?.state, 'connected', `the customer connected without TURN: ${JSON.stringify(last.customer)}`);
    if (last.agent?.state === 'failed' && last.customer?.state === 'failed') break; // ICE gave up on both sides
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`without coturn: agent ${last.agent?.state}/${last.agent?.ice}, customer ${last.customer?.state}/${last.customer?.ice}, local candidates ${last.customer?.locals.join(', ')}`);
  for (const w of ['agent', 'customer']) {
    assert.equal(last[w].succeeded, 0, `${w}: no candidate pair succeeded`);
    assert.ok(!last[w].locals.some((c) => c.startsWith('relay ')), `${w}: no relay candidate`);
  }
  await shot(customer, 'netns-2-customer-no-turn');
  await agent.getByTestId('hang-up').click();
  await customer.locator('[data-testid="call-status"][data-state="idle"]').waitFor();
  // a call that never connected reports no diagnostics
  assert.equal(stats.agent.length + stats.customer.length, 0, 'no 660 for a call that never connected');
});
