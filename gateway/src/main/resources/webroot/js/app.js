// SeedIM demo app: chat (1170 heads, 140, 131/199 ticks, 190 retract, 161 history) and video customer service
// (400/410 queue, 430/431 + 401/402 for agents, 551/560 rooms, WebRTC call via call.js). Dev servers only:
// signs come from /dev/sign and /dev/chat-sign. All text is rendered with textContent (never as HTML).
import { ImClient, devSign, devChatSign } from './im-client.js';
import { CallController } from './call.js';

const $ = (id) => document.getElementById(id);
const byId = (a, b) => (Number(a) - Number(b)); // messageIds are decimal strings below 2^53
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k);
  return e;
};
const fmtTime = (ms) => (ms ? new Date(Number(ms)).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');
const RETRACT_WINDOW_MS = 120_000; // the dev app's retractSeconds; the server has the last word

/** Everything the page knows. Exposed as window.seedim for debugging and the e2e tests. */
const S = {
  im: null, call: null, me: null, role: null, appId: null,
  convs: new Map(), // peer → {peer, last, unread, peerReadMessageId, messages: Map<id,item>, pending: Map<unique,item>, loaded, hasMore}
  where: new Map(), // messageId → peer
  earlyDelivered: new Set(),
  current: null,
  room: null,
  queue: { status: 'idle', waitIndex: null, waitTotal: null, queueId: null },
  waiting: { list: [], at: 0, queueId: null, total: 0 },
};
window.seedim = S;

// ------------------------------------------------------------------------------------------------------------
// login / logout

const rnd = () => Math.random().toString(36).slice(2, 8);
$('login-device').value = sessionStorage.getItem('seedim.device') || `web-${rnd()}`;
$('login-user').value = sessionStorage.getItem('seedim.user') || '';
$('login-role').value = sessionStorage.getItem('seedim.role') || 'user';

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('login-error').textContent = '';
  const userId = $('login-user').value.trim();
  const role = $('login-role').value;
  const deviceId = $('login-device').value.trim() || `web-${rnd()}`;
  const appId = $('login-app').value.trim() || undefined;
  try {
    const first = await devSign({ appId, userId, deviceId, role });
    sessionStorage.setItem('seedim.user', userId);
    sessionStorage.setItem('seedim.role', role);
    sessionStorage.setItem('seedim.device', deviceId);
    await start({ userId, role, deviceId, appId, first });
  } catch (err) {
    $('login-error').textContent = err.message || String(err);
  }
});

async function start({ userId, role, deviceId, appId, first }) {
  S.me = userId;
  S.role = first.role || role;
  S.appId = first.appId;
  let sign = first;
  const im = new ImClient({
    // the first sign is reused for the first connect; reconnects fetch a fresh one
    url: async () => {
      const s = sign || await devSign({ appId, userId, deviceId, role });
      sign = null;
      return s.url;
    },
    heartbeatSeconds: first.heartbeatSeconds || 30,
    chatSign: (peer) => devChatSign({ appId, userId, receiveUserId: peer }),
  });
  S.im = im;
  wire(im);
  // ICE servers: the ones the server hands in every 551 (im.iceServers; STUN/TURN when configured)
  S.call = new CallController(im, { localVideo: $('local-video'), remoteVideo: $('remote-video') });
  wireCall(S.call);
  $('whoami').textContent = `${userId} (${S.role}) · ${deviceId}`;
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('logout').hidden = false;
  $('customer-panel').hidden = S.role !== 'user';
  $('agent-panel').hidden = S.role !== 'agent';
  await im.connect();
}

function stop(message) {
  const { im, call } = S;
  S.im = null;
  S.call = null;
  call?.dispose();
  im?.close();
  S.convs.clear();
  S.where.clear();
  S.current = null;
  S.room = null;
  S.queue = { status: 'idle' };
  S.waiting = { list: [], at: 0, total: 0 };
  $('conv-list').replaceChildren();
  $('message-list').replaceChildren();
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  $('logout').hidden = true;
  $('whoami').textContent = '';
  $('login-error').textContent = message || '';
  setConnState('offline');
  renderChatHead();
  renderQueue();
  renderRoom();
}

