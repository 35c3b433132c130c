/**
 * SeedIM JavaScript client: a small, dependency-free ES module speaking IM protocol 2.0 (PROTOCOL.md).
 *
 * It works in browsers and in Node ≥ 20 (pass the `ws` package as `WebSocket`). It handles the parts every
 * client needs and gets wrong: heartbeats, acks of reliable pushes, de-duplication, reconnects with backoff,
 * and request/response correlation by `unique`. The app only calls typed helpers and listens to events.
 *
 * @example
 * import { ImClient } from './im-client.js';
 * const im = new ImClient({
 *   url: async () => (await (await fetch('/dev/sign?userId=alice&deviceId=web')).json()).url,
 *   chatSign: async (peer) => (await fetch(`/dev/chat-sign?userId=alice&receiveUserId=${peer}`)).json(),
 * });
 * im.on('message', (m) => console.log(m.userId, 'says', m.message));
 * await im.connect();
 * const ack = await im.sendText('bob', 'hello');   // resolves on the 30: { messageId, sendTime, ... }
 *
 * @module im-client
 */

/** Message types (PROTOCOL.md). */
export const MsgType = Object.freeze({
  ERROR: 10, HEARTBEAT: 20, HEARTBEAT_REPLY: 21, RECEIVED: 30, ACK: 31, NOTICE: 99,
  ONLINE_STATUS: 101, UNREAD_MESSAGES: 102, SEND: 130, DELIVERED: 131, CHAT_SIGN_EXPIRED: 132,
  SENSITIVE_WORD: 133, PUSH: 140, PUSH_ACK: 141, VIEW_PEER: 160, HISTORY: 161, HISTORY_PAGE: 162,
  UNREAD_TOTAL: 180, RETRACT: 190, RETRACTED_SENDER: 191, RETRACTED_RECEIVER: 192, READ: 198,
  READ_NOTICE: 199, FRIEND_ONLINE: 200, FRIEND_OFFLINE: 210, LOGOUT: 251, LOGOUT_REPLY: 252,
  CALL_REQUEST: 300, CALL_INCOMING: 301, CALL_ACCEPT: 310, CALL_ACCEPTED: 311, CALL_REJECT: 320,
  CALL_ENDED: 321, CALL_HANGUP: 330, CALLER_CANDIDATE: 340, CALLER_CANDIDATE_RELAY: 341,
  CALLEE_CANDIDATE: 342, CALLEE_CANDIDATE_RELAY: 343, QUEUE_ENTER: 400, QUEUE_TAKE: 401,
  QUEUE_TAKEN: 402, QUEUE_POSITION: 410, QUEUE_LEAVE: 420, MEMBER_LEFT: 421, QUEUE_INFO: 430,
  QUEUE_INFO_REPLY: 431, ROOM_LIST: 540, ROOM_LIST_REPLY: 541, ROOM_INFO: 550, ROOM_INFO_REPLY: 551,
  ROOM_DISBANDED: 560, CONVERSATION_HEAD: 1170,
  // §14 desk extensions
  AGENT_STATUS: 600, AGENT_STATUS_REPLY: 601, ROOM_TRANSFER: 610, ROOM_TRANSFERRED: 611, QUEUE_TIMEOUT: 620,
  LEAVE_MESSAGE: 630, LEAVE_MESSAGE_REPLY: 631, MESSAGE_TAKE: 640, MESSAGE_TAKEN: 641, CUSTOMER_ROOMS: 650,
  CUSTOMER_ROOMS_REPLY: 651, ROOM_TRANSCRIPT: 652, ROOM_TRANSCRIPT_REPLY: 653, CALL_STATS: 660,
  SUPERVISOR_VIEW: 670, SUPERVISOR_VIEW_REPLY: 671,
});

/**
 * Event name of each server→client msgType (besides the numeric name, e.g. `im.on('140', ..)`).
 * @type {Readonly<Record<number, string>>}
 */
export const EVENT_NAMES = Object.freeze({
  10: 'error-frame', 99: 'notice', 101: 'presence', 131: 'delivered', 140: 'message', 162: 'history',
  191: 'retracted', 192: 'retracted', 199: 'read', 200: 'friend-online', 210: 'friend-offline',
  301: 'call-incoming', 311: 'call-accepted', 321: 'call-ended', 341: 'remote-candidate',
  343: 'remote-candidate', 402: 'taken', 410: 'queue-position', 421: 'member-left', 431: 'queue-info',
  551: 'room', 560: 'room-disbanded', 1170: 'conversation',
  601: 'agent-status', 611: 'room-transferred', 620: 'queue-timeout',
});

/** Pushes the server resends until acked (PROTOCOL.md §4); 140 is acked with 141, the rest with 31. */
export const RELIABLE_PUSHES = Object.freeze(new Set([140, 131, 191, 192, 199, 301, 311, 321, 341, 343, 402, 421, 551, 560, 611, 620]));

/** The reply msgType of each client request that has one (the others resolve on their 30). */
export const REPLY_OF = Object.freeze({
  20: 21, 101: 101, 102: 102, 161: 162, 180: 180, 251: 252, 401: 402, 430: 431, 540: 541, 550: 551,
  600: 601, 630: 631, 640: 641, 650: 651, 652: 653, 670: 671,
});

