// SeedIM agent workspace (docs/customer-service.md, protocol.md §7, §8, §9, §14): availability (600/601), the
// waiting list (431 pushes, 401 take), left messages (431 messagesWaiting, 640/641), several customers at once (551
// rooms, 130/140 chat with 131/199 ticks, 198 read, 161 history), the customer's earlier rooms (650/652), video calls
// (call.js, scoped to one room), transfers (610/611) and room ends (560). A server without a desk extension answers
// UNKNOWN_MSG_TYPE (or nothing): its part then says "not available on this server" and is not asked again.
// All user text is rendered with textContent (desk-ui.js el()).
import { deskConfig, openSession } from './session.js';
import { CallController } from './js/call.js';
import { $, el, byId, fmtTime, fmtDateTime, fmtDuration, errorText, notOffered, absent, deskRequest, askUserId, showConnState } from './desk-ui.js';

/** Messages per history page (161). */
const HISTORY_PAGE = 30;
/** Earlier rooms listed in the customer history (650 pageSize). */
const CUSTOMER_ROOMS_PAGE = 20;
/** Pause between two rings of an incoming call. */
const RING_PERIOD_MS = 2500;

/** Why a call ended (321 reason), in words. */
const CALL_END_WORDS = {
  rejected: 'the customer declined the call',
  answered_elsewhere: 'answered on another device',
  timeout: 'nobody answered',
  hangup: 'the call was hung up',
  left: 'the customer left',
  disconnect: 'the connection was lost',
  kicked: 'removed by the service',
  transferred: 'the customer was transferred',
  lost: 'the server lost the call',
  failed: 'the call could not be set up (camera or network)',
  'room-disbanded': 'the chat ended',
};
/** Why a room ended (560 reason), in words. */
const ROOM_END_WORDS = {
  left: 'The customer left the chat.',
  hangup: 'The chat ended with a hang-up.',
  timeout: 'The chat closed after a long time without activity.',
  disconnect: 'The customer\'s connection was lost.',
  kicked: 'The chat was closed by an administrator.',
  lost: 'The server lost this chat (it restarted).',
  transferred: 'The customer was transferred.',
};
const TICKS = { sending: '⏱', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };
const TICK_WORDS = { sending: 'sending', sent: 'sent', delivered: 'delivered', read: 'read', failed: 'not sent' };
const STATUS_WORDS = { available: 'Available', away: 'Away', offline: 'Offline' };

/** Everything the page knows; window.deskAgent for debugging and the e2e tests. */
const S = {
  im: null,
  me: null,
  status: { status: 'available', rooms: 0, maxRooms: null, known: false },
  /** desk extensions this server offers (false once it answered UNKNOWN_MSG_TYPE or nothing) */
  features: { status: true, transfer: true, takeMessage: true, history: true },
  /** queueId → {waiting: [{userId, waitSeconds}], at, waitTotal, agentsAvailable, messagesWaiting} */
  queues: new Map(),
  seenWaiters: new Set(),
  /** customer → tab: {peer, room, ended, leftMessage, messages, pending, peerReadMessageId, unread, loaded, call, ui} */
  tabs: new Map(),
  active: null,
  /** roomId → the 611 that moved it (shown when its 551 arrives) */
  transfers: new Map(),
  notifications: 0,
};
window.deskAgent = S;

// ------------------------------------------------------------------------------------------------------------
// sound (WebAudio oscillators, no audio files) and browser notifications

const Sound = {
  ctx: null,
  muted: localStorage.getItem('seedim.desk.muted') === '1',
  ringTimer: null,
  played: 0,
  get ringing() { return !!this.ringTimer; },
  unlock() {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!this.ctx && AC) this.ctx = new AC();
    if (this.ctx && this.ctx.state === 'suspended') this.ctx.resume().catch(() => {});
  },
  /** Plays the tones one after another (Hz), each `dur` seconds. */
  tones(freqs, dur) {
    this.played += 1;
    if (this.muted || !this.ctx) return;
    const ctx = this.ctx;
    let t = ctx.currentTime;
    for (const f of freqs) {
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.type = 'sine';
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, t);
      g.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, t + dur);
      o.connect(g).connect(ctx.destination);
      o.start(t);
      o.stop(t + dur + 0.05);
      t += dur + 0.05;
    }
  },
  waiter() { this.tones([660, 880], 0.15); },
  startRing() {
    if (this.ringTimer) return;
    const ring = () => this.tones([480, 620, 480, 620], 0.2);
    ring();
    this.ringTimer = setInterval(ring, RING_PERIOD_MS);
  },
  stopRing() { clearInterval(this.ringTimer); this.ringTimer = null; },
};
S.sound = Sound;
['pointerdown', 'keydown'].forEach((ev) => document.addEventListener(ev, () => Sound.unlock(), { passive: true }));

function renderMute() {
  $('mute').textContent = Sound.muted ? 'Sound off' : 'Sound on';
  $('mute').setAttribute('aria-pressed', Sound.muted ? 'true' : 'false');
}
$('mute').addEventListener('click', () => {
  Sound.muted = !Sound.muted;
  localStorage.setItem('seedim.desk.muted', Sound.muted ? '1' : '0');
  if (Sound.muted) Sound.stopRing();
  renderMute();
});
renderMute();

const canNotify = () => typeof Notification !== 'undefined';
function renderNotifyButton() {
  $('enable-notifications').hidden = !canNotify() || Notification.permission !== 'default';
}
$('enable-notifications').addEventListener('click', async () => {
  try { await Notification.requestPermission(); } catch { /* unsupported */ }
  renderNotifyButton();
});
renderNotifyButton();

function notify(title, body, tag) {
  if (!canNotify() || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return; // the page itself shows it
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => { window.focus(); n.close(); };
    S.notifications += 1;
  } catch { /* some browsers only notify from a service worker */ }
}

// ------------------------------------------------------------------------------------------------------------
// status line and errors

let noticeTimer;
function notice(text) {
  $('notice').textContent = text;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { $('notice').textContent = ''; }, 15000);
}
function showError(text) { $('error').textContent = text || ''; }
/** Tells screen readers about something new (a waiter, a message, a call) without re-reading whole lists. */
function announce(text) { $('announce').textContent = text; }

// ------------------------------------------------------------------------------------------------------------
// start: desk config, sign in (dev: ask the agent id), connect

