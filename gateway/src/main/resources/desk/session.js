// SeedIM desk pages: where signed connect URLs come from, and the connection itself.
//
// The pages never sign. A signed connect URL (what POST /api/v1/sign answers) comes from the product's backend:
//  - embedded by embed.js (an iframe inside the product's page): the page asks its parent with postMessage
//    {type: 'seedim:sign-request', id, role}; embed.js, running first-party on the product's origin, fetches the
//    product's sign endpoint with the visitor's cookies and answers {type: 'seedim:sign', id, ok, sign | error}.
//    Only the parent window itself, at an allowed origin (desk.frameAncestors, or the gateway's own origin), is
//    believed, and only for a connect URL to this gateway (config.json's wsUrl): a sign for another server or
//    answered by another window is refused. The page asks its parent only when it was opened with embedded=1;
//  - opened directly: GET <desk.signUrl>?role=<role> with credentials (the product's backend must allow this origin
//    with CORS and credentials when it is another origin);
//  - dev mode (desk.signUrl = /dev/sign): /dev/sign?userId=..&role=.. on the loopback dev server.
import { ImClient } from './js/im-client.js';

/** How long a page waits for its parent's answer to a sign request. */
const PARENT_SIGN_TIMEOUT_MS = 10000;

/** The desk settings of this server: {signUrl, devSign, frameAncestors, wsUrl}. */
export async function deskConfig() {
  const res = await fetch('config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`desk config: HTTP ${res.status}`);
  return res.json();
}

/** True when this page runs inside an iframe. */
export function embedded() {
  try { return window.parent !== window; } catch { return true; }
}

/** True when embed.js framed this page (`embedded=1`): signs then come from the parent, never from desk.signUrl. */
export function signsFromParent() {
  return embedded() && new URLSearchParams(window.location.search).get('embedded') === '1';
}

function sameGateway(url, cfg) {
  try {
    return !cfg.wsUrl || new URL(url).origin === new URL(cfg.wsUrl).origin;
  } catch {
    return false;
  }
}

function originAllowed(origin, cfg) {
  const o = String(origin).toLowerCase();
  if (o === window.location.origin.toLowerCase()) return true;
  return (cfg.frameAncestors || []).some((entry) => {
    const a = entry.toLowerCase();
    if (!a.includes('*')) return a === o;
    const [scheme, host] = a.split('://');
    const suffix = host.slice(1); // "*.example.com" -> ".example.com"
    return o.startsWith(`${scheme}://`) && o.slice(scheme.length + 3).endsWith(suffix);
  });
}

function signFromParent(role, cfg) {
  const id = globalThis.crypto && crypto.randomUUID ? crypto.randomUUID() : `s${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { window.removeEventListener('message', onMessage); reject(new Error('the embedding page did not answer the sign request')); }, PARENT_SIGN_TIMEOUT_MS);
    function onMessage(e) {
      const d = e.data;
      if (!d || d.type !== 'seedim:sign' || d.id !== id || e.source !== window.parent || !originAllowed(e.origin, cfg)) return;
      clearTimeout(timer);
      window.removeEventListener('message', onMessage);
      if (d.ok && d.sign && d.sign.url && sameGateway(d.sign.url, cfg)) resolve(d.sign);
      else if (d.ok && d.sign && d.sign.url) reject(new Error('the embedding page sent a sign for another server'));
      else reject(new Error(d.error || 'the embedding page refused to sign'));
    }
    window.addEventListener('message', onMessage);
    window.parent.postMessage({ type: 'seedim:sign-request', id, role }, '*');
  });
}

async function signFromUrl(role, cfg, userId) {
  let url;
  let init;
  if (cfg.devSign) {
    url = `${cfg.signUrl}?${new URLSearchParams({ userId, role, deviceId: `${role}-${Math.random().toString(36).slice(2, 8)}` })}`;
    init = {};
  } else {
    url = `${cfg.signUrl}${cfg.signUrl.includes('?') ? '&' : '?'}role=${encodeURIComponent(role)}`;
    init = { credentials: 'include' };
  }
  const res = await fetch(url, { ...init, cache: 'no-store' });
  if (!res.ok) throw new Error(`sign endpoint: HTTP ${res.status}`);
  const sign = await res.json();
  if (!sign || !sign.url) throw new Error('sign endpoint: the answer has no url');
  return sign;
}

/**
 * One sign for `role`: from the embedding page when embedded, else from desk.signUrl (dev: /dev/sign for `userId`).
 * @returns {Promise<{url: string, userId: string, role: string, heartbeatSeconds?: number}>}
 */
export function fetchSign(role, cfg, userId) {
  return signsFromParent() ? signFromParent(role, cfg) : signFromUrl(role, cfg, userId);
}

/**
 * Opens a desk connection for `role` ('user', 'agent' or 'admin'): every (re)connect fetches a fresh sign.
 * @returns {Promise<{im: ImClient, sign: object}>} the client (connected) and the first sign (its userId is who we are)
 */
export async function openSession({ role, cfg, userId, onState }) {
  const first = await fetchSign(role, cfg, userId);
  let next = first;
  const im = new ImClient({
    url: async () => {
      const s = next || await fetchSign(role, cfg, first.userId);
      next = null;
      if (s.userId && first.userId && s.userId !== first.userId) {
        // the visitor's session on the product changed (logged out, someone else logged in): never continue this
        // conversation as another user
        im.close();
        throw new Error(`signed in as ${s.userId} now, not ${first.userId}: reload the page`);
      }
      return s.url;
    },
    heartbeatSeconds: first.heartbeatSeconds || 30,
  });
  if (onState) im.on('state', onState);
  await im.connect();
  return { im, sign: first };
}