$('logout').addEventListener('click', async () => {
  try { await S.im?.logout(); } catch { /* closing anyway */ }
  stop('');
});

function setConnState(s) {
  $('conn-state').textContent = s;
  $('conn-state').className = `badge ${s}`;
  $('conn-state').dataset.state = s;
}

// ------------------------------------------------------------------------------------------------------------
// protocol events

function wire(im) {
  im.on('state', ({ state }) => setConnState(state));
  im.on('open', () => {
    if (S.role === 'agent') refreshQueue();
    if (S.current) loadHistory(S.current, { reset: true });
  });
  im.on('kicked', (n) => stop(n.code === 'KICKED' ? 'You were logged out by the server.' : 'This device was replaced by another login.'));
  im.on('refused', (r) => { $('login-error').textContent = `connection refused: ${r.status} ${r.body?.code || ''}`; });
  im.on('close', (c) => { if (!c.willReconnect && S.im === im) stop(`disconnected (${c.code})`); });

  im.on('conversation', onHead);
  im.on('message', onPush);
  im.on('delivered', (f) => {
    const item = findItem(f.messageId);
    if (item) { item.delivered = true; renderMessagesIfOpen(S.where.get(String(f.messageId))); } else S.earlyDelivered.add(String(f.messageId));
  });
  im.on('read', onRead);
  im.on('retracted', (f) => {
    const id = String(f.messageId);
    const item = findItem(id);
    if (!item) return;
    item.retracted = true;
    item.message = '';
    const peer = S.where.get(id);
    renderConvs();
    renderMessagesIfOpen(peer);
  });
  im.on('friend-online', (f) => presence(f.friendUserId, true));
  im.on('friend-offline', (f) => presence(f.friendUserId, false));

  im.on('queue-position', (f) => {
    S.queue = { status: 'waiting', queueId: f.queueId, waitIndex: Number(f.waitIndex), waitTotal: Number(f.waitTotal),
      estimatedWaitSeconds: f.estimatedWaitSeconds ?? null };
    renderQueue();
  });
  im.on('taken', (f) => {
    S.queue = { status: 'in-room', agent: f.userId, roomId: f.roomId };
    renderQueue();
  });
  im.on('queue-info', onQueueInfo);
  im.on('room', (f) => { S.room = f; if (S.queue.status !== 'in-room') S.queue = { status: 'in-room', roomId: f.roomId }; renderRoom(); renderQueue(); });
  im.on('member-left', (f) => notice(`${f.userId} left the room`));
  im.on('room-disbanded', (f) => {
    if (S.room && String(S.room.roomId) !== String(f.roomId)) return;
    S.room = null;
    S.queue = { status: 'idle' };
    notice(`room ${f.roomId} closed (${f.reason})`);
    renderRoom();
    renderQueue();
    if (S.role === 'agent') refreshQueue();
  });
}

// ------------------------------------------------------------------------------------------------------------
// chat model

function conv(peer) {
  let c = S.convs.get(peer);
  if (!c) {
    c = { peer, last: null, unread: 0, peerReadMessageId: '0', messages: new Map(), pending: new Map(), loaded: false, hasMore: false };
    S.convs.set(peer, c);
  }
  return c;
}

const peerOf = (item) => (item.userId === S.me ? item.receiveUserId : item.userId);
const findItem = (id) => S.convs.get(S.where.get(String(id)))?.messages.get(String(id));