async function main() {
  let cfg;
  try {
    cfg = await deskConfig();
  } catch (e) {
    $('fatal').textContent = `The workspace cannot start: ${e.message}`;
    return;
  }
  let userId;
  if (cfg.devSign) userId = await askUserId($('login-form'), $('login-user'), 'seedim.desk.agent');
  let session;
  try {
    session = await openSession({ role: 'agent', cfg, userId, onState: ({ state }) => showConnState($('conn-state'), state) });
  } catch (e) {
    $('fatal').textContent = `Could not connect: ${e.message}`;
    if (cfg.devSign) { sessionStorage.removeItem('seedim.desk.agent'); main(); }
    return;
  }
  S.im = session.im;
  S.me = session.sign.userId;
  wire(S.im);
  showConnState($('conn-state'), S.im.state);
  $('whoami').textContent = S.me;
  $('workspace').hidden = false;
  $('availability').disabled = false;
  onOpen();
}

function wire(im) {
  im.on('open', () => onOpen());
  im.on('kicked', (n) => { $('fatal').textContent = n.code === 'KICKED' ? 'You were signed out by the service.' : 'You signed in somewhere else with another role: this page is disconnected.'; });
  im.on('refused', (r) => showError(`The server refused the connection (HTTP ${r.status}).`));
  im.on('agent-status', applyStatus);
  im.on('queue-info', onQueueInfo);
  im.on('room', onRoom);
  im.on('room-disbanded', onRoomEnded);
  im.on('room-transferred', onTransferred);
  im.on('member-left', (f) => notice(`${f.userId} left the chat.`));
  im.on('message', onPush);
  im.on('delivered', onDelivered);
  im.on('read', onRead);
  im.on('retracted', (f) => {
    const t = tabOfMessage(f.messageId);
    const m = t?.messages.get(String(f.messageId));
    if (m) { m.retracted = true; m.message = ''; renderMessages(t); }
  });
}

/** After every (re)connect: availability, the waiting lists, and the open chats' history. */
function onOpen() {
  readStatus();
  refreshQueues();
  for (const t of S.tabs.values()) if (t.loaded) loadHistory(t, {});
}

// ------------------------------------------------------------------------------------------------------------
// availability (600 / 601)

async function readStatus() {
  if (!S.features.status) return;
  try {
    applyStatus(await deskRequest(S.im, { msgType: 600 }));
  } catch (e) {
    if (notOffered(e)) statusUnavailable(e);
    else if (e.code !== 'DISCONNECTED' && e.code !== 'NOT_CONNECTED') showError(errorText(e, 'Availability'));
  }
}

/** 600 is not offered (UNKNOWN_MSG_TYPE: never asked again) or was not answered (asked again on the next change). */
function statusUnavailable(e) {
  if (absent(e)) {
    S.features.status = false;
    $('availability').disabled = true;
    $('availability').title = 'not available on this server';
  }
  $('agent-status').textContent = absent(e) ? 'Availability: not available on this server'
    : 'Availability: no answer from the server (not available on this server?)';
  $('agent-status').dataset.status = 'unsupported';
}

function applyStatus(f) {
  const was = S.status.status;
  S.status = { status: f.status, rooms: Number(f.rooms) || 0, maxRooms: f.maxRooms != null ? Number(f.maxRooms) : null, known: true };
  renderStatus();
  if (was !== 'available' && f.status === 'available') refreshQueues();
  renderWaiting();
}

function renderStatus() {
  if (!S.status.known) return;
  const st = S.status.status;
  $('availability').value = st;
  const rooms = S.status.maxRooms != null ? ` · ${S.status.rooms}/${S.status.maxRooms} customers` : '';
  $('agent-status').textContent = `${STATUS_WORDS[st] || st}${rooms}`;
  $('agent-status').dataset.status = st;
  document.body.dataset.availability = st;
}

/** The rooms count of the status line follows the rooms this page sees open (the next 601 has the server's). */
function roomsChanged() {
  if (!S.status.known) return;
  S.status.rooms = openRooms();
  renderStatus();
}

$('availability').addEventListener('change', async () => {
  const want = $('availability').value;
  showError('');
  try {
    applyStatus(await deskRequest(S.im, { msgType: 600, status: want }));
    notice(`You are now ${(STATUS_WORDS[want] || want).toLowerCase()}.`);
  } catch (e) {
    $('availability').value = S.status.status;
    if (notOffered(e)) statusUnavailable(e);
    else showError(errorText(e, 'Availability'));
  }
});

const available = () => !S.features.status || S.status.status === 'available';

// ------------------------------------------------------------------------------------------------------------
// the waiting list (431) and the take (401)

/** Queues this browser has shown before (their waiters are asked for on open: 431s only follow changes). */
const KNOWN_QUEUES_KEY = 'seedim.desk.queues';
/** At most this many remembered queues. */
const KNOWN_QUEUES_MAX = 20;
function knownQueues() {
  try { return JSON.parse(localStorage.getItem(KNOWN_QUEUES_KEY) || '[]').filter((q) => typeof q === 'string'); } catch { return []; }
}
function rememberQueue(queueId) {
  const list = knownQueues().filter((q) => q !== queueId);
  list.unshift(queueId);
  localStorage.setItem(KNOWN_QUEUES_KEY, JSON.stringify(list.slice(0, KNOWN_QUEUES_MAX)));
}

function refreshQueues() {
  const ids = new Set(['default', ...knownQueues(), ...S.queues.keys()]);
  for (const q of ids) {
    S.im.queueInfo(q).then(onQueueInfo).catch((e) => {
      if (e.code === 'NOT_FOUND') return; // an app without a default queue, a dynamic queue gone
      if (e.code !== 'DISCONNECTED' && e.code !== 'NOT_CONNECTED') showError(errorText(e, `Queue ${q}`));
    });
  }
}

$('watch-queue').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = $('watch-queue-id').value.trim();
  if (!q) return;
  try {
    onQueueInfo(await S.im.queueInfo(q));
    $('watch-queue-id').value = '';
  } catch (e) { showError(errorText(e, `Queue ${q}`)); }
});

