// SeedIM protocol console: connect as anyone with a dev sign, send raw frames, watch every frame both ways.
import { ImClient, MsgType, RELIABLE_PUSHES, REPLY_OF, devSign, devChatSign } from './im-client.js';

const $ = (id) => document.getElementById(id);
const NAMES = Object.fromEntries(Object.entries(MsgType).map(([k, v]) => [v, k.toLowerCase().replace(/_/g, ' ')]));
let im = null;

/** A valid example of every client→server msgType (PROTOCOL.md §2–§6). `peer` fills the *UserId fields. */
const TEMPLATES = (peer) => [
  [20, 'heartbeat', { msgType: 20 }],
  [31, 'ack a reliable push', { msgType: 31, unique: '<the push unique>' }],
  [101, 'online status', { msgType: 101, userIds: [peer] }],
  [102, 'unread messages', { msgType: 102, receiveUserId: peer }],
  [130, 'send a chat message (add a chat sign first)', { msgType: 130, receiveUserId: peer, message: 'hello', contentType: 'text', receiveSign: '', timestamp: 0 }],
  [141, 'ack a 140 push', { msgType: 141, messageIds: ['<messageId>'] }],
  [160, 'view a peer (read all)', { msgType: 160, receiveUserId: peer }],
  [161, 'history page', { msgType: 161, sender: peer, pageIndex: 1, pageSize: 20 }],
  [180, 'unread total', { msgType: 180 }],
  [190, 'retract', { msgType: 190, messageId: '<messageId>', receiveUserId: peer }],
  [198, 'read up to a message', { msgType: 198, messageId: '<messageId>', receiveUserId: peer }],
  [251, 'logout', { msgType: 251 }],
  [300, 'request video (offer)', { msgType: 300, message: JSON.stringify({ type: 'offer', sdp: 'v=0\r\n...' }) }],
  [310, 'accept (answer)', { msgType: 310, callId: '<callId>', message: JSON.stringify({ type: 'answer', sdp: 'v=0\r\n...' }) }],
  [320, 'reject', { msgType: 320, callId: '<callId>' }],
  [330, 'hang up', { msgType: 330, callId: '<callId>' }],
  [340, 'caller candidate', { msgType: 340, callId: '<callId>', message: JSON.stringify({ candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 }) }],
  [342, 'callee candidate', { msgType: 342, callId: '<callId>', message: JSON.stringify({ candidate: null }) }],
  [400, 'enter queue (customer)', { msgType: 400, queueId: 'default' }],
  [401, 'take next (agent)', { msgType: 401, queueId: 'default' }],
  [420, 'leave queue / room', { msgType: 420 }],
  [430, 'queue info', { msgType: 430, queueId: 'default' }],
  [540, 'all rooms (agent, admin)', { msgType: 540, pageIndex: 1, pageSize: 20 }],
  [550, 'room info', { msgType: 550 }],
];

function fillTemplates() {
  const sel = $('c-template');
  const keep = sel.value;
  sel.replaceChildren(...TEMPLATES('bob').map(([t, label]) => {
    const o = document.createElement('option');
    o.value = String(t);
    o.textContent = `${t} · ${label}`;
    return o;
  }));
  if (keep) sel.value = keep;
}

function loadTemplate() {
  const peer = $('c-user').value === 'bob' ? 'alice' : 'bob';
  const [t, , frame] = TEMPLATES(peer).find(([x]) => String(x) === $('c-template').value);
  const f = { ...frame };
  if (t !== 31 && t !== 141) f.unique = im ? im.nextUnique() : `u-${Date.now()}`;
  $('c-frame').value = JSON.stringify(f, null, 2);
  const reply = REPLY_OF[t];
  $('c-hint').textContent = t === 31 || t === 141 ? 'no answer' : reply && t !== 20 ? `answer: 30, then ${reply}` : t === 20 ? 'answer: 21' : 'answer: 30 (or 10)';
}

function edit(fn) {
  try {
    const f = JSON.parse($('c-frame').value);
    fn(f);
    $('c-frame').value = JSON.stringify(f, null, 2);
  } catch (e) {
    $('c-error').textContent = `the frame is not JSON: ${e.message}`;
  }
}

$('c-template').addEventListener('change', loadTemplate);
$('c-unique').addEventListener('click', () => edit((f) => { f.unique = im ? im.nextUnique() : `u-${Date.now()}`; }));
$('c-chatsign').addEventListener('click', async () => {
  let peer;
  edit((f) => { peer = f.receiveUserId; });
  if (!peer) { $('c-error').textContent = 'the frame has no receiveUserId'; return; }
  try {
    const s = await devChatSign({ appId: $('c-app').value, userId: $('c-user').value, receiveUserId: peer });
    edit((f) => { f.receiveSign = s.receiveSign; f.timestamp = s.timestamp; });
  } catch (e) { $('c-error').textContent = e.message; }
});

