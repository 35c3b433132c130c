// Self-test of the receiver: requests signed the way SeedIM's WebhookPoster signs them (X-Timestamp now, X-Nonce
// 12 random bytes as hex, X-Signature = the §11.4 HMAC over POST, the app, the URL's path, the timestamp, the nonce and
// the exact body) are accepted; a bad signature, a stale timestamp, a replayed nonce and another app are refused.
// Run: node --test   (in this directory)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createReceiver, sign, decide } from './receiver.mjs';

const SECRET = 'receiver-test-secret-0123456789abcdef';
const APP = '1477358668';
const lines = [];
let server;
let base;

before(async () => {
  server = createReceiver({ secret: SECRET, appId: APP, rejectWord: 'forbidden', log: l => lines.push(l) });
  await new Promise(r => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => new Promise(r => server.close(r)));

/** The headers WebhookPoster.signedHeaders makes, for this body and path. */
function signed(path, body, { secret = SECRET, appId = APP, ts = Date.now(), nonce = crypto.randomBytes(12).toString('hex') } = {}) {
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'SeedIM-Webhooks/1',
    'X-App-Id': appId,
    'X-Timestamp': String(ts),
    'X-Nonce': nonce,
    'X-Signature': sign(secret, appId, path, String(ts), nonce, Buffer.from(body, 'utf8')),
  };
}

async function post(path, body, headers) {
  const r = await fetch(base + path, { method: 'POST', headers, body });
  return { status: r.status, json: await r.json() };
}

const batch = JSON.stringify({ events: [
  { id: '757014724067584', type: 'message.created', appId: APP, createdAt: 1796476223934, data: { messageId: '757014724042752',
    userId: 'alice', receiveUserId: 'bob', deviceId: 'web', message: 'hello bob ☕', contentType: 'text', sendTime: 1796476223930 } },
  { id: '757015027769600', type: 'message.read', appId: APP, createdAt: 1796476261007, data: { userId: 'bob', peerId: 'alice',
    readMessageId: '757014724042752' } },
] });

test('a signed delivery is accepted, its events printed; the same batch again (a retry) is de-duplicated by id', async () => {
  const first = await post('/seedim/events', batch, { ...signed('/seedim/events', batch), 'X-SeedIM-Attempt': '1' });
  assert.equal(first.status, 200);
  assert.deepEqual(first.json, { received: 2, new: 2 });
  assert.ok(lines.some(l => l.startsWith('[event] 757014724067584 message.created')));
  const retry = await post('/seedim/events', batch, { ...signed('/seedim/events', batch), 'X-SeedIM-Attempt': '2' });
  assert.equal(retry.status, 200, 'a retry is re-signed with a fresh nonce: accepted');
  assert.deepEqual(retry.json, { received: 2, new: 0 });
  assert.equal(server.stats.duplicates, 2);
});

test('refused with 401: a bad signature, another secret, a changed body, a stale timestamp, a replayed nonce, another app', async () => {
  const h = signed('/seedim/events', batch);
  const bad = { ...h, 'X-Signature': (h['X-Signature'][0] === '0' ? '1' : '0') + h['X-Signature'].slice(1) };
  assert.equal((await post('/seedim/events', batch, bad)).json.error, 'bad signature');
  assert.equal((await post('/seedim/events', batch, signed('/seedim/events', batch, { secret: 'another-secret' }))).status, 401);
  assert.equal((await post('/seedim/events', batch.replace('hello', 'HELLO'), signed('/seedim/events', batch))).status, 401);
  assert.equal((await post('/seedim/events', batch, signed('/seedim/other', batch))).status, 401, 'signed for another path');
  const stale = signed('/seedim/events', batch, { ts: Date.now() - 6 * 60_000 });
  assert.equal((await post('/seedim/events', batch, stale)).json.error, 'stale X-Timestamp');
  const once = signed('/seedim/events', batch);
  assert.equal((await post('/seedim/events', batch, once)).status, 200);
  assert.equal((await post('/seedim/events', batch, once)).json.error, 'nonce already used');
  assert.equal((await post('/seedim/events', batch, signed('/seedim/events', batch, { appId: 'other-app' }))).json.error, 'unknown app');
  const unsigned = await post('/seedim/events', batch, { 'Content-Type': 'application/json' });
  assert.equal(unsigned.status, 401);
});

test('before.message: allow, reject a configured word, rewrite a phone number; the same text gets the same answer', async () => {
  const ask = text => {
    const body = JSON.stringify({ type: 'before.message', appId: APP, message: { userId: 'alice', receiveUserId: 'bob',
      deviceId: 'web', message: text, contentType: 'text', unique: 'm-2' } });
    return post('/seedim/before', body, signed('/seedim/before', body));
  };
  assert.deepEqual((await ask('hello bob')).json, { action: 'allow' });
  const rejected = await ask('this is Forbidden talk');
  assert.equal(rejected.json.action, 'reject');
  assert.match(rejected.json.reason, /forbidden/);
  assert.deepEqual((await ask('call me at +49 30 1234567')).json, { action: 'rewrite', message: 'call me at [number removed]' });
  assert.deepEqual(decide('call me at +49 30 1234567', 'forbidden'), decide('call me at +49 30 1234567', 'forbidden'));
  const forged = JSON.stringify({ type: 'before.message', appId: APP, message: { message: 'x' } });
  assert.equal((await post('/seedim/before', forged, { ...signed('/seedim/before', forged), 'X-Signature': '0'.repeat(64) })).status, 401);
});

test('the webhook delivery vector of docs/signing-vectors.json is what sign() computes', () => {
  const doc = JSON.parse(readFileSync(new URL('../../docs/signing-vectors.json', import.meta.url), 'utf8'));
  const v = doc.vectors.find(x => x.id === 'api-webhook-delivery');
  assert.ok(v, 'the api-webhook-delivery vector');
  const i = v.inputs;
  assert.equal(sign(i.secret, i.appId, i.pathWithQuery, i.timestamp, i.nonce, Buffer.from(i.body, 'utf8')), v.signature);
});
