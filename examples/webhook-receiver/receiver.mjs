// A SeedIM webhook receiver (docs/webhooks.md) in plain Node.js: no npm dependencies.
//
//   POST <eventsPath>  event deliveries {"events":[...]}: verified, de-duplicated by id, printed, answered 200
//   POST <beforePath>  the before.message check of 130: allow, reject (a configured word), rewrite (phone numbers)
//
// Every request is verified the way docs/webhooks.md "Verifying a delivery" says: the app id, a timestamp within
// 5 minutes, the HMAC-SHA256 signature (protocol.md §11.4) compared in constant time, then a nonce not seen before.
// Run: node receiver.mjs (settings from the environment, see README.md). Import createReceiver for tests.
import http from 'node:http';
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';

/** A request older or newer than this is refused (a replay, or a clock far off). */
export const MAX_SKEW_MS = 5 * 60_000;
/** Nonces are remembered this long: longer than the timestamp window on either side. */
export const NONCE_TTL_MS = 2 * MAX_SKEW_MS;
/** The largest body read (SeedIM sends at most 500 events). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Event ids remembered for de-duplication (the oldest are forgotten first). */
export const MAX_SEEN_IDS = 200_000;

/** The canonical string of the HTTP API scheme (protocol.md §10.1), as bytes: the body is used exactly as received. */
export function canonical(appId, pathWithQuery, timestamp, nonce, rawBody) {
  return Buffer.concat([Buffer.from(`POST\n${appId}\n${pathWithQuery}\n${timestamp}\n${nonce}\n`, 'utf8'), rawBody]);
}

/** The X-Signature SeedIM computes (lowercase hex). */
export function sign(secret, appId, pathWithQuery, timestamp, nonce, rawBody) {
  return crypto.createHmac('sha256', secret).update(canonical(appId, pathWithQuery, timestamp, nonce, rawBody)).digest('hex');
}

/**
 * Checks the signature headers of one request: null when it is authentic and fresh, else why not. The nonce is
 * checked (and remembered) only after the signature matched, so forged requests cannot fill the nonce memory.
 */
export function verify({ headers, rawBody, secrets, appId, pathWithQuery, nonces, nowMs = Date.now() }) {
  const ts = headers['x-timestamp'];
  const nonce = headers['x-nonce'];
  const sig = headers['x-signature'];
  if (headers['x-app-id'] !== appId) return 'unknown app';
  if (typeof ts !== 'string' || !/^[0-9]{1,16}$/.test(ts)) return 'missing or malformed X-Timestamp';
  if (Math.abs(nowMs - Number(ts)) > MAX_SKEW_MS) return 'stale X-Timestamp';
  if (typeof nonce !== 'string' || !/^[!-~]{1,64}$/.test(nonce)) return 'missing or malformed X-Nonce';
  if (typeof sig !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sig)) return 'missing or malformed X-Signature';
  const given = Buffer.from(sig, 'hex');
  // every secret of a rotation window is tried; timingSafeEqual compares in constant time (equal lengths here)
  const ok = secrets.some(secret => crypto.timingSafeEqual(given,
    crypto.createHmac('sha256', secret).update(canonical(appId, pathWithQuery, ts, nonce, rawBody)).digest()));
  if (!ok) return 'bad signature';
  for (const [n, until] of nonces) { // insertion order = expiry order: drop the expired ones
    if (until > nowMs) break;
    nonces.delete(n);
  }
  if (nonces.has(nonce)) return 'nonce already used';
  nonces.set(nonce, nowMs + NONCE_TTL_MS);
  return null;
}

/** The before.message verdict: the same text always gets the same answer, so a retried 130 does too. */
export function decide(text, rejectWord) {
  if (rejectWord && text.toLowerCase().includes(rejectWord.toLowerCase())) {
    return { action: 'reject', reason: `messages about "${rejectWord}" are not allowed here` };
  }
  const rewritten = text.replace(/\+?[0-9][0-9 ()-]{6,}[0-9]/g, '[number removed]');
  return rewritten !== text ? { action: 'rewrite', message: rewritten } : { action: 'allow' };
}

