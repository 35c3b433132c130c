// SeedIM customer widget (docs/customer-service.md): a customer talks to an agent of a queue — waits with a live
// position (400/410/420, 430 agentsAvailable), chats in the room (130/140, ticks 131/199, read 198, history 161),
// takes or starts a video call (call.js: 300/301/310/330), follows transfers (611) and the room's end (560), and
// leaves a message when nobody can answer (630/631, also after a 620 queue timeout). Protocol: docs/protocol.md.
//
// Query parameters: queue (default `default`), embedded=1 (set by embed.js). All user text goes through
// textContent; the page has no inline script or style (the gateway's CSP forbids both).
import { deskConfig, embedded, openSession } from './session.js';
import { CallController } from './js/call.js';

const params = new URLSearchParams(window.location.search);
const QUEUE = (params.get('queue') || 'default').slice(0, 64);
const EMBEDDED = params.get('embedded') === '1' && embedded();
/** The id pattern of protocol.md §1.3, for the dev-mode name. */
const ID_PATTERN = /^[A-Za-z0-9_.@:-]{1,64}$/;
/** Messages of the room read back after a (re)connect. */
const HISTORY_PAGE_SIZE = 50;
const LEAVE_MAX_CHARS = 2000;
const GUEST_KEY = 'seedim.widget.guest';

const $ = (id) => document.getElementById(id);

/** Errors in words (protocol.md §3.2 codes; client-side codes of im-client.js). */
const ERROR_WORDS = {
  NOT_CONNECTED: 'You are offline right now. Wait a moment, we are reconnecting.',
  DISCONNECTED: 'The connection dropped before the server answered. Please try again.',
  TIMEOUT: 'The server did not answer in time. Please try again.',
  QUEUE_FULL: 'Too many people are waiting right now. Please try again in a few minutes, or leave a message.',
  NOT_FOUND: 'This service line does not exist. Please check the link you followed.',
  INVALID_STATE: 'That is not possible right now (you may already be in a conversation).',
  FORBIDDEN: 'This account may not use the customer service chat.',
  RATE_LIMITED: 'You have sent too much at once. Please wait a little and try again.',
  TOO_LARGE: 'That message is too long.',
  INVALID_FIELD: 'That message could not be sent (it is empty or malformed).',
  SENSITIVE_WORD: 'That message contains words that are not allowed here.',
  CHAT_SIGN_EXPIRED: 'You may not message this person now.',
  UNAVAILABLE: 'The service is briefly unavailable. Please try again.',
  UNKNOWN_MSG_TYPE: 'This server does not support that yet.',
  // getUserMedia (video calls)
  NotAllowedError: 'The camera or microphone is blocked. Allow them for this site to make a video call.',
  NotFoundError: 'No camera or microphone was found on this device.',
  NotReadableError: 'The camera or microphone is in use by another application.',
};

/** The refusals of 630 (protocol.md §14.4) in words. */
const LEAVE_ERROR_WORDS = {
  UNKNOWN_MSG_TYPE: 'Leaving a message is not available on this server yet. Please try again later.',
  INVALID_STATE: 'You are in a conversation with an agent: write to them there instead.',
  RATE_LIMITED: 'You already have several messages waiting for an answer. An agent will get back to you.',
  TOO_LARGE: `That message is too long (at most ${LEAVE_MAX_CHARS} characters).`,
};

/** The reasons of 560 (protocol.md §8.4, §14.2) in words. */
const END_WORDS = {
  left: 'The conversation was closed.',
  hangup: 'The call was hung up, which ended the conversation.',
  timeout: 'The conversation was closed after a long time without activity.',
  disconnect: 'The connection was lost for too long, so the conversation was closed.',
  kicked: 'The conversation was closed by the service.',
  lost: 'The service lost track of this conversation (a server problem). Sorry about that.',
  transferred: 'The conversation was handed over.',
};

/** Call end reasons of 321 in words. */
const CALL_END_WORDS = {
  rejected: 'The video call was declined.',
  timeout: 'Nobody answered the video call.',
  hangup: 'The video call ended.',
  transferred: 'The video call ended because the conversation was handed over.',
  answered_elsewhere: 'The video call was answered on another device.',
  failed: 'The video call could not start (camera or microphone unavailable?).',
};