function addItem(item) {
  const id = String(item.messageId);
  const peer = peerOf(item);
  const c = conv(peer);
  const old = c.messages.get(id);
  const merged = old ? { ...old, ...item, delivered: old.delivered || item.delivered, retracted: old.retracted || item.retracted } : { ...item };
  if (merged.retracted) merged.message = '';
  if (S.earlyDelivered.delete(id)) merged.delivered = true;
  if (merged.userId === S.me && merged.read) c.peerReadMessageId = maxId(c.peerReadMessageId, id);
  c.messages.set(id, merged);
  S.where.set(id, peer);
  if (!c.last || byId(c.last.messageId, id) <= 0) c.last = merged;
  return { c, item: merged, isNew: !old };
}

const maxId = (a, b) => (byId(a || '0', b || '0') >= 0 ? String(a || '0') : String(b));

function onHead(f) {
  const { c } = addItem(f);
  c.unread = Number(f.unreadCount) || 0;
  c.peerReadMessageId = maxId(c.peerReadMessageId, f.peerReadMessageId);
  if (S.current === c.peer && c.unread > 0) markRead(c);
  renderConvs();
  renderMessagesIfOpen(c.peer);
}

function onPush(f) {
  const { c, isNew } = addItem(f);
  if (isNew && f.userId !== S.me) {
    if (S.current === c.peer) S.im.read(String(f.messageId), c.peer).catch(showChatError);
    else c.unread += 1;
  }
  renderConvs();
  renderMessagesIfOpen(c.peer, true);
}

function onRead(f) {
  if (f.userId === S.me) {
    // I read on another device
    const c = conv(f.receiveUserId);
    c.unread = 0;
  } else {
    // read receipt: the peer read my messages up to messageId
    const c = conv(f.userId);
    c.peerReadMessageId = maxId(c.peerReadMessageId, f.messageId);
    renderMessagesIfOpen(c.peer);
  }
  renderConvs();
}

function markRead(c) {
  c.unread = 0;
  renderConvs();
  S.im.viewPeer(c.peer).catch(showChatError);
}

