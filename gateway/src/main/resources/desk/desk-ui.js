// Shared DOM helpers of the desk pages (agent workspace, supervisor view). Every user-visible text goes through
// textContent (el() appends strings as text nodes), never through HTML. No inline styles or handlers (the /desk/
// CSP allows only the gateway's own scripts and style sheets).

/** document.getElementById. */
export const $ = (id) => document.getElementById(id);

/**
 * Creates an element: `attrs` are attributes (`class`, `data-*`, `aria-*`, …; `on<event>` adds a listener; `false`,
 * `null` and `undefined` are left out), `kids` strings (as text) or nodes.
 */
export function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined && k !== false) e.append(k);
  return e;
}

/** Message ids are decimal strings below 2^53: compare them as numbers. */
export const byId = (a, b) => Number(a) - Number(b);

/** "14:05" from epoch ms. */
export const fmtTime = (ms) => (ms ? new Date(Number(ms)).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');

/** "2026-12-05 14:05" from epoch ms (local time). */
export function fmtDateTime(ms) {
  if (!ms) return '';
  const d = new Date(Number(ms));
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** "42 s", "3 min 05 s", "1 h 02 min" from seconds. */
export function fmtDuration(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Error codes (protocol.md §3.2) in words, for people. */
const ERROR_WORDS = {
  INVALID_FIELD: 'the request was not valid',
  MISSING_FIELD: 'something required was missing',
  FORBIDDEN: 'you are not allowed to do this',
  NOT_FOUND: 'not found (or no longer there)',
  INVALID_STATE: 'not possible right now',
  QUEUE_EMPTY: 'nobody is waiting',
  QUEUE_FULL: 'the queue is full',
  AGENT_BUSY: 'you already serve as many customers as you may',
  RATE_LIMITED: 'too many requests: wait a moment',
  UNAVAILABLE: 'the server did not answer in time: try again',
  INTERNAL: 'the server had a problem',
  TIMEOUT: 'the server did not answer',
  DISCONNECTED: 'the connection was lost',
  NOT_CONNECTED: 'not connected',
  UNKNOWN_MSG_TYPE: 'not available on this server',
  TOO_LARGE: 'too long',
  CHAT_SIGN_EXPIRED: 'no permission to write to this person',
  SENSITIVE_WORD: 'the message contains a word that is not allowed',
};

/** An ImError (or any error) in words: "Take next: nobody is waiting". */
export function errorText(e, what) {
  const words = (e && ERROR_WORDS[e.code]) || (e && e.message) || String(e);
  return what ? `${what}: ${words}` : words.charAt(0).toUpperCase() + words.slice(1);
}

/** How long a desk extension request waits before calling it "not available on this server". */
export const DESK_REQUEST_TIMEOUT_MS = 10000;
/** The pause before the one retry of a request answered UNAVAILABLE. */
const UNAVAILABLE_RETRY_MS = 1000;

/**
 * A request for a desk extension (600–699): answered UNAVAILABLE, it is sent once more with the same `unique` (the
 * protocol's retry, §4.3); a second UNAVAILABLE, like UNKNOWN_MSG_TYPE or no answer at all, means the server does not
 * offer it (an older server, or a node without the desk services): see {@link notOffered}.
 */
export async function deskRequest(im, frame, timeoutMs = DESK_REQUEST_TIMEOUT_MS) {
  const f = { ...frame, unique: frame.unique || im.nextUnique() };
  try {
    return await im.request(f, { timeoutMs });
  } catch (e) {
    if (e.code !== 'UNAVAILABLE') throw e;
  }
  await new Promise((r) => setTimeout(r, UNAVAILABLE_RETRY_MS));
  try {
    return await im.request(f, { timeoutMs });
  } catch (e) {
    if (e.code === 'UNAVAILABLE') e.notOffered = true;
    throw e;
  }
}

/** True when the error says the server does not offer this msgType (not merged yet, older server), or did not answer. */
export const notOffered = (e) => !!e && (e.code === 'UNKNOWN_MSG_TYPE' || e.code === 'TIMEOUT' || e.notOffered === true);

/** True when the server certainly lacks the msgType (not asked again); a TIMEOUT may be a slow moment. */
export const absent = (e) => !!e && (e.code === 'UNKNOWN_MSG_TYPE' || e.notOffered === true);

/** The login step of dev mode (desk.signUrl = /dev/sign): a form asking for the user id; resolves with it. */
export function askUserId(form, input, storageKey) {
  const saved = sessionStorage.getItem(storageKey);
  if (saved) input.value = saved;
  form.hidden = false;
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', function onSubmit(ev) {
      ev.preventDefault();
      const v = input.value.trim();
      if (!v) return;
      sessionStorage.setItem(storageKey, v);
      form.removeEventListener('submit', onSubmit);
      form.hidden = true;
      resolve(v);
    });
  });
}

/** Shows a connection state on a badge element (`data-state` for styles and tests). */
export function showConnState(badge, state) {
  const words = { idle: 'not connected', connecting: 'connecting…', open: 'connected', reconnecting: 'reconnecting…', closed: 'disconnected' };
  badge.textContent = words[state] || state;
  badge.dataset.state = state;
}