/**
 * The receiver as an http.Server (not listening yet).
 *
 * @param {object} o
 * @param {string} o.secret the app secret (`secret` of the app in SeedIM's config)
 * @param {string} [o.previousSecret] during a secret rotation, the old one (accepted too)
 * @param {string} o.appId
 * @param {string} [o.eventsPath] the path (and query) of the endpoint URL configured in SeedIM
 * @param {string} [o.beforePath] the path (and query) of `beforeMessage.url`
 * @param {string} [o.rejectWord] before.message rejects texts containing it ('' = none)
 * @param {(line: string) => void} [o.log]
 * @param {() => number} [o.now]
 */
export function createReceiver(o) {
  const eventsPath = o.eventsPath ?? '/seedim/events';
  const beforePath = o.beforePath ?? '/seedim/before';
  const secrets = [o.secret, o.previousSecret].filter(Boolean);
  const log = o.log ?? (line => console.log(line));
  const now = o.now ?? Date.now;
  const nonces = new Map();
  const seen = new Set();
  const stats = { batches: 0, events: 0, duplicates: 0, refused: 0, checks: 0 };

  const answer = (res, status, body) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const refuse = (res, req, status, why) => {
    stats.refused++;
    log(`[refused] ${req.method} ${req.url}: ${why}`);
    answer(res, status, { error: why });
  };

  const server = http.createServer((req, res) => {
    const route = req.url === eventsPath ? 'events' : req.url === beforePath ? 'before' : null;
    if (!route) return answer(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return answer(res, 405, { error: 'POST only' });
    const chunks = [];
    let size = 0;
    req.on('data', c => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        refuse(res, req, 413, 'body too large');
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      const rawBody = Buffer.concat(chunks);
      // the signature covers the configured URL's path: here the same as the request's (no proxy in between)
      const why = verify({ headers: req.headers, rawBody, secrets, appId: o.appId, pathWithQuery: req.url, nonces,
        nowMs: now() });
      if (why) return refuse(res, req, 401, why);
      let body;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return refuse(res, req, 400, 'not JSON');
      }
      if (route === 'events') {
        if (!Array.isArray(body?.events)) return refuse(res, req, 400, 'no events array');
        stats.batches++;
        let fresh = 0;
        for (const e of body.events) {
          if (seen.has(e.id)) { // a retry or a replay: same id, same event
            stats.duplicates++;
            log(`[duplicate] ${e.id} ${e.type}`);
            continue;
          }
          seen.add(e.id);
          if (seen.size > MAX_SEEN_IDS) seen.delete(seen.values().next().value);
          fresh++;
          stats.events++;
          log(`[event] ${e.id} ${e.type} ${JSON.stringify(e.data)}`);
        }
        log(`[batch] attempt ${req.headers['x-seedim-attempt'] ?? '?'}: ${body.events.length} events, ${fresh} new`);
        return answer(res, 200, { received: body.events.length, new: fresh });
      }
      const text = body?.message?.message;
      if (body?.type !== 'before.message' || typeof text !== 'string') return refuse(res, req, 400, 'not a before.message');
      stats.checks++;
      const verdict = decide(text, o.rejectWord ?? '');
      log(`[before.message] ${body.message.userId} → ${body.message.receiveUserId} (unique ${body.message.unique ?? '-'}): ${verdict.action}`);
      return answer(res, 200, verdict);
    });
  });
  server.stats = stats;
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = process.env;
  const port = Number(env.PORT ?? 8090);
  const host = env.HOST ?? '127.0.0.1';
  const o = {
    secret: env.SEEDIM_SECRET ?? 'dev-secret',
    previousSecret: env.SEEDIM_PREVIOUS_SECRET,
    appId: env.SEEDIM_APP_ID ?? '1477358668',
    eventsPath: env.EVENTS_PATH ?? '/seedim/events',
    beforePath: env.BEFORE_PATH ?? '/seedim/before',
    rejectWord: env.REJECT_WORD ?? 'forbidden',
  };
  createReceiver(o).listen(port, host, () => {
    console.log(`[receiver] app ${o.appId}: events on http://${host}:${port}${o.eventsPath}, before.message on `
      + `http://${host}:${port}${o.beforePath} (rejects "${o.rejectWord}", rewrites phone numbers)`);
  });
}