function onQueueInfo(f) {
  if (!f || !f.queueId || (!Array.isArray(f.waiting) && !Array.isArray(f.userIdList))) return; // not an agent's view
  const q = S.queues.get(f.queueId) || { messagesWaiting: 0, agentsAvailable: null };
  q.waiting = f.waiting || f.userIdList.map((u) => ({ userId: u, waitSeconds: 0 }));
  q.waitTotal = Number(f.waitTotal) || q.waiting.length;
  q.at = Date.now();
  if (f.agentsAvailable !== undefined) q.agentsAvailable = Number(f.agentsAvailable);
  if (f.messagesWaiting !== undefined) q.messagesWaiting = Number(f.messagesWaiting);
  if (!S.queues.has(f.queueId) && f.queueId !== 'default') rememberQueue(f.queueId);
  S.queues.set(f.queueId, q);
  const fresh = q.waiting.filter((w) => !S.seenWaiters.has(`${f.queueId}/${w.userId}`));
  q.waiting.forEach((w) => S.seenWaiters.add(`${f.queueId}/${w.userId}`));
  if (fresh.length && available()) {
    Sound.waiter();
    const who = fresh.map((w) => w.userId).join(', ');
    announce(`${who} started waiting in ${f.queueId}.`);
    notify('A customer is waiting', `${who} (queue ${f.queueId})`, `wait-${f.queueId}`);
  }
  renderWaiting();
  renderTransferQueues();
}

/** The waiters of every queue, longest wait first. */
function allWaiters() {
  const now = Date.now();
  const out = [];
  for (const [queueId, q] of S.queues) {
    for (const w of q.waiting || []) out.push({ ...w, queueId, seconds: Number(w.waitSeconds || 0) + (now - q.at) / 1000 });
  }
  return out.sort((a, b) => b.seconds - a.seconds);
}

function renderWaiting() {
  const list = allWaiters();
  const focused = document.activeElement?.closest?.('#waiting-list') ? document.activeElement.dataset.testid : null;
  $('waiting-total').textContent = String(list.length);
  $('waiting-empty').hidden = list.length > 0;
  $('waiting-empty').textContent = available() ? 'Nobody is waiting.' : 'You are not available: new customers are not shown.';
  $('waiting-stale').hidden = available() || list.length === 0;
  $('waiting-list').replaceChildren(...list.map((w) => el('li', { 'data-testid': `waiting-${w.userId}`, 'data-user': w.userId, 'data-queue': w.queueId },
    el('span', { class: 'who' }, w.userId),
    el('span', { class: 'wait-time', 'data-queue': w.queueId, 'data-user': w.userId }, fmtDuration(w.seconds)),
    el('span', { class: 'queue-name' }, w.queueId),
    el('button', { type: 'button', class: 'small', 'data-testid': `take-${w.userId}`, 'aria-label': `Take ${w.userId}`, onclick: () => take({ queueId: w.queueId, receiveUserId: w.userId }) }, 'Take'))));
  if (focused) document.querySelector(`#waiting-list [data-testid="${CSS.escape(focused)}"]`)?.focus();
  renderLeftMessages();
}

/** Left messages per queue (431 messagesWaiting), each queue with its own take. */
function renderLeftMessages() {
  const queues = [...S.queues.entries()].filter(([, q]) => q.messagesWaiting > 0).sort(([a], [b]) => a.localeCompare(b));
  const total = queues.reduce((n, [, q]) => n + q.messagesWaiting, 0);
  $('messages-waiting').textContent = String(total);
  $('messages-waiting').dataset.count = String(total);
  $('message-queues').replaceChildren(...queues.map(([queueId, q]) => el('li', { 'data-testid': `messages-${queueId}`, 'data-count': String(q.messagesWaiting) },
    el('span', { class: 'who' }, queueId),
    el('span', { class: 'wait-count' }, `${q.messagesWaiting} waiting`),
    el('button', { type: 'button', class: 'small secondary', 'data-testid': `take-message-${queueId}`, 'aria-label': `Take a message of ${queueId}`, onclick: () => takeMessage(queueId) }, 'Take'))));
}

/** The wait times tick locally between two 431s (only the numbers change: focus stays where it is). */
setInterval(() => {
  const now = Date.now();
  document.querySelectorAll('#waiting-list .wait-time').forEach((span) => {
    const q = S.queues.get(span.dataset.queue);
    const w = q?.waiting?.find((x) => x.userId === span.dataset.user);
    if (w) span.textContent = fmtDuration(Number(w.waitSeconds || 0) + (now - q.at) / 1000);
  });
  for (const t of S.tabs.values()) if (t.room && !t.ended) renderRoomMeta(t);
}, 1000);

$('take-next').addEventListener('click', () => take({}));

async function take(o) {
  showError('');
  try {
    const r = await S.im.takeNext(o);
    S.activateOnRoom = r.receiveUserId;
    notice(`You took ${r.receiveUserId} (queue ${r.queueId}).`);
    const t = S.tabs.get(r.receiveUserId);
    if (t && t.room) activate(t.peer);
  } catch (e) {
    showError(takeError(e, o.receiveUserId));
  }
}

function takeError(e, who) {
  const what = who ? `Take ${who}` : 'Take next';
  if (e.code === 'INVALID_STATE' && S.features.status && S.status.status !== 'available') {
    return `${what}: you are ${S.status.status} — set your availability to Available to take customers.`;
  }
  if (e.code === 'INVALID_STATE' && who) return `${what}: this customer cannot be taken right now (their connection is away).`;
  if (e.code === 'NOT_FOUND' && who) return `${what}: this customer is no longer waiting.`;
  if (e.code === 'AGENT_BUSY') return `${what}: you already serve as many customers as you may (${S.status.maxRooms ?? 'the maximum'}).`;
  return errorText(e, what);
}

// ------------------------------------------------------------------------------------------------------------
// left messages (431 messagesWaiting, 640 → 641)

$('take-message').addEventListener('click', () => takeMessage());

async function takeMessage(queueId) {
  showError('');
  if (!S.features.takeMessage) { showError('Left messages are not available on this server.'); return; }
  try {
    const m = await deskRequest(S.im, queueId ? { msgType: 640, queueId } : { msgType: 640 });
    const t = tab(m.userId);
    t.leftMessage = m;
    renderTab(t);
    activate(t.peer);
    notice(`You took the message of ${m.userId}: answer it in the chat.`);
    const q = S.queues.get(m.queueId);
    if (q && q.messagesWaiting > 0) q.messagesWaiting -= 1; // until the next 431 says
    renderLeftMessages();
  } catch (e) {
    if (notOffered(e)) {
      S.features.takeMessage = !absent(e);
      $('take-message').disabled = absent(e);
      showError(absent(e) ? 'Left messages are not available on this server.' : 'Take a message: the server did not answer (not available on this server?).');
    } else if (e.code === 'QUEUE_EMPTY') {
      showError('Take a message: no message is waiting.');
    } else if (e.code === 'INVALID_STATE') {
      showError(`Take a message: you are ${S.status.status} — set your availability to Available first.`);
    } else {
      showError(errorText(e, 'Take a message'));
    }
  }
}