/** Client frames that get no answer at all. */
const NO_ANSWER = new Set([31, 141]);

/** Connection states, in the order a connection usually passes them. */
export const State = Object.freeze({ IDLE: 'idle', CONNECTING: 'connecting', OPEN: 'open', RECONNECTING: 'reconnecting', CLOSED: 'closed' });

/**
 * The error a request promise rejects with.
 * `code` is a PROTOCOL.md §3 code (`INVALID_FIELD`, `NOT_FOUND`, `MESSAGE_REJECTED`, …), `CHAT_SIGN_EXPIRED` (132),
 * `SENSITIVE_WORD` (133), or a client-side code: `TIMEOUT`, `DISCONNECTED`, `NOT_CONNECTED`.
 */
export class ImError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {object} [frame] the server frame that caused it (10, 132 or 133), if any
   */
  constructor(code, message, frame) {
    super(message || code);
    this.name = 'ImError';
    /** @type {string} */
    this.code = code;
    /** @type {object|undefined} */
    this.frame = frame;
  }
}

/** A bounded set remembering the most recent keys (for de-duplication). */
class RecentSet {
  constructor(max) { this.max = max; this.set = new Set(); }
  has(k) { return this.set.has(k); }
  add(k) {
    if (this.set.has(k)) return;
    this.set.add(k);
    if (this.set.size > this.max) this.set.delete(this.set.values().next().value);
  }
}