const S = {
  cfg: null,
  im: null,
  me: null,
  view: 'loading',
  agent: null,
  roomId: null,
  roomCreatedAt: 0,
  messages: new Map(), // messageId -> {item, li}
  earlyDelivered: new Set(), // 131s that came before the 30 of our own 130
  readMark: '0', // the agent's read mark on my messages (199)
  myReadSent: '0', // my read mark sent with 198
  transferToQueue: false,
  call: null,
  panelOpen: true,
  lastAnnounced: '',
};

// ------------------------------------------------------------------------------------------------- helpers

/** Compares two numeric message ids (they exceed 2^53). */
function idCmp(a, b) {
  const x = BigInt(a || '0');
  const y = BigInt(b || '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

function words(e) {
  if (e && e.userText) return e.userText;
  for (const k of [e && e.code, e && e.name]) if (k && ERROR_WORDS[k]) return ERROR_WORDS[k];
  return (e && e.message) ? `Something went wrong: ${e.message}` : 'Something went wrong.';
}

function announce(text) {
  // re-set even an identical text so it is announced again
  const live = $('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 30);
  S.lastAnnounced = text;
}

function showError(text, retry) {
  $('error-text').textContent = text;
  $('error').hidden = false;
  const b = $('error-retry');
  b.hidden = !retry;
  b.onclick = retry ? () => { hideError(); retry(); } : null;
}

function hideError() { $('error').hidden = true; }

function setSubtitle(text) { $('subtitle').textContent = text; }

const FOCUS_OF = {
  identify: 'identify-name', start: 'talk', waiting: 'cancel', talking: 'message-input', ended: 'restart',
  leave: 'leave-text', left: 'left-done',
};

/** Shows one view and moves the focus to its main control (keyboard and screen-reader users land there). */
function show(view, { focus = true } = {}) {
  const changed = S.view !== view;
  S.view = view;
  $('widget').dataset.view = view;
  document.querySelectorAll('.view').forEach((s) => { s.hidden = s.dataset.view !== view; });
  if (changed && focus && FOCUS_OF[view]) {
    const el = $(FOCUS_OF[view]);
    if (el) el.focus({ preventScroll: false });
  }
}

async function run(button, fn) {
  if (button) button.disabled = true;
  try {
    return await fn();
  } catch (e) {
    showError(words(e));
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

function formatTime(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

// ------------------------------------------------------------------------------------------------ messages

function tickOf(item) {
  if (item.failed) return { status: 'failed', text: '!', label: 'not sent' };
  if (!item.messageId) return { status: 'sending', text: '…', label: 'sending' };
  if (item.read || idCmp(item.messageId, S.readMark) <= 0) return { status: 'read', text: '✓✓', label: 'read' };
  if (item.delivered) return { status: 'delivered', text: '✓', label: 'delivered' };
  return { status: 'sent', text: '', label: 'sent' };
}

function renderItem(entry) {
  const { item } = entry;
  const mine = item.userId === S.me;
  let li = entry.li;
  if (!li) {
    li = document.createElement('li');
    li.className = mine ? 'msg mine' : 'msg theirs';
    li.dataset.testid = 'message';
    li.setAttribute('data-testid', 'message');
    const who = document.createElement('span');
    who.className = 'sr-only';
    who.textContent = mine ? 'You: ' : `${item.userId}: `;
    const body = document.createElement('p');
    body.className = 'body';
    const meta = document.createElement('span');
    meta.className = 'meta';
    const time = document.createElement('time');
    const tick = document.createElement('span');
    tick.className = 'tick';
    tick.setAttribute('data-testid', 'tick');
    meta.append(time, tick);
    li.append(who, body, meta);
    entry.li = li;
    insertSorted(li, item);
  }
  li.dataset.messageId = item.messageId || '';
  li.dataset.mine = mine ? '1' : '0';
  li.querySelector('.body').textContent = item.retracted ? '(message withdrawn)' : item.message;
  const time = li.querySelector('time');
  if (item.sendTime) {
    time.dateTime = new Date(item.sendTime).toISOString();
    time.textContent = formatTime(item.sendTime);
  }
  const tick = li.querySelector('.tick');
  if (mine) {
    const t = tickOf(item);
    tick.textContent = t.text;
    tick.dataset.status = t.status;
    tick.setAttribute('aria-label', t.label);
    tick.title = t.label;
  } else {
    tick.textContent = '';
    tick.removeAttribute('data-status');
  }
}

function insertSorted(li, item) {
  const list = $('messages');
  if (item.messageId) {
    for (const other of list.children) {
      const id = other.dataset.messageId;
      if (id && idCmp(id, item.messageId) > 0) {
        list.insertBefore(li, other);
        return;
      }
    }
  }
  list.append(li);
}

function scrollToEnd() {
  const list = $('messages');
  list.scrollTop = list.scrollHeight;
}

function systemNote(text) {
  const li = document.createElement('li');
  li.className = 'msg system';
  li.setAttribute('data-testid', 'system-note');
  li.textContent = text;
  $('messages').append(li);
  scrollToEnd();
  announce(text);
}

/** A message item from 140, 162 or our own 130 (merged by messageId). */
function upsert(item) {
  const id = item.messageId ? String(item.messageId) : null;
  if (id && S.messages.has(id)) {
    const entry = S.messages.get(id);
    entry.item = { ...entry.item, ...item, delivered: entry.item.delivered || item.delivered, read: entry.item.read || item.read };
    renderItem(entry);
    return entry;
  }
  const entry = { item: { ...item }, li: null };
  if (id) S.messages.set(id, entry);
  renderItem(entry);
  scrollToEnd();
  return entry;
}

function clearMessages() {
  S.messages.clear();
  S.earlyDelivered.clear();
  S.readMark = '0';
  S.myReadSent = '0';
  $('messages').replaceChildren();
}

/** Sends 198 for the newest message of the agent once the visitor can see it. */
function markRead() {
  if (S.view !== 'talking' || !S.agent || !S.im || document.visibilityState !== 'visible' || !S.panelOpen) return;
  let newest = null;
  for (const [id, { item }] of S.messages) {
    if (item.userId === S.agent && (!newest || idCmp(id, newest) > 0)) newest = id;
  }
  if (!newest || idCmp(newest, S.myReadSent) <= 0) return;
  const before = S.myReadSent;
  S.myReadSent = newest;
  S.im.read(newest, S.agent).catch(() => { S.myReadSent = before; });
}

async function loadHistory() {
  if (!S.agent) return;
  try {
    const page = await S.im.history({ sender: S.agent, pageSize: HISTORY_PAGE_SIZE });
    for (const m of page.messages || []) {
      if (S.roomCreatedAt && m.sendTime < S.roomCreatedAt) continue; // earlier conversations with this agent
      upsert(m);
    }
    markRead();
  } catch (e) {
    showError(`The earlier messages could not be loaded. ${words(e)}`);
  }
}

async function send(text) {
  const entry = upsert({ userId: S.me, receiveUserId: S.agent, message: text, sendTime: Date.now() });
  try {
    const ack = await S.im.sendMessage({ receiveUserId: S.agent, message: text });
    const id = String(ack.messageId);
    entry.item.messageId = id;
    entry.item.sendTime = ack.sendTime || entry.item.sendTime;
    if (ack.message !== undefined) entry.item.message = ack.message; // masked by the server
    const early = S.messages.get(id); // a sync copy (140) of it may have come first
    if (early && early !== entry && early.li) early.li.remove();
    if (S.earlyDelivered.delete(id)) entry.item.delivered = true; // so may its 131
    S.messages.set(id, entry);
    entry.li.remove();
    entry.li = null;
    renderItem(entry);
    scrollToEnd();
  } catch (e) {
    entry.item.failed = true;
    renderItem(entry);
    showError(words(e));
  }
}

// ---------------------------------------------------------------------------------------------------- states

function enterTalking(agent, roomId, createdAt) {
  const agentChanged = S.agent && agent !== S.agent;
  const first = S.view !== 'talking' || S.roomId !== roomId;
  if (first) S.roomCreatedAt = 0;
  S.agent = agent;
  S.roomId = roomId;
  if (createdAt) S.roomCreatedAt = createdAt;
  S.transferToQueue = false;
  setSubtitle(`You are talking to ${agent}`);
  if (first && !agentChanged) clearMessages();
  show('talking');
  if (first) {
    if (!agentChanged) announce(`You are now talking to ${agent}.`);
    loadHistory();
  }
}

function updatePosition(f) {
  if (S.view !== 'waiting') show('waiting');
  const i = Number(f.waitIndex);
  const total = Number(f.waitTotal);
  const pos = $('position');
  pos.dataset.waitIndex = String(i);
  pos.dataset.waitTotal = String(total);
  pos.textContent = i === 1 ? 'You are next in line' : `You are number ${i} in line`;
  const eta = $('eta');
  if (typeof f.estimatedWaitSeconds === 'number') {
    const min = Math.max(1, Math.round(f.estimatedWaitSeconds / 60));
    eta.textContent = `Estimated wait: about ${min} min` + (total > 1 ? ` (${total} people waiting)` : '');
  } else {
    eta.textContent = total > 1 ? `${total} people are waiting.` : '';
  }
  setSubtitle('Waiting for an agent');
  const text = `${pos.textContent}.`;
  if (text !== S.lastAnnounced) announce(text);
}

function toStart(note) {
  S.agent = null;
  S.roomId = null;
  const n = $('start-note');
  n.hidden = !note;
  n.textContent = note || '';
  setSubtitle('We are here to help');
  show('start');
}

function toLeave(note) {
  const n = $('leave-note');
  n.hidden = !note;
  n.textContent = note || '';
  setSubtitle('Leave a message');
  show('leave');
}

function toEnded(reason) {
  if (S.call) S.call.end('room-disbanded');
  $('ended-reason').textContent = END_WORDS[reason] || 'The conversation ended.';
  setSubtitle('Conversation ended');
  S.agent = null;
  S.roomId = null;
  show('ended');
  announce(`Conversation ended. ${$('ended-reason').textContent}`);
}

/** After every (re)connect: where are we — in a room, waiting, or nowhere? */
async function resync() {
  const im = S.im;
  try {
    const room = await im.roomInfo();
    const agent = (room.members || []).find((m) => m !== S.me) || room.creator;
    const wasTalking = S.view === 'talking' && S.roomId === room.roomId;
    enterTalking(agent, room.roomId, room.createdAt);
    if (wasTalking) loadHistory(); // messages sent while we were away
    return;
  } catch (e) {
    if (e.code !== 'NOT_FOUND') { showError(words(e), resync); return; }
  }
  if (S.view === 'talking') {
    // the room ended while we were away (its 560 may follow in the replay)
    toEnded('disconnect');
    return;
  }
  try {
    const info = await im.queueInfo(QUEUE);
    if (Number(info.waitIndex) > 0) { updatePosition(info); return; }
  } catch (e) {
    if (e.code === 'NOT_FOUND') { showError(ERROR_WORDS.NOT_FOUND); return; }
  }
  if (S.view === 'loading' || S.view === 'identify' || S.view === 'waiting') toStart();
}

async function talk() {
  hideError();
  const info = await S.im.queueInfo(QUEUE);
  if (info.agentsAvailable === 0) {
    toLeave('No agent is available right now. Leave a message and we will answer you here.');
    return;
  }
  show('waiting');
  setSubtitle('Waiting for an agent');
  $('position').textContent = 'Finding an agent…';
  $('eta').textContent = '';
  await S.im.enterQueue(QUEUE);
}

// ---------------------------------------------------------------------------------------------------- calls

function setupCall() {
  const call = new CallController(S.im, { localVideo: $('local-video'), remoteVideo: $('remote-video') });
  S.call = call;
  call.on('state', ({ state, reason, warning }) => {
    const box = $('call');
    box.dataset.state = state;
    box.hidden = state === 'idle' || state === 'ringing';
    $('ringing').hidden = state !== 'ringing';
    $('hang-up').hidden = state === 'idle' || state === 'ringing';
    $('start-video').hidden = state !== 'idle';
    const status = {
      calling: 'Calling the agent…', connecting: 'Connecting the video…', connected: 'Video call', ringing: '',
    }[state] || '';
    $('call-status').textContent = warning || status;
    if (state === 'ringing') {
      announce('The agent is starting a video call. Accept or decline.');
      $('accept-call').focus();
    }
    if (state === 'connected') announce('The video call is connected.');
    if (state === 'idle' && reason && CALL_END_WORDS[reason] && S.view === 'talking') systemNote(CALL_END_WORDS[reason]);
  });
  call.on('error', () => { /* late candidates of an ended call are harmless */ });
}

// -------------------------------------------------------------------------------------------------- wiring

function wireClient(im) {
  im.on('state', ({ state }) => {
    $('banner').hidden = state !== 'reconnecting';
    $('widget').dataset.conn = state;
    if (state === 'reconnecting') announce('Connection lost. Reconnecting.');
  });
  im.on('open', () => {
    if (S.connectedOnce) { hideError(); announce('Reconnected.'); resync(); }
    S.connectedOnce = true;
  });
  im.on('close', ({ willReconnect }) => {
    if (!willReconnect && !S.kicked) {
      showError('You are disconnected from customer service.', () => reconnect());
    }
  });
  im.on('kicked', () => {
    S.kicked = true;
    showError('This chat was opened somewhere else (or closed by the service), so it stopped here.', () => reconnect());
  });
  im.on('refused', ({ status }) => {
    if (status === 401) showError('Your session expired. Please reload the page.');
  });

  im.on('queue-position', (f) => {
    if (S.view === 'talking') return;
    updatePosition(f);
  });
  im.on('queue-info', (f) => {
    // a pushed 431 with waitIndex -1 and waitTotal 0: the server lost our place (§7.1) — enter again
    if (S.view === 'waiting' && Number(f.waitIndex) === -1 && Number(f.waitTotal) === 0) {
      announce('Your place in line was lost; entering the line again.');
      S.im.enterQueue(QUEUE).catch((e) => showError(words(e)));
    }
  });
  im.on('taken', (f) => enterTalking(f.userId, f.roomId));
  im.on('room', (f) => {
    const agent = (f.members || []).find((m) => m !== S.me) || f.creator;
    enterTalking(agent, f.roomId, f.createdAt);
  });
  im.on('room-transferred', (f) => {
    if (f.toUserId) {
      S.agent = f.toUserId;
      setSubtitle(`You are talking to ${f.toUserId}`);
      systemNote(`You are now talking to ${f.toUserId}.`);
    } else {
      S.transferToQueue = true;
      systemNote('You are back in the queue: the next free agent will take over.');
      S.agent = null;
      S.roomId = null;
      show('waiting');
      $('position').textContent = 'Back in the queue…';
    }
  });
  im.on('room-disbanded', (f) => {
    if (f.reason === 'transferred') return; // 611 said where we go
    if (S.roomId && f.roomId && String(f.roomId) !== String(S.roomId)) return;
    toEnded(f.reason);
  });
  im.on('member-left', (f) => {
    if (f.userId === S.agent && S.view === 'talking') systemNote(`${f.userId} left the conversation.`);
  });
  im.on('queue-timeout', (f) => {
    const min = Math.max(1, Math.round(Number(f.waitSeconds || 0) / 60));
    toLeave(`Sorry, no agent could take your call within ${min} min. Leave a message and we will answer you here.`);
  });

  im.on('message', (f) => {
    if (S.view !== 'talking' || !S.agent) return;
    const peer = f.userId === S.me ? f.receiveUserId : f.userId;
    if (peer !== S.agent) return;
    upsert(f);
    if (f.userId !== S.me) {
      announce(`${f.userId} says: ${f.message}`);
      markRead();
    }
  });
  im.on('delivered', (f) => {
    const entry = S.messages.get(String(f.messageId));
    if (entry) { entry.item.delivered = true; renderItem(entry); } else S.earlyDelivered.add(String(f.messageId));
  });
  im.on('read', (f) => {
    // 199: the agent read up to messageId (or it is my own read on another device)
    if (f.userId === S.me) return;
    if (idCmp(f.messageId, S.readMark) > 0) S.readMark = String(f.messageId);
    for (const entry of S.messages.values()) if (entry.item.userId === S.me) renderItem(entry);
  });
}

/** Why the first connect failed, in words (session.js errors: the sign endpoint, the parent page, the socket). */
function connectWords(e) {
  const why = e && e.message ? e.message : String(e);
  if (/HTTP (401|403)\b/.test(why) || /log in/.test(why)) return 'Please log in on this site first, then open the chat again.';
  if (e instanceof TypeError) return 'We could not reach this site\'s sign-in service. Please try again in a moment.';
  if (/did not answer/.test(why)) return 'The page around this chat did not answer. Please reload the page.';
  return `We could not connect you to customer service (${why}).`;
}

let connecting = false;
async function connect(userId) {
  if (connecting) return;
  connecting = true;
  hideError();
  show('loading');
  setSubtitle('Connecting…');
  $('view-loading').querySelector('p').textContent = 'Connecting…';
  try {
    const { im, sign } = await openSession({ role: 'user', cfg: S.cfg, userId });
    S.im = im;
    S.me = sign.userId;
    S.kicked = false;
    wireClient(im);
    setupCall();
    S.connectedOnce = true;
    await resync();
  } catch (e) {
    showError(connectWords(e), () => connect(userId));
    setSubtitle('Not connected');
    $('view-loading').querySelector('p').textContent = 'Not connected.';
  } finally {
    connecting = false;
  }
}

function reconnect() {
  if (S.im) {
    S.kicked = false;
    S.im.connect().catch((e) => showError(words(e), () => reconnect()));
  } else {
    start();
  }
}

function guestId() {
  let id = null;
  try { id = sessionStorage.getItem(GUEST_KEY); } catch { /* storage blocked in a third-party frame */ }
  if (!id) {
    id = `guest-${Math.random().toString(36).slice(2, 6)}`;
    try { sessionStorage.setItem(GUEST_KEY, id); } catch { /* fine */ }
  }
  return id;
}

function wireUi() {
  $('identify-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('identify-name');
    const v = input.value.trim() || guestId();
    if (!ID_PATTERN.test(v)) {
      input.setAttribute('aria-invalid', 'true');
      showError('Please use only letters, digits and _ . @ : - (at most 64).');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    try { sessionStorage.setItem(GUEST_KEY, v); } catch { /* fine */ }
    connect(v);
  });
  $('talk').addEventListener('click', (e) => run(e.currentTarget, async () => {
    try {
      await talk();
    } catch (err) {
      if (S.view === 'waiting') toStart();
      throw err;
    }
  }));
  $('leave-open').addEventListener('click', () => toLeave());
  $('cancel').addEventListener('click', (e) => run(e.currentTarget, async () => {
    await S.im.leave();
    toStart();
    announce('You left the line.');
  }));
  $('end-chat').addEventListener('click', (e) => run(e.currentTarget, () => S.im.leave())); // 560 left follows
  $('start-video').addEventListener('click', (e) => run(e.currentTarget, () => S.call.start(S.agent)));
  $('accept-call').addEventListener('click', (e) => run(e.currentTarget, () => S.call.accept()));
  $('reject-call').addEventListener('click', (e) => run(e.currentTarget, () => S.call.reject()));
  $('hang-up').addEventListener('click', (e) => run(e.currentTarget, () => S.call.hangUp()));
  $('restart').addEventListener('click', () => { clearMessages(); toStart(); });
  $('left-done').addEventListener('click', () => toStart());
  $('leave-back').addEventListener('click', () => toStart());

  const input = $('message-input');
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text || !S.agent) return;
    input.value = '';
    hideError();
    send(text);
  });

  const leaveText = $('leave-text');
  leaveText.addEventListener('input', () => { $('leave-count').textContent = `${leaveText.value.length} / ${LEAVE_MAX_CHARS}`; });
  $('leave-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = leaveText.value.trim();
    if (!text) {
      leaveText.setAttribute('aria-invalid', 'true');
      showError('Please write your message first.');
      leaveText.focus();
      return;
    }
    leaveText.removeAttribute('aria-invalid');
    const button = e.submitter || null;
    run(button, async () => {
      hideError();
      try {
        await S.im.leaveMessage(text, QUEUE);
      } catch (err) {
        const text = LEAVE_ERROR_WORDS[err.code];
        if (text) err.userText = text;
        throw err;
      }
      leaveText.value = '';
      $('leave-count').textContent = `0 / ${LEAVE_MAX_CHARS}`;
      setSubtitle('Message sent');
      show('left');
      announce('Your message was sent. An agent will answer you here.');
    });
  });

  document.addEventListener('visibilitychange', markRead);
  window.addEventListener('focus', markRead);

  if (EMBEDDED) {
    const close = $('close');
    close.hidden = false;
    close.addEventListener('click', () => window.parent.postMessage({ type: 'seedim:close' }, '*'));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') window.parent.postMessage({ type: 'seedim:close' }, '*');
    });
    // embed.js tells whether its panel is open (a closed panel's messages are not read yet)
    window.addEventListener('message', (e) => {
      if (e.source !== window.parent || !e.data || e.data.type !== 'seedim:panel') return;
      S.panelOpen = !!e.data.open;
      if (S.panelOpen) markRead();
    });
  }
}

async function start() {
  try {
    S.cfg = await deskConfig();
  } catch (e) {
    showError('Customer service is not reachable right now. Please try again later.', start);
    setSubtitle('Not connected');
    return;
  }
  if (S.cfg.devSign) {
    setSubtitle('Dev mode');
    $('identify-name').value = guestId();
    show('identify');
    return;
  }
  connect(undefined);
}

wireUi();
start();
// for tests and debugging: the widget's state (read-only use)
window.seedimWidget = S;