// ------------------------------------------------------------------------------------------------------------
// tabs: one per customer (a room, a left message, or an ended room still shown)

function tab(peer) {
  let t = S.tabs.get(peer);
  if (!t) {
    t = { peer, room: null, ended: null, leftMessage: null, messages: new Map(), pending: new Map(), peerReadMessageId: '0',
      unread: 0, loaded: false, call: null, callRoomId: null, ui: null, seq: S.tabs.size + 1 };
    S.tabs.set(peer, t);
    buildPanel(t);
    renderTabs();
  }
  return t;
}

const openRooms = () => [...S.tabs.values()].filter((t) => t.room && !t.ended).length;

function tabState(t) {
  if (t.room && !t.ended) return 'open';
  if (t.ended) return 'ended';
  return t.leftMessage ? 'message' : 'idle';
}

function renderTabs() {
  const tabs = [...S.tabs.values()];
  $('rooms-count').textContent = String(openRooms());
  $('tabs-empty').hidden = tabs.length > 0;
  $('tabs').replaceChildren(...tabs.map((t) => {
    const state = tabState(t);
    const ringing = t.call && t.call.state === 'ringing';
    const label = ringing ? 'calling you' : { ended: 'ended', message: 'left a message', idle: 'chat', open: t.room?.queueId || '' }[state];
    return el('li', { role: 'presentation' },
      el('button', {
        type: 'button', role: 'tab', id: `tab-${t.seq}`, 'aria-controls': `panel-${t.seq}`,
        'aria-selected': S.active === t.peer ? 'true' : 'false', tabindex: S.active === t.peer || (!S.active && t === tabs[0]) ? '0' : '-1',
        class: `tab ${state}${ringing ? ' ringing' : ''}`, 'data-testid': `tab-${t.peer}`, 'data-state': state,
        onclick: () => activate(t.peer), onkeydown: (ev) => tabKeys(ev, t),
      },
      el('span', { class: 'tab-peer' }, t.peer),
      el('span', { class: 'tab-label' }, label),
      t.unread > 0 ? el('span', { class: 'unread', 'data-testid': `unread-${t.peer}`, 'aria-label': `${t.unread} unread` }, String(t.unread)) : null));
  }));
  $('no-tab').hidden = !!S.active;
}

/** Arrow keys move between tabs (the WAI-ARIA tabs pattern). */
function tabKeys(ev, t) {
  const peers = [...S.tabs.keys()];
  const i = peers.indexOf(t.peer);
  let j = null;
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowRight') j = (i + 1) % peers.length;
  else if (ev.key === 'ArrowUp' || ev.key === 'ArrowLeft') j = (i - 1 + peers.length) % peers.length;
  else if (ev.key === 'Home') j = 0;
  else if (ev.key === 'End') j = peers.length - 1;
  if (j === null) return;
  ev.preventDefault();
  activate(peers[j]);
  document.querySelector(`[data-testid="tab-${CSS.escape(peers[j])}"]`)?.focus();
}

function activate(peer) {
  const t = S.tabs.get(peer);
  if (!t) return;
  S.active = peer;
  for (const x of S.tabs.values()) x.ui.panel.hidden = x !== t;
  renderTabs();
  if (!t.loaded) loadHistory(t, {});
  else markRead(t);
}

function closeTab(t) {
  if (t.room && !t.ended) return;
  t.call?.dispose();
  t.ui.panel.remove();
  S.tabs.delete(t.peer);
  if (S.active === t.peer) S.active = null;
  const next = S.tabs.keys().next();
  if (!next.done) activate(next.value);
  else renderTabs();
}

// ------------------------------------------------------------------------------------------------------------
// one tab's panel

