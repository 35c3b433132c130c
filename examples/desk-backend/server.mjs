// A tiny "product backend" for the SeedIM customer widget (docs/customer-service.md): a shop page with a login form
// (session cookie) and the embed script, and the sign endpoint the widget gets its connect URLs from:
//
//   GET /seedim/sign?role=user  → 200 what SeedIM's POST /api/v1/sign answered, for the logged-in visitor only
//                               → 401 when not logged in; role=agent / role=admin only for the accounts of
//                                 SEEDIM_AGENTS / SEEDIM_ADMINS (the shop's staff), else 403
//
// The app secret stays here: the browser never sees it, and SeedIM's /dev/* endpoints are never used. Node ≥ 20, no
// npm dependencies (node:http, node:crypto, the global fetch). Run: node server.mjs (env below; README.md).
import { createServer } from 'node:http';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

const PORT = Number(process.env.PORT || 3000);
const HOST = process.env.HOST || '127.0.0.1';
/** Where this backend reaches SeedIM's HTTP API (server to server). */
const SEEDIM_URL = (process.env.SEEDIM_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
/** Where browsers load embed.js from (the gateway's public origin); default SEEDIM_URL. */
const SEEDIM_PUBLIC_URL = (process.env.SEEDIM_PUBLIC_URL || SEEDIM_URL).replace(/\/$/, '');
const APP_ID = process.env.SEEDIM_APP_ID || '1477358668';
const APP_SECRET = process.env.SEEDIM_APP_SECRET || 'dev-secret';
const QUEUE = process.env.SEEDIM_QUEUE || 'default';
/** The shop's staff: accounts that may have agent (workspace) or admin (supervisor) signs; comma-separated. */
const STAFF = {
  agent: new Set((process.env.SEEDIM_AGENTS || '').split(',').map((x) => x.trim()).filter(Boolean)),
  admin: new Set((process.env.SEEDIM_ADMINS || '').split(',').map((x) => x.trim()).filter(Boolean)),
};
/** protocol.md §1.3 ids. */
const ID = /^[A-Za-z0-9_.@:-]{1,64}$/;
const SESSION_COOKIE = 'shop_sid';
const SESSION_MAX_AGE_S = 8 * 3600;
const MAX_FORM_BYTES = 4096;

/** sid → {userId, deviceId}: one device id per login, so the visitor's reconnects are the same SeedIM device. */
const sessions = new Map();

// ------------------------------------------------------------------------------------------ SeedIM HTTP API

/** protocol.md §10.1 / §11.4: hex HMAC-SHA256 of METHOD \n appId \n path-with-query \n timestamp \n nonce \n body. */
export function apiSignature(secret, method, appId, pathWithQuery, timestamp, nonce, body) {
  const canonical = [method.toUpperCase(), appId, pathWithQuery, String(timestamp), nonce, body].join('\n');
  return createHmac('sha256', secret).update(canonical, 'utf8').digest('hex');
}

/** A signed call of SeedIM's HTTP API; resolves with {status, body}. */
async function seedim(method, pathWithQuery, payload) {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const timestamp = Date.now();
  const nonce = randomUUID();
  const headers = {
    'X-App-Id': APP_ID,
    'X-Timestamp': String(timestamp),
    'X-Nonce': nonce,
    'X-Signature': apiSignature(APP_SECRET, method, APP_ID, pathWithQuery, timestamp, nonce, body),
  };
  if (body) headers['Content-Type'] = 'application/json';
  const res = await fetch(SEEDIM_URL + pathWithQuery, { method, headers, body: body || undefined });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: json };
}

// ------------------------------------------------------------------------------------------------- helpers