// ---- the log

function label(f, dir) {
  const t = Number(f.msgType);
  const name = NAMES[t] || (f._raw !== undefined ? 'raw text' : 'unknown');
  if (dir === 'out') {
    if (f._raw !== undefined) return ['request', 'raw text'];
    if (t === 31 || t === 141) return ['ack', `ack ${t}`];
    if (t === 20) return ['heartbeat', 'heartbeat 20'];
    return ['request', `${t} ${name}`];
  }
  if (t === 21) return ['heartbeat', 'heartbeat reply 21'];
  if (t === 30) return ['reply', `ack 30 (for ${f.receiveMsgType})`];
  if (t === 10) return ['error', `error 10 ${f.code || ''}`];
  if (f._kind === 'duplicate') return ['duplicate', `duplicate ${t} ${name} (resent)`];
  if (f._kind === 'reply') return ['reply', `reply ${t} ${name}`];
  return ['push', `push ${t} ${name}${RELIABLE_PUSHES.has(t) ? ' · reliable' : ''}`];
}

function log(f, dir) {
  const [kind, text] = label(f, dir);
  const li = document.createElement('li');
  li.className = `${dir} ${kind}`;
  li.dataset.kind = kind;
  li.dataset.dir = dir;
  li.dataset.msgType = String(f.msgType ?? '');
  li.dataset.testid = 'frame';
  li.setAttribute('data-testid', 'frame');
  const { _kind, ...clean } = f;
  const cells = [new Date().toLocaleTimeString([], { hour12: false }), dir === 'out' ? '→' : '←', null, JSON.stringify(clean._raw !== undefined ? clean._raw : clean)];
  cells.forEach((c, i) => {
    const span = document.createElement('span');
    span.className = ['time', 'dir', 'label', 'json'][i];
    if (i === 2) { const b = document.createElement('b'); b.textContent = text; span.append(b); } else span.textContent = c;
    li.append(span);
  });
  applyFilter(li);
  const box = $('c-log');
  const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 30;
  box.append(li);
  while (box.children.length > 2000) box.firstChild.remove();
  if (atEnd) box.scrollTop = box.scrollHeight;
}

function applyFilter(li) {
  li.hidden = ($('c-hide-hb').checked && li.dataset.kind === 'heartbeat') || ($('c-hide-acks').checked && li.dataset.kind === 'ack');
}
for (const id of ['c-hide-hb', 'c-hide-acks']) $(id).addEventListener('change', () => [...$('c-log').children].forEach(applyFilter));
$('c-clear').addEventListener('click', () => $('c-log').replaceChildren());

// ---- connect / send

function setState(s) {
  $('conn-state').textContent = s;
  $('conn-state').className = `badge ${s}`;
  $('conn-state').dataset.state = s;
  $('c-send').disabled = s !== 'open';
  $('c-connect').disabled = s === 'open' || s === 'connecting';
  $('c-disconnect').disabled = !im;
}

$('connect').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('c-error').textContent = '';
  if (im) im.close();
  const o = { appId: $('c-app').value.trim(), userId: $('c-user').value.trim(), deviceId: $('c-device').value.trim(), role: $('c-role').value };
  try {
    const first = await devSign(o);
    let sign = first;
    const client = new ImClient({
      url: async () => { const s = sign || await devSign(o); sign = null; return s.url; },
      heartbeatSeconds: $('c-heartbeat').checked ? first.heartbeatSeconds || 30 : 0,
      autoAck: $('c-autoack').checked,
    });
    im = client;
    client.on('state', ({ state }) => { if (im === client) setState(state); });
    client.on('frame:in', (f) => log(f, 'in'));
    client.on('frame:out', (f) => log(f, 'out'));
    client.on('refused', (r) => { $('c-error').textContent = `handshake refused: HTTP ${r.status} ${JSON.stringify(r.body)}`; });
    client.on('close', (c) => { if (im === client && !c.willReconnect) { im = null; setState('closed'); } });
    await client.connect();
    loadTemplate();
  } catch (err) {
    $('c-error').textContent = err.message || String(err);
  }
});

$('c-disconnect').addEventListener('click', () => { im?.close(); });

$('c-send').addEventListener('click', async () => {
  $('c-error').textContent = '';
  const text = $('c-frame').value;
  let f;
  try { f = JSON.parse(text); } catch { f = null; }
  if (!f || typeof f !== 'object' || f.unique === undefined || Number(f.msgType) === 31 || Number(f.msgType) === 141) {
    im.sendRawText(f ? JSON.stringify(f) : text); // answers (if any) show up in the log as they come
    return;
  }
  try {
    await im.request(f); // correlated by unique: the log labels the answers as replies
  } catch (err) {
    $('c-error').textContent = `${err.code}: ${err.message}`;
  }
});

fillTemplates();
$('c-template').value = '130';
loadTemplate();
setState('offline');
