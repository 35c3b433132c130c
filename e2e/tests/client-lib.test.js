// The JS client library (webroot/js/im-client.js) under node with the `ws` package: against a scripted fake
// server for the connection edge cases (heartbeats, backoff, 99 SHUTDOWN/REPLACED, de-duplication, acks), and
// against the real dev server for request/response correlation and errors.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import WebSocket from 'ws';
import { ImClient, ImError } from '../../gateway/src/main/resources/webroot/js/im-client.js';
import { client, RUN } from '../lib/server.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A fake IM server: `onConnection(ws, n)` scripts each connection; frames received are kept per connection. */
async function fakeServer(onConnection) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const s = { wss, conns: [], received: [], url: `ws://127.0.0.1:${wss.address().port}/ws`, times: [] };
  wss.on('connection', (ws) => {
    const n = s.conns.length;
    s.conns.push(ws);
    s.times.push(Date.now());
    s.received[n] = [];
    ws.on('message', (d) => s.received[n].push(JSON.parse(String(d))));
    onConnection(ws, n, s);
  });
  s.close = () => new Promise((r) => { s.conns.forEach((c) => c.terminate()); wss.close(r); });
  return s;
}
const send = (ws, f) => ws.send(JSON.stringify(f));

describe('im-client against a scripted server', () => {
  const servers = [];
  after(() => Promise.all(servers.map((s) => s.close())));

  test('heartbeats at heartbeatSeconds; 21 resolves the 20', async () => {
    const s = await fakeServer((ws) => ws.on('message', (d) => {
      const f = JSON.parse(String(d));
      if (f.msgType === 20) send(ws, { msgType: 21, unique: f.unique });
    }));
    servers.push(s);
    const c = new ImClient({ WebSocket, url: s.url, heartbeatSeconds: 1 });
    await c.connect();
    const reply = await c.heartbeat();
    assert.equal(reply.msgType, 21);
    await sleep(1300);
    assert.ok(s.received[0].filter((f) => f.msgType === 20).length >= 2, 'one manual + at least one periodic heartbeat');
    c.close();
  });

  test('acks reliable pushes (31, 141), not the others, and drops duplicates by unique and messageId', async () => {
    const s = await fakeServer((ws) => {
      const m = { msgType: 140, messageId: '1001', userId: 'bob', receiveUserId: 'me', message: 'hi', unique: 's-1' };
      send(ws, m);
      send(ws, m); // a resend (same unique)
      send(ws, { ...m, unique: 's-2' }); // replayed on a new connection: new unique, same messageId
      send(ws, { msgType: 131, messageId: '9', receiveUserId: 'bob', unique: 's-3' });
      send(ws, { msgType: 131, messageId: '9', receiveUserId: 'bob', unique: 's-3' });
      send(ws, { msgType: 410, queueId: 'default', waitIndex: 1, waitTotal: 1, unique: 's-4' });
    });
    servers.push(s);
    const c = new ImClient({ WebSocket, url: s.url });
    const got = { message: 0, delivered: 0, position: 0, duplicate: 0 };
    c.on('message', () => got.message++);
    c.on('delivered', () => got.delivered++);
    c.on('queue-position', () => got.position++);
    c.on('frame:in', (f) => { if (f._kind === 'duplicate') got.duplicate++; });
    await c.connect();
    await sleep(300);
    assert.deepEqual(got, { message: 1, delivered: 1, position: 1, duplicate: 3 });
    const acks = s.received[0];
    const ids = acks.filter((f) => f.msgType === 141).flatMap((f) => f.messageIds || [f.messageId]);
    assert.deepEqual(ids, ['1001', '1001', '1001'], 'every copy of the 140 is acked (141), batched');
    assert.deepEqual(acks.filter((f) => f.msgType === 31).map((f) => f.unique), ['s-3', 's-3'], '131 acked with 31, 410 not');
    c.close();
  });

  test('request correlation: 30 + reply resolves, 10/132/133 reject, pushes with other uniques pass by', async () => {
    const s = await fakeServer((ws) => ws.on('message', (d) => {
      const f = JSON.parse(String(d));
      if (f.msgType === 430) {
        send(ws, { msgType: 410, queueId: 'q', waitIndex: 1, waitTotal: 1, unique: 'push-1' });
        send(ws, { msgType: 30, receiveMsgType: 430, unique: f.unique });
        send(ws, { msgType: 431, queueId: 'q', waitIndex: 1, waitTotal: 1, unique: f.unique });
      } else if (f.msgType === 130 && f.message === 'bad') {
        send(ws, { msgType: 133, receiveUserId: f.receiveUserId, message: f.message, unique: f.unique });
      } else if (f.msgType === 130 && !String(f.receiveSign).startsWith('sig')) {
        send(ws, { msgType: 132, receiveUserId: f.receiveUserId, message: f.message, unique: f.unique });
      } else if (f.msgType === 130) {
        send(ws, { msgType: 30, receiveMsgType: 130, messageId: '77', sendTime: 1, unique: f.unique });
      } else if (f.msgType === 550) {
        send(ws, { msgType: 10, code: 'NOT_FOUND', message: 'not in a room', receiveMsgType: 550, unique: f.unique });
      }
    }));
    servers.push(s);
    let signs = 0;
    const c = new ImClient({ WebSocket, url: s.url, chatSign: async () => ({ receiveSign: `sig${++signs}`, timestamp: 5 }) });
    let pushes = 0;
    c.on('queue-position', () => pushes++);
    await c.connect();
    const info = await c.queueInfo('q');
    assert.equal(info.msgType, 431);
    assert.equal(info.ack.msgType, 30);
    assert.equal(pushes, 1);
    await assert.rejects(c.roomInfo(), (e) => e instanceof ImError && e.code === 'NOT_FOUND' && e.frame.receiveMsgType === 550);
    await assert.rejects(c.sendText('bob', 'bad'), (e) => e.code === 'SENSITIVE_WORD');
    const ack = await c.sendText('bob', 'ok');
    assert.equal(ack.messageId, '77');
    // a frame with an explicit (bad) sign gets 132 and rejects (no provider retry for explicit signs)
    await assert.rejects(c.sendMessage({ receiveUserId: 'bob', message: 'x', receiveSign: 'explicit', timestamp: 1 }), (e) => e.code === 'CHAT_SIGN_EXPIRED');
    assert.equal(signs, 1, 'the provider sign is reused');
    await assert.rejects(c.request({ msgType: 180 }, { timeoutMs: 100 }), (e) => e.code === 'TIMEOUT');
    c.close();
    await assert.rejects(c.queueInfo(), (e) => e.code === 'NOT_CONNECTED');
  });

  test('reconnects with exponential backoff after unexpected closes', async () => {
    const s = await fakeServer((ws, n) => { if (n < 4) ws.close(1011); });
    servers.push(s);
    const c = new ImClient({ WebSocket, url: s.url, reconnectBaseMs: 100 });
    const states = [];
    c.on('state', (x) => states.push(x.state));
    await c.connect();
    while (s.conns.length < 5) await sleep(20);
    await sleep(50);
    assert.equal(c.state, 'open');
    const gaps = s.times.slice(1).map((t, i) => t - s.times[i]);
    // delays are uniform in [cap/2, cap] with cap = 100, 200, 400, 800 ms
    [50, 100, 200, 400].forEach((min, i) => assert.ok(gaps[i] >= min - 10, `gap ${i} = ${gaps[i]} ≥ ${min}`));
    assert.ok(gaps[3] > gaps[0], 'backoff grows');
    assert.ok(states.includes('reconnecting'));
    c.close();
  });

  test('99 SHUTDOWN: reconnects after retryAfterMs', async () => {
    const s = await fakeServer((ws, n) => {
      if (n === 0) {
        send(ws, { msgType: 99, code: 'SHUTDOWN', message: 'bye', retryAfterMs: 700, unique: 'n1' });
        ws.close(1001);
      }
    });
    servers.push(s);
    const c = new ImClient({ WebSocket, url: s.url, reconnectBaseMs: 10 });
    const notices = [];
    c.on('notice', (f) => notices.push(f.code));
    await c.connect();
    while (s.conns.length < 2) await sleep(20);
    const gap = s.times[1] - s.times[0];
    assert.ok(gap >= 680 && gap < 1500, `reconnected after ${gap} ms`);
    assert.deepEqual(notices, ['SHUTDOWN']);
    c.close();
  });

  test('99 REPLACED / close 4001: no automatic reconnect', async () => {
    const s = await fakeServer((ws, n) => {
      if (n === 0) {
        send(ws, { msgType: 99, code: 'REPLACED', message: 'another login', unique: 'n2' });
        ws.close(4001);
      }
    });
    servers.push(s);
    const c = new ImClient({ WebSocket, url: s.url, reconnectBaseMs: 10 });
    const kicked = c.once('kicked');
    await c.connect();
    assert.equal((await kicked).code, 'REPLACED');
    await sleep(400);
    assert.equal(s.conns.length, 1);
    assert.equal(c.state, 'closed');
  });
});