function cookies(req) {
  const out = {};
  for (const part of (req.headers.cookie || '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

function session(req) {
  const sid = cookies(req)[SESSION_COOKIE];
  const s = sid ? sessions.get(sid) : null;
  if (s && Date.now() > s.expiresAt) {
    sessions.delete(sid); // the cookie's Max-Age ends the session on the server too
    return null;
  }
  return s || null;
}

/** Drops expired sessions now and then, so the map does not grow with every login ever made. */
setInterval(() => {
  const now = Date.now();
  for (const [sid, s] of sessions) if (now > s.expiresAt) sessions.delete(sid);
}, 60_000).unref();

/** A form POST from another site (login CSRF) is refused: browsers say where a request comes from. */
function sameOrigin(req) {
  const site = req.headers['sec-fetch-site'];
  if (site) return site === 'same-origin';
  const origin = req.headers.origin;
  return !origin || origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}`;
}

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_FORM_BYTES) { reject(new Error('form too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------------- pages

const CSS = `body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#fafafa}
header{background:#111827;color:#fff;padding:12px 16px;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
header strong{flex:1}main{padding:16px;max-width:900px}form{display:flex;gap:8px;flex-wrap:wrap;align-items:end}
input,button{font:inherit;padding:10px 12px;border-radius:8px;border:1px solid #c9ced6;min-height:44px}
button{background:#1d4ed8;color:#fff;border-color:#1d4ed8;cursor:pointer}label{display:block;font-weight:600}
.products{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;margin-top:16px}
.product{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:12px;min-height:110px}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}`;

function shopPage(s) {
  const account = s
    ? `<span data-testid="shop-user">Hello, ${escapeHtml(s.userId)}</span>
       <form method="post" action="/logout"><button type="submit">Log out</button></form>`
    : `<form method="post" action="/login" data-testid="login-form">
         <div><label for="name">Your account</label><input id="name" name="name" required pattern="[A-Za-z0-9_.@:\\-]{1,64}" autocomplete="username" data-testid="shop-name"></div>
         <button type="submit" data-testid="shop-login">Log in</button>
       </form>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Example shop</title><link rel="stylesheet" href="/shop.css"></head>
<body>
<header><strong>Example shop</strong>${account}</header>
<main>
  <h1>Spring sale</h1>
  <p>${s ? 'Questions about an order? Use the chat button at the bottom right.' : 'Log in to chat with our customer service.'}</p>
  <div class="products">${['Kettle', 'Toaster', 'Lamp', 'Chair'].map((p) => `<div class="product">${p}</div>`).join('')}</div>
</main>
<script src="${escapeHtml(SEEDIM_PUBLIC_URL)}/desk/embed.js" data-sign-url="/seedim/sign" data-queue="${escapeHtml(QUEUE)}" async></script>
</body></html>`;
}

/** This page's own CSP: scripts from itself and the gateway only, the widget frame from the gateway only. */
function shopCsp() {
  const gw = new URL(SEEDIM_PUBLIC_URL).origin;
  return `default-src 'self'; script-src 'self' ${gw}; frame-src ${gw}; style-src 'self'; img-src 'self' data:; `
    + "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'self'";
}

// ---------------------------------------------------------------------------------------------------- routes

async function handle(req, res) {
  const url = new URL(req.url, 'http://backend.invalid');
  if (req.method === 'GET' && url.pathname === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': shopCsp(), 'Cache-Control': 'no-store' });
    res.end(shopPage(session(req)));
    return;
  }
  if (req.method === 'GET' && url.pathname === '/shop.css') {
    res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8' });
    res.end(CSS);
    return;
  }
  if (req.method === 'POST' && !sameOrigin(req)) {
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('cross-site form posts are refused');
    return;
  }
  if (req.method === 'POST' && url.pathname === '/login') {
    const form = await readForm(req);
    const name = (form.get('name') || '').trim();
    if (!ID.test(name)) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('An account name is 1 to 64 letters, digits or _ . @ : -');
      return;
    }
    // a real shop checks a password here; the demo believes the name
    const sid = randomBytes(24).toString('base64url');
    sessions.set(sid, { userId: name, deviceId: `web-${randomBytes(4).toString('hex')}`, expiresAt: Date.now() + SESSION_MAX_AGE_S * 1000 });
    res.writeHead(303, {
      Location: '/',
      'Set-Cookie': `${SESSION_COOKIE}=${sid}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${SESSION_MAX_AGE_S}`,
    });
    res.end();
    console.log(`[shop] ${name} logged in`);
    return;
  }
  if (req.method === 'POST' && url.pathname === '/logout') {
    const sid = cookies(req)[SESSION_COOKIE];
    if (sid) sessions.delete(sid);
    res.writeHead(303, { Location: '/', 'Set-Cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0` });
    res.end();
    return;
  }
  if (req.method === 'GET' && url.pathname === '/seedim/sign') {
    // the widget opened directly or framed without embed.js fetches this from the gateway's origin: allow that
    // origin (exactly) with credentials; embed.js fetches it from this origin and needs no CORS
    if (req.headers.origin && req.headers.origin === new URL(SEEDIM_PUBLIC_URL).origin) {
      res.setHeader('Access-Control-Allow-Origin', req.headers.origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    res.setHeader('Vary', 'Origin');
    const s = session(req);
    if (!s) { json(res, 401, { error: 'not logged in' }); return; }
    // every visitor may be a customer; agent and admin signs only for the staff this backend knows
    const role = url.searchParams.get('role') || 'user';
    if (role !== 'user' && !(STAFF[role] && STAFF[role].has(s.userId))) {
      json(res, 403, { error: `${s.userId} may not sign in as ${role}` });
      return;
    }
    const r = await seedim('POST', '/api/v1/sign', { userId: s.userId, deviceId: s.deviceId, role });
    if (r.status !== 200 || !r.body || !r.body.url) {
      console.error(`[shop] SeedIM refused to sign ${s.userId}: ${r.status} ${JSON.stringify(r.body)}`);
      json(res, 502, { error: 'customer service is not available right now' });
      return;
    }
    console.log(`[shop] signed ${s.userId}/${s.deviceId}`);
    json(res, 200, r.body);
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('not found');
}

const server = createServer((req, res) => {
  handle(req, res).catch((e) => {
    console.error(`[shop] ${req.method} ${req.url} failed: ${e.message}`);
    if (!res.headersSent) json(res, 500, { error: 'internal error' });
    else res.end();
  });
});
server.listen(PORT, HOST, () => {
  const a = server.address();
  console.log(`[shop] listening on http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port} (SeedIM: ${SEEDIM_URL})`);
});