function buildPanel(t) {
  const ui = {};
  const id = t.seq;
  ui.title = el('h2', { class: 'room-title', id: `panel-title-${id}` }, t.peer);
  ui.meta = el('span', { class: 'room-meta', 'data-testid': 'room-meta' });
  ui.state = el('span', { class: 'room-state', 'data-testid': 'room-state' });
  ui.callBtn = el('button', { type: 'button', 'data-testid': 'start-call', onclick: () => startCall(t) }, 'Video call');
  ui.historyBtn = el('button', { type: 'button', class: 'secondary', 'data-testid': 'customer-history', 'aria-expanded': 'false', 'aria-controls': `history-${id}`, onclick: () => toggleHistory(t) }, 'Customer history');
  ui.transferBtn = el('button', { type: 'button', class: 'secondary', 'data-testid': 'transfer', 'aria-expanded': 'false', 'aria-controls': `transfer-${id}`, onclick: () => toggleTransfer(t) }, 'Transfer');
  ui.endBtn = el('button', { type: 'button', class: 'danger', 'data-testid': 'end-chat', onclick: () => endChat(t) }, 'End chat');
  ui.closeBtn = el('button', { type: 'button', class: 'secondary', 'data-testid': 'close-tab', onclick: () => closeTab(t) }, 'Close');
  ui.banner = el('p', { class: 'banner', 'data-testid': 'room-banner', role: 'status' });
  ui.leftMessage = el('div', { class: 'left-message', 'data-testid': 'left-message', hidden: true });

  // chat
  ui.messages = el('ol', { class: 'messages', 'data-testid': 'messages', 'aria-label': `Chat with ${t.peer}` });
  ui.earlier = el('button', { type: 'button', class: 'link small', 'data-testid': 'load-earlier', hidden: true, onclick: () => loadHistory(t, { earlier: true }) }, 'Earlier messages');
  ui.scroller = el('div', { class: 'scroller' }, ui.earlier, ui.messages);
  ui.input = el('input', { id: `composer-${id}`, 'data-testid': 'composer-input', autocomplete: 'off', maxlength: '5000', placeholder: 'Write a message…' });
  ui.send = el('button', { type: 'submit', 'data-testid': 'send' }, 'Send');
  ui.chatError = el('p', { class: 'error', role: 'alert', 'data-testid': 'chat-error' });
  ui.composer = el('form', { class: 'composer', onsubmit: (ev) => { ev.preventDefault(); send(t); } },
    el('label', { class: 'sr-only', for: `composer-${id}` }, `Message to ${t.peer}`), ui.input, ui.send);

  // call
  ui.remoteVideo = el('video', { class: 'remote-video', 'data-testid': 'remote-video', autoplay: true, playsinline: true, 'aria-label': `${t.peer}'s video` });
  ui.localVideo = el('video', { class: 'local-video', 'data-testid': 'local-video', autoplay: true, playsinline: true, 'aria-label': 'Your video' });
  ui.localVideo.muted = true;
  ui.callStatus = el('p', { class: 'call-status', 'data-testid': 'call-status', 'data-state': 'idle', role: 'status' }, 'No call');
  ui.accept = el('button', { type: 'button', 'data-testid': 'accept-call', onclick: () => acceptCall(t) }, 'Accept');
  ui.decline = el('button', { type: 'button', class: 'secondary', 'data-testid': 'reject-call', onclick: () => rejectCall(t) }, 'Decline');
  ui.incoming = el('div', { class: 'incoming', 'data-testid': 'incoming-call', hidden: true }, el('span', {}, `${t.peer} is calling`), ui.accept, ui.decline);
  ui.hangUp = el('button', { type: 'button', class: 'danger', 'data-testid': 'hang-up', hidden: true, onclick: () => hangUp(t) }, 'Hang up (ends the chat)');
  ui.call = el('section', { class: 'call', 'data-testid': 'call', 'data-state': 'idle', 'aria-label': 'Video call' },
    el('div', { class: 'videos' }, ui.remoteVideo, ui.localVideo), ui.callStatus, ui.incoming, ui.hangUp);

  // transfer
  ui.transferAgent = el('input', { id: `transfer-agent-${id}`, 'data-testid': 'transfer-agent', maxlength: '64', autocomplete: 'off', placeholder: 'agent id' });
  ui.transferQueue = el('select', { id: `transfer-queue-${id}`, 'data-testid': 'transfer-queue' });
  ui.transferError = el('p', { class: 'error', role: 'alert', 'data-testid': 'transfer-error' });
  ui.transfer = el('section', { class: 'transfer', id: `transfer-${id}`, 'data-testid': 'transfer-panel', hidden: true, 'aria-label': 'Transfer' },
    el('h3', {}, 'Transfer this customer'),
    el('form', { class: 'inline-form', onsubmit: (ev) => { ev.preventDefault(); transfer(t, { toUserId: ui.transferAgent.value.trim() }); } },
      el('label', { for: `transfer-agent-${id}` }, 'To agent'), ui.transferAgent,
      el('button', { type: 'submit', 'data-testid': 'transfer-to-agent' }, 'Transfer')),
    el('form', { class: 'inline-form', onsubmit: (ev) => { ev.preventDefault(); transfer(t, { queueId: ui.transferQueue.value }); } },
      el('label', { for: `transfer-queue-${id}` }, 'Back to queue'), ui.transferQueue,
      el('button', { type: 'submit', class: 'secondary', 'data-testid': 'transfer-to-queue' }, 'Transfer')),
    ui.transferError);

  // customer history
  ui.historyRooms = el('ul', { class: 'history-rooms', 'data-testid': 'history-rooms' });
  ui.historyStatus = el('p', { class: 'muted', 'data-testid': 'history-status', role: 'status' });
  ui.transcript = el('div', { class: 'transcript', 'data-testid': 'transcript', hidden: true });
  ui.history = el('section', { class: 'history', id: `history-${id}`, 'data-testid': 'history-panel', hidden: true, 'aria-label': `${t.peer}'s history` },
    el('h3', {}, `${t.peer}'s earlier chats`), ui.historyStatus, ui.historyRooms, ui.transcript);

  ui.panel = el('section', { class: 'tab-panel', role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}`, 'data-testid': `panel-${t.peer}`, hidden: true },
    el('header', { class: 'room-head' }, el('div', { class: 'room-id' }, ui.title, ui.state, ui.meta),
      el('div', { class: 'actions' }, ui.callBtn, ui.historyBtn, ui.transferBtn, ui.endBtn, ui.closeBtn)),
    ui.banner, ui.leftMessage,
    el('div', { class: 'room-body' },
      el('section', { class: 'chat', 'aria-label': 'Chat' }, ui.scroller, ui.chatError, ui.composer),
      el('div', { class: 'side' }, ui.call, ui.transfer, ui.history)));
  t.ui = ui;
  $('panels').append(ui.panel);
  renderTab(t);
}

function renderTab(t) {
  const ui = t.ui;
  const state = tabState(t);
  const open = state === 'open';
  ui.panel.dataset.state = state;
  ui.state.textContent = { open: 'in chat', ended: 'ended', message: 'left a message', idle: 'chat' }[state];
  // after the end only a granted permission (a taken left message) lets the agent write on
  const canWrite = open || !!t.leftMessage || state === 'idle';
  ui.input.disabled = !canWrite;
  ui.send.disabled = !canWrite;
  ui.input.placeholder = canWrite ? 'Write a message…' : 'The chat has ended';
  ui.state.dataset.state = state;
  ui.callBtn.hidden = !open;
  ui.transferBtn.hidden = !open;
  ui.endBtn.hidden = !open;
  ui.closeBtn.hidden = open;
  if (!open) { ui.transfer.hidden = true; ui.transferBtn.setAttribute('aria-expanded', 'false'); }
  ui.banner.hidden = !t.banner;
  ui.banner.textContent = t.banner || '';
  ui.banner.dataset.reason = t.ended?.reason || '';
  if (t.leftMessage) {
    ui.leftMessage.hidden = false;
    ui.leftMessage.replaceChildren(
      el('strong', {}, `Message left ${fmtDateTime(t.leftMessage.createdAt)} in ${t.leftMessage.queueId}:`),
      el('p', { 'data-testid': 'left-message-text' }, t.leftMessage.message));
  }
  renderRoomMeta(t);
  renderCall(t);
  renderTabs();
}

function renderRoomMeta(t) {
  const r = t.room;
  if (!r) { t.ui.meta.textContent = ''; return; }
  const age = fmtDuration((Date.now() - Number(r.createdAt || Date.now())) / 1000);
  t.ui.meta.textContent = t.ended ? `queue ${r.queueId}` : `queue ${r.queueId} · for ${age}`;
}

// ------------------------------------------------------------------------------------------------------------
// rooms (551), transfers (611), ends (560)

function onRoom(f) {
  const customer = (f.members || []).find((m) => m !== S.me);
  if (!customer) return;
  if (f.creator && f.creator !== S.me) return; // an admin's view of someone else's room
  const t = tab(customer);
  const fresh = !t.room || t.ended || String(t.room.roomId) !== String(f.roomId);
  t.room = f;
  if (fresh) {
    t.ended = null;
    const tr = S.transfers.get(String(f.roomId));
    t.banner = !tr ? null : tr.byUserId && tr.byUserId !== tr.fromUserId
      ? `${tr.byUserId} transferred this customer to you from ${tr.fromUserId}.`
      : `${tr.fromUserId} transferred this customer to you.`;
    attachCall(t, String(f.roomId));
    if (!t.loaded) loadHistory(t, {});
    // taken over from another agent: what was said before is in the room's transcript (652), shown at once
    if (tr && S.features.history && t.ui.history.hidden) toggleHistory(t).then(() => showTranscript(t, String(f.roomId)));
  }
  roomsChanged();
  renderTab(t);
  if (S.activateOnRoom === customer || !S.active || S.tabs.get(S.active)?.ended) {
    S.activateOnRoom = null;
    activate(customer);
  }
  if (fresh) notice(t.banner || `You are now serving ${customer}.`);
}

function onTransferred(f) {
  S.transfers.set(String(f.roomId), f);
  const t = tabOfRoom(f.roomId);
  if (t && f.fromUserId === S.me) {
    t.transferredTo = f.toUserId || null;
    notice(f.toUserId ? `${t.peer} was transferred to ${f.toUserId}.` : `${t.peer} went back to the queue ${f.queueId}.`);
  }
}

function onRoomEnded(f) {
  const t = tabOfRoom(f.roomId);
  if (!t || t.ended) return;
  let text = ROOM_END_WORDS[f.reason] || `The chat ended (${f.reason}).`;
  if (f.reason === 'left' && t.endingRoomId === String(f.roomId)) text = 'You ended the chat.';
  if (f.reason === 'transferred') {
    const tr = S.transfers.get(String(f.roomId));
    if (tr?.toUserId) text = `The customer was transferred to ${tr.toUserId}${tr.byUserId && tr.byUserId !== S.me ? ` by ${tr.byUserId}` : ''}.`;
    else if (tr?.queueId) text = `The customer went back to the queue ${tr.queueId}.`;
  }
  t.ended = { reason: f.reason, text };
  t.banner = text;
  detachCall(t);
  roomsChanged();
  renderTab(t);
  notice(`${t.peer}: ${text}`);
}

const tabOfRoom = (roomId) => [...S.tabs.values()].find((t) => t.room && String(t.room.roomId) === String(roomId));

async function endChat(t) {
  if (!t.room) return;
  const roomId = String(t.room.roomId);
  t.endingRoomId = roomId; // its 560 says "left" like a customer's leave: this page knows better
  try {
    await S.im.request({ msgType: 420, roomId });
  } catch (e) {
    t.endingRoomId = null;
    showError(errorText(e, 'End chat'));
  }
}

function toggleTransfer(t) {
  const show = t.ui.transfer.hidden;
  if (show && !S.features.transfer) { showError('Transfers are not available on this server.'); return; }
  t.ui.transfer.hidden = !show;
  t.ui.transferBtn.setAttribute('aria-expanded', String(show));
  if (show) { renderTransferQueues(); t.ui.transferAgent.focus(); }
}

function renderTransferQueues() {
  for (const t of S.tabs.values()) {
    const ids = new Set([...S.queues.keys()]);
    if (t.room?.queueId) ids.add(t.room.queueId);
    const sel = t.ui.transferQueue;
    const was = sel.value || t.room?.queueId;
    sel.replaceChildren(...[...ids].sort().map((q) => el('option', { value: q }, q)));
    if (was && ids.has(was)) sel.value = was;
  }
}

async function transfer(t, o) {
  t.ui.transferError.textContent = '';
  if (!t.room || t.ended) return;
  if (o.toUserId === '' || o.queueId === '') { t.ui.transferError.textContent = o.toUserId === '' ? 'Enter the id of the agent.' : 'Pick a queue.'; return; }
  try {
    await deskRequest(S.im, { msgType: 610, roomId: String(t.room.roomId), ...o });
    t.ui.transferAgent.value = '';
  } catch (e) {
    if (notOffered(e)) {
      S.features.transfer = !absent(e);
      t.ui.transferError.textContent = absent(e) ? 'Transfers are not available on this server.' : 'Transfer: the server did not answer (not available on this server?).';
      return;
    }
    t.ui.transferError.textContent = transferError(e, o);
  }
}

function transferError(e, o) {
  const to = o.toUserId;
  switch (e.code) {
    case 'NOT_FOUND': return to ? `${to} is not a connected agent (or this chat has ended).` : `There is no queue ${o.queueId} (or this chat has ended).`;
    case 'INVALID_STATE': return `${to} is away or offline: they cannot take customers now.`;
    case 'AGENT_BUSY': return `${to} already serves as many customers as they may.`;
    case 'FORBIDDEN': return to ? `${to} does not serve the queue of this customer.` : 'You may not transfer this customer.';
    case 'INVALID_FIELD': return to ? `${to} is already in this chat: pick another agent.` : errorText(e, 'Transfer');
    case 'QUEUE_FULL': return `The queue ${o.queueId} is full.`;
    default: return errorText(e, 'Transfer');
  }
}

// ------------------------------------------------------------------------------------------------------------
// chat (130/140, 131/199 ticks, 198 read, 161 history)

const peerOf = (m) => (m.userId === S.me ? m.receiveUserId : m.userId);
const tabOfMessage = (id) => [...S.tabs.values()].find((t) => t.messages.has(String(id)));

function addItem(t, m) {
  const id = String(m.messageId);
  const old = t.messages.get(id);
  const merged = old ? { ...old, ...m, delivered: old.delivered || m.delivered, retracted: old.retracted || m.retracted } : { ...m };
  if (merged.retracted) merged.message = '';
  if (S.earlyDelivered?.delete(id)) merged.delivered = true;
  if (merged.userId === S.me && merged.read) t.peerReadMessageId = maxId(t.peerReadMessageId, id);
  t.messages.set(id, merged);
  return !old;
}
const maxId = (a, b) => (byId(a || '0', b || '0') >= 0 ? String(a || '0') : String(b));

function onPush(f) {
  const peer = peerOf(f);
  let t = S.tabs.get(peer);
  if (!t && f.userId === S.me) return; // my other device wrote to someone this page does not show
  if (!t) t = tab(peer); // a customer writes (an answer to a left message, a follow-up): a tab of its own
  const isNew = addItem(t, f);
  if (isNew && f.userId !== S.me) {
    announce(`${peer}: ${f.message}`);
    if (S.active === peer && document.visibilityState === 'visible') S.im.read(String(f.messageId), peer).catch(() => {});
    else t.unread += 1;
    renderTabs();
  }
  renderMessages(t, true);
}

S.earlyDelivered = new Set();
function onDelivered(f) {
  const t = tabOfMessage(f.messageId);
  const m = t?.messages.get(String(f.messageId));
  if (m) { m.delivered = true; renderMessages(t); } else S.earlyDelivered.add(String(f.messageId));
}

function onRead(f) {
  if (f.userId === S.me) {
    const t = S.tabs.get(f.receiveUserId);
    if (t) { t.unread = 0; renderTabs(); }
  } else {
    const t = S.tabs.get(f.userId);
    if (t) { t.peerReadMessageId = maxId(t.peerReadMessageId, f.messageId); renderMessages(t); }
  }
}

function markRead(t) {
  const theirs = [...t.messages.values()].filter((m) => m.userId === t.peer).sort((a, b) => byId(a.messageId, b.messageId));
  const last = theirs[theirs.length - 1];
  t.unread = 0;
  renderTabs();
  if (last && (!t.readSent || byId(last.messageId, t.readSent) > 0)) {
    t.readSent = String(last.messageId);
    S.im.read(String(last.messageId), t.peer).catch(() => {});
  }
}
document.addEventListener('visibilitychange', () => {
  const t = S.active && S.tabs.get(S.active);
  if (t && document.visibilityState === 'visible') markRead(t);
});

async function loadHistory(t, { earlier }) {
  const oldest = [...t.messages.keys()].sort(byId)[0];
  const q = earlier && oldest ? { sender: t.peer, beforeMessageId: oldest, pageSize: HISTORY_PAGE } : { sender: t.peer, pageIndex: 1, pageSize: HISTORY_PAGE };
  try {
    const page = await S.im.history(q);
    for (const m of page.messages || []) addItem(t, m);
    // a refresh of page 1 (after a reconnect) keeps what scrolling back already learned
    if (earlier || !t.loaded) t.hasMore = !!page.hasMore;
    t.loaded = true;
  } catch (e) {
    t.ui.chatError.textContent = errorText(e, 'History');
  }
  renderMessages(t, !earlier);
  if (S.active === t.peer) markRead(t);
}

function statusOf(t, m) {
  if (m.failed) return 'failed';
  if (!m.messageId) return 'sending';
  if (byId(t.peerReadMessageId || '0', m.messageId) >= 0) return 'read';
  if (m.delivered) return 'delivered';
  return 'sent';
}

function renderMessages(t, toEnd) {
  const box = t.ui.scroller;
  const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const items = [...t.messages.values()].sort((a, b) => byId(a.messageId, b.messageId)).concat([...t.pending.values()]);
  t.ui.messages.replaceChildren(...items.map((m) => {
    const mine = m.userId === S.me;
    const st = mine ? statusOf(t, m) : null;
    return el('li', { class: `msg ${mine ? 'mine' : 'theirs'}${m.retracted ? ' retracted' : ''}`, 'data-testid': 'msg', 'data-mine': mine ? 'true' : 'false', 'data-message-id': m.messageId || '' },
      el('span', { class: 'sr-only' }, mine ? 'You: ' : `${m.userId}: `),
      el('span', { class: 'text', 'data-testid': 'msg-text' }, m.retracted ? 'message retracted' : (m.contentType && m.contentType !== 'text' ? `[${m.contentType}] ` : '') + m.message),
      el('span', { class: 'meta' }, fmtTime(m.sendTime),
        mine ? el('span', { class: `tick ${st}`, 'data-testid': 'tick', 'data-status': st, title: m.error || TICK_WORDS[st], 'aria-label': TICK_WORDS[st] }, TICKS[st]) : null));
  }));
  t.ui.earlier.hidden = !t.hasMore;
  if (toEnd || atEnd) box.scrollTop = box.scrollHeight;
}

async function send(t) {
  const text = t.ui.input.value;
  if (!text.trim()) return;
  t.ui.input.value = '';
  t.ui.chatError.textContent = '';
  const unique = S.im.nextUnique();
  const item = { unique, userId: S.me, receiveUserId: t.peer, message: text, contentType: 'text', sendTime: Date.now() };
  t.pending.set(unique, item);
  renderMessages(t, true);
  try {
    const ack = await S.im.sendMessage({ receiveUserId: t.peer, message: text, contentType: 'text', unique });
    t.pending.delete(unique);
    addItem(t, { ...item, messageId: String(ack.messageId), sendTime: ack.sendTime, message: ack.message ?? text });
  } catch (e) {
    item.failed = true;
    item.error = errorText(e);
    t.ui.chatError.textContent = e.code === 'CHAT_SIGN_EXPIRED'
      ? `You may not write to ${t.peer} any more (the chat has ended).`
      : errorText(e, 'Not sent');
  }
  renderMessages(t, true);
}

// ------------------------------------------------------------------------------------------------------------
// customer history (650 / 652)

async function toggleHistory(t) {
  const show = t.ui.history.hidden;
  t.ui.history.hidden = !show;
  t.ui.historyBtn.setAttribute('aria-expanded', String(show));
  if (!show) return;
  if (!S.features.history) { t.ui.historyStatus.textContent = 'Customer history is not available on this server.'; return; }
  t.ui.historyStatus.textContent = 'Loading…';
  t.ui.historyRooms.replaceChildren();
  t.ui.transcript.hidden = true;
  try {
    const r = await deskRequest(S.im, { msgType: 650, userId: t.peer, pageSize: CUSTOMER_ROOMS_PAGE });
    const rooms = r.rooms || [];
    t.ui.historyStatus.textContent = rooms.length ? `${rooms.length} chat${rooms.length === 1 ? '' : 's'} with the service:` : 'No earlier chats.';
    t.ui.historyRooms.replaceChildren(...rooms.map((x) => {
      const current = t.room && String(t.room.roomId) === String(x.roomId) && !t.ended;
      const end = x.closedAt ? `ended ${x.reason ? `(${x.reason})` : ''}` : 'open';
      return el('li', {},
        el('button', { type: 'button', class: 'link', 'data-testid': `history-room-${x.roomId}`, 'data-room': x.roomId, onclick: () => showTranscript(t, x.roomId) },
          `${fmtDateTime(x.createdAt)} · ${x.queueId} · ${x.agentId || '–'} · ${current ? 'this chat' : end}`));
    }));
  } catch (e) {
    if (notOffered(e)) {
      S.features.history = !absent(e);
      t.ui.historyStatus.textContent = absent(e) ? 'Customer history is not available on this server.' : 'Customer history: the server did not answer (not available on this server?).';
    }
    else if (e.code === 'FORBIDDEN') t.ui.historyStatus.textContent = `You may not read ${t.peer}'s history (only while you serve them).`;
    else t.ui.historyStatus.textContent = errorText(e, 'Customer history');
  }
}