function statusOf(c, item) {
  if (item.failed) return 'failed';
  if (!item.messageId) return 'sending';
  if (byId(c.peerReadMessageId || '0', item.messageId) >= 0) return 'read';
  if (item.delivered) return 'delivered';
  return 'sent';
}
const TICKS = { sending: '⏱', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

// ------------------------------------------------------------------------------------------------------------
// chat view

function renderConvs() {
  const list = [...S.convs.values()].filter((c) => c.last || c.peer === S.current)
    .sort((a, b) => byId(b.last?.messageId || '0', a.last?.messageId || '0'));
  $('conv-list').replaceChildren(...list.map((c) => el('li', {
    class: c.peer === S.current ? 'active' : '', 'data-testid': `conv-${c.peer}`, 'data-peer': c.peer,
    onclick: () => openConversation(c.peer),
  },
  el('span', { class: 'peer' }, c.peer),
  c.unread > 0 ? el('span', { class: 'unread', 'data-testid': `unread-${c.peer}` }, String(c.unread)) : el('span'),
  el('span', { class: 'preview' }, c.last ? (c.last.retracted ? 'message retracted' : `${c.last.userId === S.me ? 'you: ' : ''}${c.last.message}`) : ''))));
}

function renderChatHead() {
  $('chat-peer').textContent = S.current || 'Pick a conversation';
  $('composer-input').disabled = !S.current;
  $('send').disabled = !S.current;
  if (!S.current) $('chat-presence').textContent = '';
}

function renderMessagesIfOpen(peer, scroll) {
  if (peer && peer === S.current) renderMessages(scroll);
}

function renderMessages(scrollToEnd) {
  const box = $('messages');
  const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const c = S.current ? S.convs.get(S.current) : null;
  if (!c) { $('message-list').replaceChildren(); $('load-earlier').hidden = true; return; }
  const items = [...c.messages.values()].sort((a, b) => byId(a.messageId, b.messageId)).concat([...c.pending.values()]);
  $('message-list').replaceChildren(...items.map((m) => messageEl(c, m)));
  $('load-earlier').hidden = !c.hasMore;
  if (scrollToEnd === 'keep') return;
  if (scrollToEnd || atEnd) box.scrollTop = box.scrollHeight;
}

function messageEl(c, m) {
  const mine = m.userId === S.me;
  const status = mine ? statusOf(c, m) : null;
  const canRetract = mine && m.messageId && !m.retracted && Date.now() - Number(m.sendTime || 0) < RETRACT_WINDOW_MS;
  return el('li', {
    class: `msg ${mine ? 'mine' : 'theirs'}${m.retracted ? ' retracted' : ''}`, 'data-testid': 'msg',
    'data-message-id': m.messageId || '', 'data-mine': mine ? 'true' : 'false', 'data-retracted': m.retracted ? 'true' : 'false',
  },
  el('div', { class: 'text', 'data-testid': 'msg-text' }, m.retracted ? 'message retracted' : (m.contentType && m.contentType !== 'text' ? `[${m.contentType}] ` : '') + m.message),
  el('div', { class: 'meta' },
    el('span', {}, fmtTime(m.sendTime)),
    canRetract ? el('button', { class: 'link small', 'data-testid': 'retract', title: 'retract (190)', onclick: () => retract(c, m) }, 'retract') : null,
    mine ? el('span', { class: 'tick', 'data-testid': 'tick', 'data-status': status, title: m.error || status }, TICKS[status]) : null));
}

async function openConversation(peer) {
  if (!peer || peer === S.me) return;
  S.current = peer;
  const c = conv(peer);
  $('chat-error').textContent = '';
  renderChatHead();
  renderConvs();
  renderMessages(true);
  if (!c.loaded) await loadHistory(peer, {});
  if (c.unread > 0 || !c.loaded) markRead(c);
  S.im.onlineStatus(peer).then((r) => presence(peer, !!r.statuses?.[peer])).catch(() => {});
  $('composer-input').focus();
}

async function loadHistory(peer, { earlier }) {
  const c = conv(peer);
  const oldest = [...c.messages.keys()].sort(byId)[0];
  const q = earlier && oldest ? { sender: peer, beforeMessageId: oldest, pageSize: 20 } : { sender: peer, pageIndex: 1, pageSize: 20 };
  try {
    const page = await S.im.history(q);
    for (const m of page.messages || []) addItem(m);
    // a refresh of page 1 (reset, after a reconnect) keeps what scrolling back already learned
    if (earlier || !c.loaded) c.hasMore = !!page.hasMore;
    c.loaded = true;
  } catch (e) {
    showChatError(e);
  }
  if (S.current !== peer) return;
  if (earlier) {
    const box = $('messages');
    const fromBottom = box.scrollHeight - box.scrollTop;
    renderMessages('keep');
    box.scrollTop = box.scrollHeight - fromBottom;
  } else {
    renderMessages(true);
  }
  renderConvs();
}

$('load-earlier').addEventListener('click', () => S.current && loadHistory(S.current, { earlier: true }));
$('messages').addEventListener('scroll', () => {
  const c = S.current && S.convs.get(S.current);
  if (c && c.hasMore && $('messages').scrollTop === 0 && !c.busy) {
    c.busy = true;
    loadHistory(S.current, { earlier: true }).finally(() => { c.busy = false; });
  }
});

$('new-chat').addEventListener('submit', (e) => {
  e.preventDefault();
  const peer = $('peer-input').value.trim();
  $('peer-input').value = '';
  openConversation(peer);
});

$('composer').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('composer-input').value;
  if (!text.trim() || !S.current) return;
  $('composer-input').value = '';
  const c = conv(S.current);
  const unique = S.im.nextUnique();
  const item = { unique, userId: S.me, receiveUserId: c.peer, message: text, contentType: 'text', sendTime: Date.now() };
  c.pending.set(unique, item);
  renderMessages(true);
  try {
    const ack = await S.im.sendMessage({ receiveUserId: c.peer, message: text, contentType: 'text', unique });
    c.pending.delete(unique);
    addItem({ ...item, messageId: String(ack.messageId), sendTime: ack.sendTime, message: ack.message ?? text });
    // presence is visible to conversation peers only: a first message may reveal it
    if (c.peer === S.current && !$('chat-presence').classList.contains('online')) {
      S.im.onlineStatus(c.peer).then((r) => presence(c.peer, !!r.statuses?.[c.peer])).catch(() => {});
    }
  } catch (err) {
    item.failed = true;
    item.error = err.code === 'SENSITIVE_WORD' ? 'blocked: sensitive word' : err.code === 'CHAT_SIGN_EXPIRED' ? 'no chat permission' : err.message;
    showChatError(err, item.error);
  }
  renderConvs();
  renderMessagesIfOpen(c.peer, true);
});

