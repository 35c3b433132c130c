// SeedIM supervisor view (protocol.md §14.7): a read-only snapshot of the app's desk — queues (waiters and their
// wait, agents available, left messages), agents (availability, connected, rooms) and open rooms — from a 670 every
// two seconds on an admin connection. Not an admin → FORBIDDEN, said in words; a server without 670 → "not
// available on this server". All user text is rendered with textContent (desk-ui.js el()).
import { deskConfig, openSession } from './session.js';
import { $, el, fmtDuration, errorText, notOffered, absent, deskRequest, askUserId, showConnState } from './desk-ui.js';

/** How often the view asks for a new snapshot (§14.7: every two seconds). */
const POLL_MS = 2000;
/** A snapshot older than this is marked stale. */
const STALE_MS = 3 * POLL_MS;
const STATUS_WORDS = { available: 'Available', away: 'Away', offline: 'Offline' };
const CALL_WORDS = { idle: 'no call', ringing: 'ringing', active: 'in a call' };

/** What the page knows; window.deskSupervisor for debugging and the e2e tests. */
const S = { im: null, me: null, last: null, lastAt: 0, timer: null, paused: false, stopped: false, polls: 0 };
window.deskSupervisor = S;

async function main() {
  let cfg;
  try {
    cfg = await deskConfig();
  } catch (e) {
    problem(`The supervisor view cannot start: ${e.message}`);
    return;
  }
  let userId;
  if (cfg.devSign) userId = await askUserId($('login-form'), $('login-user'), 'seedim.desk.admin');
  let session;
  try {
    session = await openSession({ role: 'admin', cfg, userId, onState: ({ state }) => showConnState($('conn-state'), state) });
  } catch (e) {
    problem(`Could not connect: ${e.message}`);
    return;
  }
  S.im = session.im;
  S.me = session.sign.userId;
  $('whoami').textContent = `${S.me}${session.sign.role && session.sign.role !== 'admin' ? ` (${session.sign.role})` : ''}`;
  showConnState($('conn-state'), S.im.state);
  S.im.on('open', () => { if (!S.stopped) schedule(0); });
  S.im.on('kicked', () => { stop(); problem('This connection was replaced or signed out.'); });
  $('view').hidden = false;
  schedule(0);
}

function problem(text) {
  $('problem').textContent = text || '';
  $('problem').hidden = !text;
}

function stop() {
  S.stopped = true;
  clearTimeout(S.timer);
}

function schedule(ms) {
  clearTimeout(S.timer);
  S.timer = setTimeout(poll, ms);
}

async function poll() {
  if (S.stopped || S.paused || !S.im) return;
  if (S.im.state !== 'open') { schedule(POLL_MS); return; }
  S.polls += 1;
  try {
    const f = await deskRequest(S.im, { msgType: 670 });
    problem('');
    render(f);
  } catch (e) {
    if (e.code === 'FORBIDDEN') {
      stop();
      $('view').hidden = true;
      $('view').dataset.forbidden = 'true';
      problem(`${S.me} is not an administrator: the supervisor view needs a connection with the role admin. Sign in as an administrator.`);
      document.body.dataset.problem = 'forbidden';
      return;
    }
    if (absent(e)) {
      stop();
      problem('The supervisor view is not available on this server (it does not answer 670 SUPERVISOR_VIEW).');
      document.body.dataset.problem = 'unavailable';
      $('retry-box').hidden = false;
      return;
    }
    if (notOffered(e)) problem('The server did not answer the last snapshot (not available on this server?): trying again.');
    else if (e.code !== 'DISCONNECTED' && e.code !== 'NOT_CONNECTED') problem(errorText(e, 'Snapshot'));
  }
  renderUpdated();
  schedule(POLL_MS);
}

$('retry').addEventListener('click', () => {
  $('retry-box').hidden = true;
  problem('');
  delete document.body.dataset.problem;
  S.stopped = false;
  schedule(0);
});