async function showTranscript(t, roomId) {
  const box = t.ui.transcript;
  box.hidden = false;
  box.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  try {
    const r = await deskRequest(S.im, { msgType: 652, roomId: String(roomId) });
    box.dataset.room = String(r.roomId);
    box.replaceChildren(
      el('h4', {}, `${fmtDateTime(r.createdAt)} – ${r.closedAt ? fmtDateTime(r.closedAt) : 'now'} · ${(r.agents || []).join(' → ')}`),
      (r.messages || []).length
        ? el('ol', { class: 'transcript-messages' }, ...(r.messages || []).map((m) => el('li', { class: m.userId === r.customer ? 'theirs' : 'mine', 'data-testid': 'transcript-msg' },
          el('span', { class: 'who' }, `${m.userId} · ${fmtTime(m.sendTime)}`),
          el('span', { class: 'text' }, m.retracted ? 'message retracted' : m.message))))
        : el('p', { class: 'muted' }, 'No messages in this chat.'));
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error' }, notOffered(e) ? 'Transcripts are not available on this server.'
      : e.code === 'FORBIDDEN' ? 'You may not read this transcript.' : errorText(e, 'Transcript')));
  }
}

// ------------------------------------------------------------------------------------------------------------
// video calls: one CallController per room, its frames scoped to that room (an agent may serve several)