async function retract(c, m) {
  try {
    await S.im.retract(m.messageId, c.peer);
    m.retracted = true;
    m.message = '';
    renderMessagesIfOpen(c.peer);
    renderConvs();
  } catch (e) {
    showChatError(e, e.code === 'RETRACT_EXPIRED' ? 'too late to retract this message' : undefined);
  }
}

function presence(userId, online) {
  if (userId !== S.current) return;
  $('chat-presence').textContent = online ? 'online' : 'offline';
  $('chat-presence').className = `presence ${online ? 'online' : ''}`;
}

function showChatError(e, text) { $('chat-error').textContent = text || `${e.code || 'error'}: ${e.message}`; }

// ------------------------------------------------------------------------------------------------------------
// customer service

function showServiceError(e) { $('service-error').textContent = e ? `${e.code || 'error'}: ${e.message}` : ''; }
function notice(text) { $('service-notice').textContent = text; }

$('talk-to-agent').addEventListener('click', async () => {
  showServiceError(null);
  notice('');
  try {
    await S.im.enterQueue($('queue-id').value.trim() || undefined);
    if (S.queue.status === 'idle') { S.queue = { status: 'waiting' }; renderQueue(); }
  } catch (e) { showServiceError(e); }
});

$('leave-queue').addEventListener('click', async () => {
  try {
    await S.im.leave();
    S.queue = { status: 'idle' };
    renderQueue();
  } catch (e) { showServiceError(e); }
});

function renderQueue() {
  const q = S.queue;
  const status = q.status || 'idle';
  $('queue-status').textContent = status === 'waiting' ? 'waiting' : status === 'in-room' ? 'with an agent' : 'idle';
  $('queue-status').dataset.status = status;
  const pos = $('queue-position');
  const eta = q.estimatedWaitSeconds == null ? ''
    : q.estimatedWaitSeconds < 60 ? ` · about ${q.estimatedWaitSeconds} s` : ` · about ${Math.ceil(q.estimatedWaitSeconds / 60)} min`;
  pos.textContent = status === 'waiting' && q.waitIndex ? `· position ${q.waitIndex} of ${q.waitTotal}${eta}` : '';
  pos.dataset.waitIndex = status === 'waiting' && q.waitIndex ? String(q.waitIndex) : '';
  $('leave-queue').hidden = status !== 'waiting';
  $('talk-to-agent').disabled = status !== 'idle';
}

async function refreshQueue() {
  try {
    onQueueInfo(await S.im.queueInfo($('agent-queue-id').value.trim() || undefined));
  } catch (e) { showServiceError(e); }
}

function onQueueInfo(f) {
  const shown = $('agent-queue-id').value.trim() || 'default';
  if (S.role !== 'agent' || (f.queueId && f.queueId !== shown)) return;
  S.waiting = { list: f.waiting || (f.userIdList || []).map((u) => ({ userId: u, waitSeconds: 0 })), at: Date.now(), total: Number(f.waitTotal) || 0 };
  renderWaiting();
}