$('pause').addEventListener('click', () => {
  S.paused = !S.paused;
  $('pause').textContent = S.paused ? 'Resume' : 'Pause';
  $('pause').setAttribute('aria-pressed', String(S.paused));
  if (!S.paused) schedule(0);
  renderUpdated();
});

function renderUpdated() {
  const u = $('updated');
  if (!S.lastAt) { u.textContent = 'never updated'; return; }
  const stale = Date.now() - S.lastAt > STALE_MS;
  u.textContent = `${S.paused ? 'paused · ' : ''}updated ${new Date(S.lastAt).toLocaleTimeString()}${stale && !S.paused ? ' (stale)' : ''}`;
  u.dataset.stale = String(stale);
}
setInterval(renderUpdated, 1000);

function render(f) {
  S.last = f;
  S.lastAt = Date.now();
  const now = Number(f.timestamp) || Date.now(); // the server's clock: ages do not depend on this machine's
  const queues = f.queues || [];
  const agents = f.agents || [];
  const rooms = f.rooms || [];

  $('queues-count').textContent = String(queues.length);
  $('queues-empty').hidden = queues.length > 0;
  $('queues-body').replaceChildren(...queues.map((q) => {
    const waiting = q.waiting || [];
    const longest = waiting.reduce((m, w) => Math.max(m, Number(w.waitSeconds) || 0), 0);
    return el('tr', { 'data-testid': `queue-${q.queueId}`, 'data-queue': q.queueId },
      el('th', { scope: 'row' }, q.queueId),
      el('td', { class: 'num', 'data-testid': 'wait-total' }, String(q.waitTotal ?? waiting.length)),
      el('td', { class: `num${longest >= 120 ? ' warn' : ''}` }, waiting.length ? fmtDuration(longest) : '–'),
      el('td', { class: `num${q.agentsAvailable === 0 && waiting.length ? ' bad' : ''}`, 'data-testid': 'agents-available' }, q.agentsAvailable ?? '–'),
      el('td', { class: 'num', 'data-testid': 'messages-waiting' }, q.messagesWaiting ?? '–'),
      el('td', { class: 'waiters' }, waiting.length
        ? el('ul', { class: 'chips' }, ...waiting.map((w) => el('li', { 'data-testid': `waiter-${w.userId}` }, `${w.userId} · ${fmtDuration(w.waitSeconds)}`)))
        : '–'));
  }));

  $('agents-count').textContent = String(agents.length);
  $('agents-empty').hidden = agents.length > 0;
  $('agents-body').replaceChildren(...agents.map((a) => el('tr', { 'data-testid': `agent-${a.userId}`, 'data-status': a.status, 'data-online': String(!!a.online) },
    el('th', { scope: 'row' }, a.userId),
    el('td', {}, el('span', { class: `status ${a.status}` }, STATUS_WORDS[a.status] || a.status)),
    el('td', {}, a.online ? 'yes' : 'no'),
    el('td', { 'data-testid': 'agent-rooms' }, (a.rooms || []).length ? `${a.rooms.length}: ${a.rooms.join(', ')}` : '0'))));

  $('rooms-count').textContent = String(rooms.length);
  $('rooms-empty').hidden = rooms.length > 0;
  $('rooms-body').replaceChildren(...rooms.map((r) => {
    const members = r.members || [];
    const customer = members.find((m) => m !== r.creator) || '';
    return el('tr', { 'data-testid': `room-${r.roomId}`, 'data-call': r.callState },
      el('th', { scope: 'row', class: 'mono' }, String(r.roomId)),
      el('td', {}, r.creator || ''),
      el('td', { 'data-testid': 'room-customer' }, customer),
      el('td', {}, r.queueId || ''),
      el('td', {}, el('span', { class: `call ${r.callState}` }, CALL_WORDS[r.callState] || r.callState || '')),
      el('td', { class: 'num' }, r.createdAt ? fmtDuration((now - Number(r.createdAt)) / 1000) : ''));
  }));
  renderUpdated();
}

main();