/** The client as a CallController of one room sees it: events of that room only, every call frame with its roomId. */
function roomScoped(im, roomId) {
  const mine = (f) => !f || f.roomId === undefined || f.roomId === null || String(f.roomId) === roomId;
  const sig = (m) => (typeof m === 'string' ? m : JSON.stringify(m));
  const req = (msgType, extra) => im.request({ msgType, roomId, ...extra });
  const cand = (type, c, callId) => {
    const j = c && typeof c.toJSON === 'function' ? c.toJSON() : (c || { candidate: null });
    return req(type, { message: sig(j), ...(callId ? { callId } : {}) });
  };
  return {
    get iceServers() { return im.iceServers; },
    on: (event, fn) => im.on(event, (f) => { if (mine(f)) fn(f); }),
    requestCall: (offer, o = {}) => req(300, { message: sig(offer), ...(o.callId ? { callId: o.callId } : {}) }),
    acceptCall: (answer, callId) => req(310, { message: sig(answer), ...(callId ? { callId } : {}) }),
    rejectCall: (callId) => req(320, callId ? { callId } : {}),
    hangUp: (callId) => req(330, callId ? { callId } : {}),
    callerCandidate: (c, callId) => cand(340, c, callId),
    calleeCandidate: (c, callId) => cand(342, c, callId),
    callStats: (stats) => im.callStats(stats), // 660 names its call: no room needed
  };
}