describe('im-client against the dev server', () => {
  const clients = [];
  const mk = (...a) => { const c = client(...a); clients.push(c); return c; };
  after(() => clients.forEach((c) => c.close()));

  test('chat round trip: 30 with messageId, 140 acked → 131, 160 → 199, 161 history, 190 → 192', async () => {
    const a = mk(`la-${RUN}`);
    const b = mk(`lb-${RUN}`);
    await a.connect();
    await b.connect();
    const msg = b.once('message');
    const delivered = a.once('delivered');
    const ack = await a.sendText(`lb-${RUN}`, 'hello from node');
    assert.match(ack.messageId, /^[0-9]+$/);
    assert.equal((await msg).message, 'hello from node');
    assert.equal((await delivered).messageId, ack.messageId, '141 sent by the library made it delivered');
    const read = a.once('read');
    await b.viewPeer(`la-${RUN}`);
    assert.equal((await read).messageId, ack.messageId);
    const page = await b.history({ sender: `la-${RUN}` });
    assert.equal(page.msgType, 162);
    assert.equal(page.messages.at(-1).messageId, ack.messageId);
    const retracted = b.once('retracted');
    await a.retract(ack.messageId, `lb-${RUN}`);
    assert.equal((await retracted).msgType, 192);
    const total = await b.unreadTotal();
    assert.equal(total.msgType, 180);
    const st = await a.onlineStatus([`lb-${RUN}`]);
    assert.equal(st.statuses[`lb-${RUN}`], true);
  });

  test('errors reject with the §3 code; 132 without a chat sign; 133 for a sensitive word', async () => {
    const a = mk(`lc-${RUN}`, { chat: false });
    const b = mk(`ld-${RUN}`);
    await a.connect();
    await b.connect();
    await assert.rejects(a.sendText(`ld-${RUN}`, 'no permission'), (e) => e.code === 'CHAT_SIGN_EXPIRED' && e.frame.msgType === 132);
    await assert.rejects(b.sendText(`lc-${RUN}`, 'a scam offer'), (e) => e.code === 'SENSITIVE_WORD' && e.frame.msgType === 133);
    await assert.rejects(a.roomInfo(), (e) => e.code === 'NOT_FOUND');
    await assert.rejects(a.history({ sender: `ld-${RUN}`, pageSize: 1000 }), (e) => e.code === 'INVALID_FIELD');
    await assert.rejects(a.takeNext(), (e) => e.code === 'FORBIDDEN' || e.code === 'INVALID_STATE');
    // idempotency: the same unique gets the same 30 (same messageId)
    const first = await b.sendMessage({ receiveUserId: `lc-${RUN}`, message: 'once', unique: `u-${RUN}` });
    const again = await b.sendMessage({ receiveUserId: `lc-${RUN}`, message: 'once', unique: `u-${RUN}` });
    assert.equal(again.messageId, first.messageId);
  });

  test('a second login on the same device replaces the first (99 REPLACED, no reconnect)', async () => {
    const a1 = mk(`le-${RUN}`, { deviceId: 'same' });
    const a2 = mk(`le-${RUN}`, { deviceId: 'same' });
    await a1.connect();
    const kicked = a1.once('kicked');
    await a2.connect();
    assert.equal((await kicked).code, 'REPLACED');
    await sleep(300);
    assert.equal(a1.state, 'closed');
    assert.equal(a2.state, 'open');
  });

  test('reconnects after the socket dies and gets undelivered messages again', async () => {
    const a = mk(`lf-${RUN}`);
    const b = mk(`lg-${RUN}`, { reconnectBaseMs: 200, autoAck: false });
    await a.connect();
    await b.connect();
    const first = b.once('message');
    const sent = await a.sendText(`lg-${RUN}`, 'are you there?');
    await first;
    b.ws.terminate(); // no close handshake: like a network loss
    await b.once('state', (s) => s.state === 'open', 5000);
    // not acked before, so the server replays it on the new connection (same messageId → de-duplicated)
    await sleep(500);
    const copies = b.inbox.filter((f) => f.msgType === 140 && f.messageId === sent.messageId);
    assert.ok(copies.length >= 2, `replayed (${copies.length} copies)`);
    assert.equal(copies.filter((f) => f._kind === 'push').length, 1, 'emitted once');
  });
});
