// A browser call forced through TURN: a SeedIM dev server of its own with `turn` set through IM_TURN_URLS and
// IM_TURN_SECRET, a real coturn (`turnserver --use-auth-secret`, the same secret) on loopback, and two Chromium pages
// whose peer connections take only relay candidates (iceTransportPolicy 'relay'): the call connects and media flows
// only if the credentials SeedIM minted into each member's 551 are accepted by coturn. Skipped when coturn is not
// installed (deploy/check-turn.sh installs it). Not a blocked direct path in network namespaces: the relay policy
// forbids the direct path inside the browser instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, newPage, shot, waitFor, RUN } from '../lib/browser.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const JAR = join(ROOT, 'server', 'target', 'seedim.jar');
const hasCoturn = (() => { try { execFileSync('sh', ['-c', 'command -v turnserver']); return true; } catch { return false; } })();
const SKIP = !hasCoturn ? 'coturn (turnserver) is not installed' : !existsSync(JAR) ? `no ${JAR}` : false;

let browser; let seedim; let turn; let base; let work;
const secret = `e2e-turn-${RUN}-${Math.random().toString(36).slice(2)}`;

const freeTcp = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const freeUdp = () => new Promise((res) => { const s = createSocket('udp4'); s.bind(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const stop = async (child) => {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => { child.once('exit', r); setTimeout(r, 5000); });
};

before(async () => {
  if (SKIP) return;
  work = mkdtempSync(join(tmpdir(), 'seedim-turn-'));
  const turnPort = await freeUdp();
  const min = 40000 + (turnPort % 200) * 100;
  turn = spawn('turnserver', ['-n', '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=seedim.test',
    '--no-tls', '--no-dtls', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${turnPort}`,
    `--min-port=${min}`, `--max-port=${min + 99}`, '--allow-loopback-peers', '--no-cli', `--pidfile=${join(work, 'turn.pid')}`,
    '--log-file=stdout', '--simple-log', '--verbose'], { stdio: ['ignore', 'pipe', 'pipe'] });
  turn.log = '';
  turn.stdout.on('data', (d) => { turn.log += d; });
  turn.stderr.on('data', (d) => { turn.log += d; });
  const port = await freeTcp();
  const mport = await freeTcp();
  base = `http://127.0.0.1:${port}`;
  seedim = spawn('java', ['-jar', JAR, '--config', join(ROOT, 'conf', 'dev.json')], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, IM_PORT: String(port), IM_MANAGEMENT_PORT: String(mport),
      IM_TURN_URLS: `turn:127.0.0.1:${turnPort}?transport=udp`, IM_TURN_SECRET: secret },
  });
  seedim.log = '';
  seedim.stdout.on('data', (d) => { seedim.log += d; });
  seedim.stderr.on('data', (d) => { seedim.log += d; });
  for (let i = 0; i < 120; i++) {
    try { if ((await fetch(`${base}/health`)).ok) break; } catch { /* not yet */ }
    if (seedim.exitCode !== null) throw new Error(`seedim exited: ${seedim.log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await stop(seedim);
  await stop(turn);
  if (work) rmSync(work, { recursive: true, force: true });
});

async function page(userId, role) {
  const p = await newPage(browser);
  await p.context().grantPermissions(['camera', 'microphone'], { origin: base });
  await p.goto(`${base}/`);
  await p.getByTestId('login-user').fill(userId);
  await p.getByTestId('login-role').selectOption(role);
  await p.getByTestId('login-submit').click();
  await p.getByTestId('conn-state').filter({ hasText: 'open' }).waitFor();
  // only relay candidates: the direct path is not allowed
  await p.evaluate(() => { window.seedim.call.o.iceTransportPolicy = 'relay'; });
  return p;
}

/** The selected candidate pair's local and remote candidate types, and decoded video frames. */
function relayStats(p) {
  return p.evaluate(async () => {
    const pc = window.seedim.call?.pc;
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair = null; let frames = 0;
    stats.forEach((r) => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
      if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0;
    });
    return {
      state: pc.connectionState, frames,
      local: pair && stats.get(pair.localCandidateId)?.candidateType,
      remote: pair && stats.get(pair.remoteCandidateId)?.candidateType,
    };
  });
}

test('a call through TURN with the credentials of the 551 (relay-only peer connections, real coturn)', { skip: SKIP }, async () => {
  const queue = `turn-${RUN}`;
  const agentId = `agentT-${RUN}`;
  const cust = `custT-${RUN}`;
  const agent = await page(agentId, 'agent');
  const customer = await page(cust, 'user');
  await agent.getByTestId('agent-queue-id').fill(queue);
  await customer.getByTestId('queue-id').fill(queue);
  await customer.getByTestId('talk-to-agent').click();
  await customer.locator('[data-testid="queue-position"][data-wait-index="1"]').waitFor();
  await agent.getByTestId('take-next').click();
  await customer.getByTestId('room-peer').filter({ hasText: agentId }).waitFor();

  // each member's 551 carried a TURN credential minted for it
  for (const [p, user] of [[agent, agentId], [customer, cust]]) {
    const ice = await p.evaluate(() => window.seedim.im.iceServers);
    assert.equal(ice.length, 1, JSON.stringify(ice));
    assert.match(ice[0].username, new RegExp(`^\\d{10,}:${user}$`));
    assert.ok(ice[0].credential, 'a credential');
  }

  await agent.getByTestId('start-call').click();
  await customer.getByTestId('accept-call').click();
  for (const p of [agent, customer]) {
    await p.locator('[data-testid="call-status"][data-state="connected"]').waitFor({ timeout: 30_000 });
    await waitFor(p, async () => {
      const pc = window.seedim.call?.pc;
      if (!pc || pc.connectionState !== 'connected') return false;
      let frames = 0;
      (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded || 0; });
      return frames > 5;
    }, undefined, 30_000);
    const s = await relayStats(p);
    assert.equal(s.state, 'connected');
    assert.equal(s.local, 'relay', JSON.stringify(s));
    assert.equal(s.remote, 'relay', JSON.stringify(s));
    assert.ok(s.frames > 0, `frames decoded through the relay: ${s.frames}`);
  }
  // coturn saw both members' SeedIM usernames
  for (const user of [agentId, cust]) assert.match(turn.log, new RegExp(`:${user}`), `coturn log names ${user}`);
  await shot(customer, 'turn-1-customer-call-through-relay');
  await customer.getByTestId('hang-up').click();
  await agent.locator('[data-testid="call-status"][data-state="idle"]').waitFor();
  for (const p of [agent, customer]) assert.deepEqual(p.errors, []);
});