function attachCall(t, roomId) {
  if (t.call && t.callRoomId === roomId) return;
  detachCall(t);
  t.callRoomId = roomId;
  const call = new CallController(roomScoped(S.im, roomId), { localVideo: t.ui.localVideo, remoteVideo: t.ui.remoteVideo });
  t.call = call;
  call.on('state', (s) => {
    if (t.call !== call) return; // detached: the room ended, its words are set

    if (s.state === 'ringing') {
      Sound.startRing();
      notify('Incoming video call', `${t.peer} is calling`, `call-${roomId}`);
      announce(`${t.peer} is calling you.`);
    } else if (![...S.tabs.values()].some((x) => x.call && x.call.state === 'ringing')) {
      Sound.stopRing();
    }
    if (s.state === 'idle' && s.reason) t.callEnd = CALL_END_WORDS[s.reason] || s.reason;
    else if (s.state !== 'idle') t.callEnd = null;
    t.callWarning = s.warning || null;
    renderCall(t);
    renderTabs();
  });
  call.on('error', (e) => { if (t.call === call) t.ui.chatError.textContent = errorText(e, 'Call'); });
}

function detachCall(t) {
  if (!t.call) return;
  const c = t.call;
  t.call = null;
  t.callRoomId = null;
  if (c.state !== 'idle') t.callEnd = CALL_END_WORDS[t.ended?.reason] || CALL_END_WORDS['room-disbanded'];
  c.dispose();
  renderTabs();
  if (![...S.tabs.values()].some((x) => x.call && x.call.state === 'ringing')) Sound.stopRing();
  renderCall(t);
}

function renderCall(t) {
  const ui = t.ui;
  const s = t.call ? t.call.state : 'idle';
  const open = t.room && !t.ended;
  const words = { idle: 'No call', calling: `Calling ${t.peer}…`, ringing: `${t.peer} is calling`, connecting: 'Connecting…', connected: `In a call with ${t.peer}` };
  let text = words[s] || s;
  if (s === 'idle' && t.callEnd) text = `Call ended: ${t.callEnd}.`;
  if (t.callWarning) text += ` (${t.callWarning})`;
  ui.callStatus.textContent = text;
  ui.callStatus.dataset.state = s;
  ui.call.dataset.state = s;
  ui.call.hidden = !open && s === 'idle' && !t.callEnd;
  ui.callBtn.disabled = !open || s !== 'idle';
  ui.incoming.hidden = s !== 'ringing';
  ui.hangUp.hidden = !(s === 'calling' || s === 'connecting' || s === 'connected');
}

async function startCall(t) {
  t.ui.chatError.textContent = '';
  try { await t.call.start(t.peer); } catch (e) { t.ui.chatError.textContent = errorText(e, 'Video call'); }
}
async function acceptCall(t) {
  try { await t.call.accept(); } catch (e) { t.ui.chatError.textContent = errorText(e, 'Accept'); }
}
async function rejectCall(t) {
  try { await t.call.reject(); } catch (e) { t.ui.chatError.textContent = errorText(e, 'Decline'); }
}
async function hangUp(t) {
  try { await t.call.hangUp(); } catch (e) { t.ui.chatError.textContent = errorText(e, 'Hang up'); }
}

main();