/** A tiny event emitter (works the same in browsers and Node). */
export class Emitter {
  constructor() { /** @private */ this._l = new Map(); }
  /**
   * Listens to an event. Returns a function that removes the listener.
   * @param {string|number} event
   * @param {(payload: any) => void} fn
   * @returns {() => void}
   */
  on(event, fn) {
    const k = String(event);
    if (!this._l.has(k)) this._l.set(k, new Set());
    this._l.get(k).add(fn);
    return () => this.off(k, fn);
  }
  /** @param {string|number} event @param {(payload: any) => void} fn */
  off(event, fn) { this._l.get(String(event))?.delete(fn); }
  /**
   * Resolves with the next payload of `event` (optionally the next one matching `filter`).
   * @param {string|number} event
   * @param {(payload: any) => boolean} [filter]
   * @param {number} [timeoutMs] reject after this long (default: never)
   * @returns {Promise<any>}
   */
  once(event, filter, timeoutMs) {
    return new Promise((resolve, reject) => {
      let timer;
      const off = this.on(event, (p) => {
        if (filter && !filter(p)) return;
        off(); clearTimeout(timer); resolve(p);
      });
      if (timeoutMs) timer = setTimeout(() => { off(); reject(new ImError('TIMEOUT', `no ${event} within ${timeoutMs} ms`)); }, timeoutMs);
    });
  }
  /** @protected */
  emit(event, payload) {
    for (const fn of [...(this._l.get(String(event)) || [])]) {
      try { fn(payload); } catch (e) { setTimeout(() => { throw e; }); }
    }
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const randomId = () => {
  const c = globalThis.crypto;
  if (c?.getRandomValues) return Array.from(c.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('');
  return Math.random().toString(16).slice(2, 14);
};
const asSignal = (m) => (typeof m === 'string' ? m : JSON.stringify(m));

/**
 * @typedef {object} ImClientOptions
 * @property {string | (() => string | Promise<string>)} url The signed WebSocket URL (`url` of `/api/v1/sign`
 *   or `/dev/sign`), or a function returning a fresh one. Use a function for long sessions: a sign expires
 *   after the app's `signTtlSeconds` (default 300 s) and reconnects need a valid one.
 * @property {number} [heartbeatSeconds=30] How often to send 20 (use the sign answer's `heartbeatSeconds`);
 *   0 disables heartbeats (and the dead-link check).
 * @property {(receiveUserId: string) => Promise<{receiveSign: string, timestamp: number}>} [chatSign]
 *   Fetches a chat permission (`POST /api/v1/chat-sign` through your business server). When set,
 *   {@link ImClient#sendMessage} attaches it and retries once after a 132.
 * @property {boolean} [reconnect=true] Reconnect automatically after an unexpected close.
 * @property {number} [reconnectBaseMs=1000] First backoff delay; doubles per failed attempt.
 * @property {number} [reconnectMaxMs=30000] Backoff cap.
 * @property {number} [requestTimeoutMs=15000] A request without an answer within this rejects with `TIMEOUT`.
 * @property {typeof WebSocket} [WebSocket] WebSocket implementation (default `globalThis.WebSocket`; in Node pass `ws`).
 * @property {number} [ackBatchMs=20] 141 acks are batched (up to 200 ids) for this long.
 * @property {boolean} [autoAck=true] Ack reliable pushes automatically (31 / 141). Turn off only to watch the
 *   server resend them (the protocol console does); the app must then ack them itself.
 */

/**
 * An IM connection. Events (listen with `on(name, fn)`):
 * - `state` (`{state, previous}`), `open`, `close` (`{code, reason, willReconnect, delayMs}`),
 *   `refused` (`{status, body}` — the handshake was refused; see PROTOCOL.md §2), `kicked` (the 99 frame
 *   or `{code: 4001}`: REPLACED or KICKED, no automatic reconnect);
 * - `frame:in` / `frame:out` (every frame, raw, including acks and duplicates; `frame:in` payloads carry
 *   `_kind`: `reply`, `push`, `duplicate`);
 * - `push` (every non-duplicate push) and, per msgType, its number (`'140'`) and its name from
 *   {@link EVENT_NAMES} (`'message'`, `'delivered'`, `'read'`, `'retracted'`, `'conversation'`,
 *   `'queue-position'`, `'call-incoming'`, `'remote-candidate'`, `'room'`, `'room-disbanded'`, …).
 * Replies to this client's own requests resolve the request promise and are emitted only as `frame:in`.
 */
export class ImClient extends Emitter {
  /** @param {ImClientOptions} options */
  constructor(options) {
    super();
    if (!options || !options.url) throw new TypeError('ImClient: options.url is required');
    /** @private */ this.opts = {
      heartbeatSeconds: 30, reconnect: true, reconnectBaseMs: 1000, reconnectMaxMs: 30000,
      requestTimeoutMs: 15000, ackBatchMs: 20, autoAck: true, ...options,
    };
    /** @private */ this.WS = this.opts.WebSocket || globalThis.WebSocket;
    if (!this.WS) throw new TypeError('ImClient: no WebSocket implementation (in Node pass the `ws` package)');
    /** Current {@link State}. */
    this.state = State.IDLE;
    /** @type {WebSocket|null} */
    this.ws = null;
    /** @private */ this.prefix = `c${randomId()}`;
    /** @private */ this.seq = 0;
    /** @private @type {Map<string, {frame: object, ack?: object, resolve: Function, reject: Function, timer: any}>} */
    this.pending = new Map();
    /** @private */ this.seenUniques = new RecentSet(4096);
    /** @private */ this.seenMessageIds = new RecentSet(8192);
    /** @private */ this.attempt = 0;
    /** @private */ this.stopped = true;
    /** @private */ this.ackIds = [];
    /** @private */ this.ackTimer = null;
    /** @private */ this.signCache = new Map();
    /** The last 99 notice received, if any. */
    this.lastNotice = null;
    /**
     * STUN/TURN servers from the latest 551 (reply or push; PROTOCOL.md §9.1 "TURN"), minted for this user, for
     * `new RTCPeerConnection({iceServers: im.iceServers})`; `null` before any 551. TURN credentials are short-lived:
     * every 551 (each reconnect brings one) replaces them.
     * @type {Array<{urls: string[], username?: string, credential?: string}>|null}
     */
    this.iceServers = null;
  }

  // ---------------------------------------------------------------------------------------------------------
  // connection lifecycle

  /**
   * Opens the connection (and keeps it open: reconnects automatically until {@link ImClient#close},
   * {@link ImClient#logout}, a 99 REPLACED/KICKED or close code 4001).
   * @returns {Promise<void>} resolves once the socket is open; rejects if the first attempt fails
   *   (reconnect attempts continue in the background when `reconnect` is on and the refusal is not final).
   */
  connect() {
    if (this.ws && this.ws.readyState <= 1) return this.opening || Promise.resolve(); // already (being) opened
    clearTimeout(this.reconnectTimer);
    this.stopped = false;
    this.attempt = 0;
    this.opening = this.open();
    return this.opening;
  }

  /** @private */
  async open() {
    this.setState(this.attempt === 0 ? State.CONNECTING : State.RECONNECTING);
    let url;
    try {
      url = typeof this.opts.url === 'function' ? await this.opts.url() : this.opts.url;
    } catch (e) {
      this.scheduleReconnect(1006, `sign failed: ${e.message || e}`);
      throw new ImError('DISCONNECTED', `could not get a sign: ${e.message || e}`);
    }
    if (this.stopped) throw new ImError('DISCONNECTED', 'closed');
    return new Promise((resolve, reject) => {
      let opened = false;
      const ws = new this.WS(url);
      this.ws = ws;
      ws.onopen = () => {
        if (this.ws !== ws) return;
        opened = true;
        this.openedAt = Date.now();
        this.lastInbound = Date.now();
        this.setState(State.OPEN);
        this.startHeartbeat();
        this.emit('open', { url });
        resolve();
      };
      ws.onmessage = (ev) => { if (this.ws === ws) this.onData(ev.data); };
      ws.onerror = () => {};
      ws.onclose = async (ev) => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.stopHeartbeat();
        this.failPending('DISCONNECTED', `connection closed (${ev.code})`);
        let final = false;
        if (!opened) {
          const why = await this.diagnose(url);
          if (why) {
            this.emit('refused', why);
            // 400/403 never heal by retrying; a 401 only heals with a fresh sign (a url function)
            final = why.status === 400 || why.status === 403 || (why.status === 401 && typeof this.opts.url !== 'function');
          }
          if (!final) this.scheduleReconnect(ev.code, ev.reason);
          else this.finish(ev.code, ev.reason);
          reject(new ImError('DISCONNECTED', why ? `handshake refused: ${why.status} ${why.body?.code || ''}` : `connection failed (${ev.code})`));
          return;
        }
        this.onClosed(ev.code, ev.reason);
      };
    });
  }

  /**
   * A browser cannot read a refused handshake; a plain GET of the same URL answers its status and body
   * (PROTOCOL.md §2: 426 means the URL would have been accepted).
   * @private
   */
  async diagnose(url) {
    if (typeof fetch !== 'function') return null;
    try {
      const res = await fetch(url.replace(/^ws/, 'http'));
      let body = null;
      try { body = await res.json(); } catch { /* no body */ }
      return res.status === 426 ? null : { status: res.status, body };
    } catch {
      return null;
    }
  }

  /** @private */
  onClosed(code, reason) {
    // the backoff starts over only after a connection that lived a while: a server that accepts and drops
    // at once must not be hammered
    if (Date.now() - this.openedAt > 5000) this.attempt = 0;
    const notice = this.lastNotice;
    const kicked = code === 4001 || (notice && (notice.code === 'REPLACED' || notice.code === 'KICKED'));
    if (kicked) {
      this.emit('kicked', notice || { code: 4001 });
      this.finish(code, reason);
      return;
    }
    if (this.stopped || !this.opts.reconnect) {
      this.finish(code, reason);
      return;
    }
    const retry = notice && notice.code === 'SHUTDOWN' && Number(notice.retryAfterMs) > 0 ? Number(notice.retryAfterMs) : undefined;
    this.scheduleReconnect(code, reason, retry);
  }

  /** @private */
  finish(code, reason) {
    this.stopped = true;
    if (this.state === State.CLOSED) return;
    this.setState(State.CLOSED);
    this.emit('close', { code, reason, willReconnect: false });
  }

  /** @private */
  scheduleReconnect(code, reason, delayMs) {
    if (this.stopped || !this.opts.reconnect) {
      this.finish(code, reason);
      return;
    }
    this.attempt += 1;
    if (delayMs === undefined) {
      // exponential backoff with "equal jitter": half fixed, half random
      const cap = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectBaseMs * 2 ** (this.attempt - 1));
      delayMs = cap / 2 + Math.random() * cap / 2;
    }
    this.lastNotice = null;
    this.setState(State.RECONNECTING);
    this.emit('close', { code, reason, willReconnect: true, delayMs });
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (!this.stopped) this.open().catch(() => { /* the next attempt is already scheduled */ });
    }, delayMs);
  }

  /**
   * Closes the connection without reconnecting (a 251 {@link ImClient#logout} also tells the server the
   * user left on purpose, updating presence at once).
   * @param {number} [code=1000]
   */
  close(code = 1000) {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    if (ws) {
      ws.close(code);
    } else if (this.state !== State.CLOSED) {
      this.finish(code, 'closed by client');
    }
  }

  /** @private */
  setState(state) {
    if (state === this.state) return;
    const previous = this.state;
    this.state = state;
    this.emit('state', { state, previous });
  }

  /** @private */
  startHeartbeat() {
    this.stopHeartbeat();
    const seconds = Number(this.opts.heartbeatSeconds);
    if (seconds === 0) return; // disabled (the server closes idle sockets after idleTimeoutSeconds)
    const periodMs = Math.min(Math.max(1, seconds || 30), 86400) * 1000;
    this.hbTimer = setInterval(() => {
      if (!this.ws || this.state !== State.OPEN) return;
      // nothing heard for three periods (not even a 21): the link is dead even if TCP has not noticed
      if (Date.now() - this.lastInbound > 3 * periodMs) {
        this.ws.close(4000, 'heartbeat timeout');
        return;
      }
      this.heartbeat().catch(() => {});
    }, periodMs);
  }

  /** @private */
  stopHeartbeat() { clearInterval(this.hbTimer); this.hbTimer = null; }

  // ---------------------------------------------------------------------------------------------------------
  // frames in

  /** @private */
  onData(data) {
    this.lastInbound = Date.now();
    let f;
    try {
      f = JSON.parse(typeof data === 'string' ? data : new TextDecoder().decode(data));
    } catch {
      return;
    }
    if (!f || typeof f !== 'object') return;
    const t = Number(f.msgType);
    if (t === MsgType.ROOM_INFO_REPLY && Array.isArray(f.iceServers)) this.iceServers = f.iceServers;
    const p = f.unique !== undefined ? this.pending.get(String(f.unique)) : undefined;
    if (p && this.isAnswer(t, p)) {
      this.emit('frame:in', { ...f, _kind: 'reply' });
      this.answer(t, f, p);
      return;
    }
    // a push: ack reliable ones, drop duplicates
    let duplicate = false;
    if (t === MsgType.PUSH) {
      const id = f.messageId !== undefined ? String(f.messageId) : null;
      duplicate = id !== null && this.seenMessageIds.has(id);
      if (id !== null) { this.seenMessageIds.add(id); if (this.opts.autoAck) this.queueAck(id); }
    } else if (f.unique !== undefined && f.unique !== null) {
      const u = String(f.unique);
      duplicate = this.seenUniques.has(u);
      this.seenUniques.add(u);
      if (RELIABLE_PUSHES.has(t) && this.opts.autoAck) this.sendRaw({ msgType: MsgType.ACK, unique: u });
    }
    this.emit('frame:in', { ...f, _kind: duplicate ? 'duplicate' : 'push' });
    if (duplicate) return;
    if (t === MsgType.NOTICE) this.lastNotice = f;
    this.emit('push', f);
    this.emit(String(t), f);
    if (EVENT_NAMES[t]) this.emit(EVENT_NAMES[t], f);
  }

  /** @private */
  isAnswer(t, p) {
    const req = Number(p.frame.msgType);
    return t === MsgType.RECEIVED || t === MsgType.ERROR || t === REPLY_OF[req] ||
      (req === MsgType.SEND && (t === MsgType.CHAT_SIGN_EXPIRED || t === MsgType.SENSITIVE_WORD));
  }

  /** @private */
  answer(t, f, p) {
    const u = String(f.unique);
    const req = Number(p.frame.msgType);
    const done = () => { clearTimeout(p.timer); this.pending.delete(u); };
    if (t === MsgType.ERROR) {
      done();
      p.reject(new ImError(f.code || 'INTERNAL', f.message || `error ${f.code}`, f));
    } else if (t === MsgType.CHAT_SIGN_EXPIRED) {
      done();
      p.reject(new ImError('CHAT_SIGN_EXPIRED', 'no valid chat permission for this receiver (132)', f));
    } else if (t === MsgType.SENSITIVE_WORD) {
      done();
      p.reject(new ImError('SENSITIVE_WORD', 'the message contains a sensitive word (133)', f));
    } else if (t === MsgType.RECEIVED && REPLY_OF[req]) {
      p.ack = f; // the reply follows
    } else {
      done();
      if (p.ack) Object.defineProperty(f, 'ack', { value: p.ack, enumerable: false });
      p.resolve(f);
    }
  }

  /** @private */
  queueAck(messageId) {
    this.ackIds.push(messageId);
    if (this.ackIds.length >= 200) { this.flushAcks(); return; }
    if (!this.ackTimer) this.ackTimer = setTimeout(() => this.flushAcks(), this.opts.ackBatchMs);
  }

  /** @private */
  flushAcks() {
    clearTimeout(this.ackTimer);
    this.ackTimer = null;
    const ids = this.ackIds.splice(0, 200);
    // a socket closing meanwhile is fine: unacked 140s stay undelivered and are replayed on the next connection
    if (ids.length) this.ackMessages(ids.length === 1 ? ids[0] : ids).catch(() => {});
    if (this.ackIds.length) this.flushAcks();
  }

  /** @private */
  failPending(code, message) {
    for (const [u, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(u);
      p.reject(new ImError(code, message));
    }
    this.ackIds = [];
    clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }

  // ---------------------------------------------------------------------------------------------------------
  // frames out

  /** A fresh client `unique` (unique per client instance; distinct from server uniques). */
  nextUnique() { return `${this.prefix}-${++this.seq}`; }

  /**
   * Sends a frame as is (no `unique` added, no answer awaited). Returns false when not connected.
   * @param {object} frame
   * @returns {boolean}
   */
  sendRaw(frame) {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(frame));
    this.emit('frame:out', frame);
    return true;
  }

  /**
   * Sends text as is, even if it is not valid JSON (for protocol experiments). Returns false when not connected.
   * @param {string} text
   * @returns {boolean}
   */
  sendRawText(text) {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    ws.send(text);
    let f;
    try { f = JSON.parse(text); } catch { f = { _raw: text }; }
    this.emit('frame:out', f);
    return true;
  }

  /**
   * Sends a client frame and resolves with its answer: the reply frame for types that have one
   * ({@link REPLY_OF}; its 30 is on the non-enumerable `ack` property), else the 30 (for 130 it carries
   * `messageId` and `sendTime`). Rejects with an {@link ImError} on 10, 132, 133, a timeout or a disconnect.
   * A `unique` is added unless given; reuse a frame's `unique` to retry it safely (PROTOCOL.md §4).
   * 31 and 141 get no answer: they resolve once written.
   * @param {object} frame e.g. `{msgType: 430, queueId: 'default'}`
   * @param {{timeoutMs?: number}} [options]
   * @returns {Promise<object>}
   */
  request(frame, options = {}) {
    const t = Number(frame.msgType);
    if (NO_ANSWER.has(t)) {
      return this.sendRaw(frame) ? Promise.resolve(frame) : Promise.reject(new ImError('NOT_CONNECTED', 'not connected'));
    }
    const f = { ...frame, unique: frame.unique !== undefined ? String(frame.unique) : this.nextUnique() };
    return new Promise((resolve, reject) => {
      if (this.pending.has(f.unique)) {
        reject(new ImError('INVALID_STATE', `a request with unique ${f.unique} is already pending`));
        return;
      }
      if (!this.ws || this.ws.readyState !== 1) {
        reject(new ImError('NOT_CONNECTED', 'not connected'));
        return;
      }
      const timeoutMs = options.timeoutMs ?? this.opts.requestTimeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(f.unique);
        reject(new ImError('TIMEOUT', `no answer to ${t} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(f.unique, { frame: f, resolve, reject, timer });
      this.sendRaw(f);
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // typed helpers, one per client→server msgType

  /** 20: heartbeat (sent automatically every `heartbeatSeconds`). Resolves with the 21. */
  heartbeat() { return this.request({ msgType: MsgType.HEARTBEAT }); }

  /** 31: acknowledges a reliable push by its `unique` (done automatically). @param {string} unique */
  ack(unique) { return this.request({ msgType: MsgType.ACK, unique }); }

  /**
   * 101: online status. Resolves with the 101 reply `{statuses: {userId: boolean}}`.
   * @param {string|string[]} userIds one id (sent as `receiveUserId`) or up to 200 (`userIds`)
   */
  onlineStatus(userIds) {
    return this.request(Array.isArray(userIds) ? { msgType: 101, userIds } : { msgType: 101, receiveUserId: userIds });
  }

  /**
   * 102: the oldest 200 unread messages (optionally from one peer). Resolves with `{messages, total}`.
   * @param {string} [receiveUserId] peer filter
   */
  unreadMessages(receiveUserId) {
    return this.request(receiveUserId ? { msgType: 102, receiveUserId } : { msgType: 102 });
  }

  /**
   * 130: sends a chat message. Resolves with the 30 `{messageId, sendTime, ...}` once the message is stored.
   * Without `receiveSign`, the `chatSign` option (if any) provides one, refreshed and retried once after a 132.
   * Rejects with `CHAT_SIGN_EXPIRED` (132), `SENSITIVE_WORD` (133, `err.frame.words` when revealed),
   * `MESSAGE_REJECTED` (a 10: the app's own check refused it, nothing stored; `err.message` is its reason) or a §3 code.
   * @param {{receiveUserId: string, message: string, contentType?: string, receiveSign?: string,
   *   timestamp?: number, unique?: string}} m
   */
  async sendMessage(m) {
    const frame = { msgType: MsgType.SEND, contentType: 'text', ...m, unique: m.unique || this.nextUnique() };
    const provider = this.opts.chatSign;
    if (!frame.receiveSign && provider) Object.assign(frame, await this.chatSignFor(frame.receiveUserId, false));
    try {
      return await this.request(frame);
    } catch (e) {
      if (e.code !== 'CHAT_SIGN_EXPIRED' || !provider || m.receiveSign) throw e;
      Object.assign(frame, await this.chatSignFor(frame.receiveUserId, true));
      return this.request(frame); // same unique: nothing was stored for the 132
    }
  }

  /** @private a chat sign per peer, reused for 60 s (the server accepts it for chatSignTtlSeconds, default 120) */
  async chatSignFor(peer, fresh) {
    const c = this.signCache.get(peer);
    if (!fresh && c && Date.now() - c.at < 60000) return c.sign;
    const r = await this.opts.chatSign(peer);
    const sign = { receiveSign: r.receiveSign, timestamp: r.timestamp };
    this.signCache.set(peer, { sign, at: Date.now() });
    return sign;
  }

  /**
   * 130 with `contentType: 'text'`.
   * @param {string} receiveUserId @param {string} text
   */
  sendText(receiveUserId, text) { return this.sendMessage({ receiveUserId, message: text, contentType: 'text' }); }

  /**
   * 141: acknowledges 140 pushes (done automatically, batched).
   * @param {string|string[]} messageIds
   */
  ackMessages(messageIds) {
    return this.request(Array.isArray(messageIds) ? { msgType: 141, messageIds } : { msgType: 141, messageId: messageIds });
  }

  /** 160: marks every message from `peer` read (→ 199 to the peer and to your other devices). @param {string} peer */
  viewPeer(peer) { return this.request({ msgType: 160, receiveUserId: peer }); }

  /**
   * 161: one page of a conversation's history. Resolves with the 162
   * `{messages (oldest first), total, pageIndex, pageSize, hasMore}`.
   * @param {{sender: string, pageIndex?: number, pageSize?: number, beforeMessageId?: string}} q
   *   `sender` = the peer; `beforeMessageId` (preferred for scroll-back) wins over `pageIndex`.
   */
  history(q) {
    const f = { msgType: 161, sender: q.sender, pageSize: q.pageSize ?? 20 };
    if (q.beforeMessageId) f.beforeMessageId = String(q.beforeMessageId);
    else f.pageIndex = q.pageIndex ?? 1;
    return this.request(f);
  }

  /** 180: unread total. Resolves with `{total, unreadCounts: {peerId: n}}`. */
  unreadTotal() { return this.request({ msgType: 180 }); }

  /**
   * 190: retracts your own message (within the app's `retractSeconds`, default 120).
   * @param {string} messageId @param {string} receiveUserId
   */
  retract(messageId, receiveUserId) { return this.request({ msgType: 190, messageId: String(messageId), receiveUserId }); }

  /**
   * 198: marks `messageId` and every earlier message from `peer` read.
   * @param {string} messageId @param {string} peer
   */
  read(messageId, peer) { return this.request({ msgType: 198, messageId: String(messageId), receiveUserId: peer }); }

  /** 251: logs this device out (252, then the server closes the socket; no reconnect). */
  async logout() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    try {
      return await this.request({ msgType: 251 });
    } finally {
      setTimeout(() => { if (this.ws) this.ws.close(1000); }, 1000);
    }
  }

  /**
   * 300: starts a video call in your room (or renegotiates an active one when `callId` is given).
   * Resolves with the 30, which carries the new `callId` (the 311 carries it too).
   * @param {object|string} offer the SDP `{type: 'offer', sdp}` (sent as a JSON string)
   * @param {{callId?: string}} [o]
   */
  requestCall(offer, o = {}) { return this.request({ msgType: 300, message: asSignal(offer), ...(o.callId ? { callId: o.callId } : {}) }); }

  /**
   * 310: accepts a ringing call.
   * @param {object|string} answer the SDP `{type: 'answer', sdp}` @param {string} [callId] from the 301
   */
  acceptCall(answer, callId) { return this.request({ msgType: 310, message: asSignal(answer), ...(callId ? { callId } : {}) }); }

  /** 320: rejects a ringing call (→ 321 `rejected` to the caller). @param {string} [callId] */
  rejectCall(callId) { return this.request({ msgType: 320, ...(callId ? { callId } : {}) }); }

  /** 330: hangs up (→ 321 `hangup` to the other member, then the room is disbanded: 560). @param {string} [callId] */
  hangUp(callId) { return this.request({ msgType: 330, ...(callId ? { callId } : {}) }); }

  /**
   * 340: an ICE candidate of the caller (send only after your 300; `null` = end of candidates).
   * @param {RTCIceCandidate|object|null} candidate @param {string} [callId]
   */
  callerCandidate(candidate, callId) { return this.candidate(340, candidate, callId); }

  /**
   * 342: an ICE candidate of the callee (send only after your 310; `null` = end of candidates).
   * @param {RTCIceCandidate|object|null} candidate @param {string} [callId]
   */
  calleeCandidate(candidate, callId) { return this.candidate(342, candidate, callId); }

  /** @private */
  candidate(type, candidate, callId) {
    const c = candidate && typeof candidate.toJSON === 'function' ? candidate.toJSON() : (candidate || { candidate: null });
    return this.request({ msgType: type, message: asSignal(c), ...(callId ? { callId } : {}) });
  }

  /** 400: a customer enters a queue (→ 410 positions). @param {string} [queueId='default'] */
  enterQueue(queueId) { return this.request(queueId ? { msgType: 400, queueId } : { msgType: 400 }); }

  /**
   * 401: an agent takes the next customer (or a named one). Resolves with the 402
   * `{receiveUserId: customer, roomId, queueId}`; rejects with `QUEUE_EMPTY`, `AGENT_BUSY`, …
   * @param {{queueId?: string, receiveUserId?: string}} [o]
   */
  takeNext(o = {}) {
    const f = { msgType: 401 };
    if (o.queueId) f.queueId = o.queueId;
    if (o.receiveUserId) f.receiveUserId = o.receiveUserId;
    return this.request(f);
  }

  /** 420: leaves the queue or the room (teardown). */
  leave() { return this.request({ msgType: 420 }); }

  /**
   * 430: queue info. Resolves with the 431 `{queueId, waitIndex, waitTotal}` (+ `waiting`, `userIdList` for agents).
   * @param {string} [queueId]
   */
  queueInfo(queueId) { return this.request(queueId ? { msgType: 430, queueId } : { msgType: 430 }); }

  /**
   * 540: all rooms (agents and admins). Resolves with the 541 `{roomInfoMsgs, total}`.
   * @param {{pageIndex?: number, pageSize?: number}} [o]
   */
  rooms(o = {}) { return this.request({ msgType: 540, ...o }); }

  /** 550: room info (default: your current room). Resolves with the 551. @param {string} [roomId] */
  roomInfo(roomId) { return this.request(roomId ? { msgType: 550, roomId: String(roomId) } : { msgType: 550 }); }

  // ---------------------------------------------------------------------------------------------------------
  // the customer-service desk (PROTOCOL.md §14, msgTypes 600–699)

  /**
   * 600: an agent sets its availability (`available`, `away`, `offline`) or, without one, reads it.
   * Resolves with the 601 `{userId, status, rooms, maxRooms}`. @param {string} [status]
   */
  agentStatus(status) { return this.request(status ? { msgType: 600, status } : { msgType: 600 }); }

  /**
   * 610: hands a room to another agent (`toUserId`) or back to a queue (`queueId`). Resolves on the 30; the
   * 611/551/560 pushes follow. @param {{roomId?: string, toUserId?: string, queueId?: string}} o
   */
  transfer(o) {
    const f = { msgType: 610 };
    if (o.roomId) f.roomId = String(o.roomId);
    if (o.toUserId) f.toUserId = o.toUserId;
    if (o.queueId) f.queueId = o.queueId;
    return this.request(f);
  }

  /**
   * 630: a customer leaves a message to a queue. Resolves with the 631 `{messageId, queueId}`.
   * @param {string} message @param {string} [queueId]
   */
  leaveMessage(message, queueId) { return this.request(queueId ? { msgType: 630, message, queueId } : { msgType: 630, message }); }

  /**
   * 640: an available agent takes the oldest left message. Resolves with the 641
   * `{messageId, queueId, userId, message, createdAt}`; rejects with `QUEUE_EMPTY`. @param {string} [queueId]
   */
  takeMessage(queueId) { return this.request(queueId ? { msgType: 640, queueId } : { msgType: 640 }); }

  /**
   * 650: a customer's earlier rooms. Resolves with the 651 `{userId, rooms}`.
   * @param {string} userId @param {number} [pageSize]
   */
  customerRooms(userId, pageSize) { return this.request(pageSize ? { msgType: 650, userId, pageSize } : { msgType: 650, userId }); }

  /**
   * 652: a room's chat transcript. Resolves with the 653 `{roomId, customer, agents, createdAt, closedAt, messages}`.
   * @param {string} roomId
   */
  transcript(roomId) { return this.request({ msgType: 652, roomId: String(roomId) }); }

  /**
   * 660: reports the summary of a call's `getStats()` (see {@link summarizeCallStats}). Resolves on the 30.
   * @param {{callId: string, candidateType: string, setupMs?: number, rttMs?: number, lossPercent?: number, protocol?: string}} stats
   */
  callStats(stats) { return this.request({ msgType: 660, ...stats, callId: String(stats.callId) }); }

  /** 670: an admin's snapshot of the desk. Resolves with the 671 `{queues, agents, rooms}`. */
  supervisorView() { return this.request({ msgType: 670 }); }
}

/**
 * Summarizes an `RTCPeerConnection` for a 660 CALL_STATS report (PROTOCOL.md §14.6): the selected candidate pair's
 * local candidate type and protocol, its current round-trip time, and the inbound packet loss.
 * @param {RTCPeerConnection} pc
 * @param {{setupMs?: number}} [o] the setup time the caller measured (from 300/301 to ICE connected)
 * @returns {Promise<{candidateType: string, protocol?: string, rttMs?: number, lossPercent?: number, setupMs?: number}|null>}
 *   null when no candidate pair was selected (the call never connected)
 */
export async function summarizeCallStats(pc, o = {}) {
  const report = await pc.getStats();
  let pair = null;
  let transport = null;
  const byId = new Map();
  report.forEach((s) => {
    byId.set(s.id, s);
    if (s.type === 'transport' && s.selectedCandidatePairId) transport = s;
  });
  if (transport) pair = byId.get(transport.selectedCandidatePairId) || null;
  // without the transport's pointer: Firefox marks the pair `selected`; else (several pairs may be nominated and
  // succeeded, Chromium keeps the ones it switched away from) the succeeded pair that carried the most bytes
  if (!pair) report.forEach((s) => { if (s.type === 'candidate-pair' && s.selected) pair = s; });
  if (!pair) {
    report.forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded'
        && (!pair || (s.bytesReceived || 0) > (pair.bytesReceived || 0))) pair = s;
    });
  }
  if (!pair) return null;
  const local = byId.get(pair.localCandidateId);
  if (!local || !local.candidateType) return null;
  let lost = 0;
  let received = 0;
  report.forEach((s) => {
    if (s.type === 'inbound-rtp') { lost += Math.max(0, s.packetsLost || 0); received += s.packetsReceived || 0; }
  });
  const out = { candidateType: local.candidateType };
  const protocol = String(local.protocol || '').toLowerCase();
  if (protocol === 'udp' || protocol === 'tcp') out.protocol = protocol;
  if (typeof pair.currentRoundTripTime === 'number') out.rttMs = Math.round(pair.currentRoundTripTime * 1000);
  if (lost + received > 0) out.lossPercent = Math.round((10000 * lost) / (lost + received)) / 100;
  if (typeof o.setupMs === 'number' && o.setupMs >= 0) out.setupMs = Math.round(o.setupMs);
  return out;
}

/**
 * Parses the `message` of a signaling frame (301/311/341/343): the SDP or candidate JSON.
 * @param {{message?: string}} frame
 * @returns {any} the parsed object, or null
 */
export function parseSignal(frame) {
  if (!frame || frame.message === undefined || frame.message === null) return null;
  if (typeof frame.message !== 'string') return frame.message;
  try { return JSON.parse(frame.message); } catch { return null; }
}

/**
 * Fetches a dev-mode sign (`GET /dev/sign`, loopback only, dev servers only).
 * @param {{base?: string, appId?: string, userId: string, deviceId?: string, role?: string}} o
 * @returns {Promise<{url: string, heartbeatSeconds: number, userId: string, loginId: string, role: string}>}
 */
export async function devSign(o) {
  const q = new URLSearchParams({ userId: o.userId });
  if (o.appId) q.set('appId', o.appId);
  if (o.deviceId) q.set('deviceId', o.deviceId);
  if (o.role) q.set('role', o.role);
  const res = await fetch(`${o.base || ''}/dev/sign?${q}`);
  const body = await res.json();
  if (!res.ok) throw new ImError(body.code || 'UNAUTHORIZED', body.detail || `dev sign failed (${res.status})`);
  return body;
}

/**
 * Fetches a dev-mode chat sign (`GET /dev/chat-sign`).
 * @param {{base?: string, appId?: string, userId: string, receiveUserId: string}} o
 * @returns {Promise<{receiveSign: string, timestamp: number}>}
 */
export async function devChatSign(o) {
  const q = new URLSearchParams({ userId: o.userId, receiveUserId: o.receiveUserId });
  if (o.appId) q.set('appId', o.appId);
  const res = await fetch(`${o.base || ''}/dev/chat-sign?${q}`);
  const body = await res.json();
  if (!res.ok) throw new ImError(body.code || 'UNAUTHORIZED', body.detail || `dev chat sign failed (${res.status})`);
  return body;
}

/** sleep(ms) for demos and tests. */
export { sleep };