function renderWaiting() {
  const w = S.waiting;
  const extra = Math.floor((Date.now() - w.at) / 1000);
  $('waiting-total').textContent = String(w.total);
  $('waiting-list').replaceChildren(...w.list.map((x) => el('li', { 'data-testid': `waiting-${x.userId}`, 'data-user': x.userId },
    `${x.userId} · ${Number(x.waitSeconds) + extra}s `,
    el('button', { class: 'link small', 'data-testid': `take-${x.userId}`, onclick: () => take(x.userId) }, 'take'))));
}
setInterval(() => { if (S.role === 'agent' && S.waiting.list.length) renderWaiting(); }, 1000);

$('refresh-queue').addEventListener('click', refreshQueue);
$('agent-queue-id').addEventListener('change', refreshQueue);
$('take-next').addEventListener('click', () => take());

async function take(userId) {
  showServiceError(null);
  notice('');
  try {
    const r = await S.im.takeNext({ queueId: $('agent-queue-id').value.trim() || undefined, receiveUserId: userId });
    notice(`took ${r.receiveUserId} (room ${r.roomId})`);
  } catch (e) {
    showServiceError(e);
  }
}

const roomPeer = () => (S.room ? (S.room.members || []).find((m) => m !== S.me) : null);

function renderRoom() {
  const r = S.room;
  $('room').hidden = !r;
  $('room-id').textContent = r ? r.roomId : '';
  $('room-peer').textContent = r ? roomPeer() || '' : '';
  renderCallState();
}

function renderCallState() {
  const call = S.call;
  const s = call ? call.state : 'idle';
  $('call-status').textContent = staleCall() ? 'idle (the room has a call this page does not hold)' : s;
  $('call-status').dataset.state = s;
  $('call').dataset.state = s;
  $('room-call-state').textContent = S.room?.callState || 'idle';
  $('start-call').disabled = !S.room || s !== 'idle' || staleCall();
  $('hang-up').hidden = !(s === 'calling' || s === 'connecting' || s === 'connected' || staleCall());
  $('incoming').hidden = s !== 'ringing';
  $('incoming-from').textContent = call?.peer || '';
}

$('chat-room-peer').addEventListener('click', () => roomPeer() && openConversation(roomPeer()));
$('leave-room').addEventListener('click', async () => {
  try { await S.im.leave(); } catch (e) { showServiceError(e); }
});

/**
 * A call this page does not hold although the room has one: after a reload or on another device the 551 says
 * `active`, or `ringing` with us as the caller. Media cannot resume without a new offer, so offer a hang-up.
 */
function staleCall() {
  const r = S.room;
  const s = S.call ? S.call.state : 'idle';
  return !!r && s === 'idle' && (r.callState === 'active' || (r.callState === 'ringing' && r.caller === S.me));
}

function wireCall(call) {
  call.on('state', (s) => {
    if (S.room) S.room.callState = s.state === 'idle' ? 'idle' : s.state === 'ringing' || s.state === 'calling' ? 'ringing' : 'active';
    if (s.warning) notice(s.warning);
    else if (s.state === 'idle' && s.reason && s.reason !== 'room-disbanded') notice(`call ended (${s.reason})`);
    renderCallState();
  });
  call.on('error', (e) => showServiceError(e));
}

$('start-call').addEventListener('click', async () => {
  showServiceError(null);
  try { await S.call.start(roomPeer()); } catch (e) { showServiceError(e); }
});
$('accept-call').addEventListener('click', async () => {
  try { await S.call.accept(); } catch (e) { showServiceError(e); }
});
$('reject-call').addEventListener('click', async () => {
  try { await S.call.reject(); } catch (e) { showServiceError(e); }
});
$('hang-up').addEventListener('click', async () => {
  try {
    if (S.call.state === 'idle' && staleCall()) await S.im.hangUp(S.room.callId);
    else await S.call.hangUp();
  } catch (e) { showServiceError(e); }
});

renderQueue();
renderRoom();
