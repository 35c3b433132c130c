/**
 * Summarizes an `RTCPeerConnection` for a 660 CALL_STATS report (PROTOCOL.md §14.6): the selected candidate pair's
 * local candidate type and protocol, its current round-trip time, and the inbound packet loss.
 * @param {RTCPeerConnection} pc
 * @param {{setupMs?: number}} [o] the setup time the caller measured (from 300/301 to ICE connected)
 * @returns {Promise<{candidateType: string, protocol?: string, rttMs?: number, lossPercent?: number, setupMs?: number}|null>}
 *   null when no candidate pair was selected (the call never connected)
 */
export function summarizeCallStats(pc: RTCPeerConnection, o?: {
    setupMs?: number;
}): Promise<{
    candidateType: string;
    protocol?: string;
    rttMs?: number;
    lossPercent?: number;
    setupMs?: number;
} | null>;
/**
 * Parses the `message` of a signaling frame (301/311/341/343): the SDP or candidate JSON.
 * @param {{message?: string}} frame
 * @returns {any} the parsed object, or null
 */
export function parseSignal(frame: {
    message?: string;
}): any;
/**
 * Fetches a dev-mode sign (`GET /dev/sign`, loopback only, dev servers only).
 * @param {{base?: string, appId?: string, userId: string, deviceId?: string, role?: string}} o
 * @returns {Promise<{url: string, heartbeatSeconds: number, userId: string, loginId: string, role: string}>}
 */
export function devSign(o: {
    base?: string;
    appId?: string;
    userId: string;
    deviceId?: string;
    role?: string;
}): Promise<{
    url: string;
    heartbeatSeconds: number;
    userId: string;
    loginId: string;
    role: string;
}>;
/**
 * Fetches a dev-mode chat sign (`GET /dev/chat-sign`).
 * @param {{base?: string, appId?: string, userId: string, receiveUserId: string}} o
 * @returns {Promise<{receiveSign: string, timestamp: number}>}
 */
export function devChatSign(o: {
    base?: string;
    appId?: string;
    userId: string;
    receiveUserId: string;
}): Promise<{
    receiveSign: string;
    timestamp: number;
}>;
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
export const MsgType: Readonly<{
    ERROR: 10;
    HEARTBEAT: 20;
    HEARTBEAT_REPLY: 21;
    RECEIVED: 30;
    ACK: 31;
    NOTICE: 99;
    ONLINE_STATUS: 101;
    UNREAD_MESSAGES: 102;
    SEND: 130;
    DELIVERED: 131;
    CHAT_SIGN_EXPIRED: 132;
    SENSITIVE_WORD: 133;
    PUSH: 140;
    PUSH_ACK: 141;
    VIEW_PEER: 160;
    HISTORY: 161;
    HISTORY_PAGE: 162;
    UNREAD_TOTAL: 180;
    RETRACT: 190;
    RETRACTED_SENDER: 191;
    RETRACTED_RECEIVER: 192;
    READ: 198;
    READ_NOTICE: 199;
    FRIEND_ONLINE: 200;
    FRIEND_OFFLINE: 210;
    LOGOUT: 251;
    LOGOUT_REPLY: 252;
    CALL_REQUEST: 300;
    CALL_INCOMING: 301;
    CALL_ACCEPT: 310;
    CALL_ACCEPTED: 311;
    CALL_REJECT: 320;
    CALL_ENDED: 321;
    CALL_HANGUP: 330;
    CALLER_CANDIDATE: 340;
    CALLER_CANDIDATE_RELAY: 341;
    CALLEE_CANDIDATE: 342;
    CALLEE_CANDIDATE_RELAY: 343;
    QUEUE_ENTER: 400;
    QUEUE_TAKE: 401;
    QUEUE_TAKEN: 402;
    QUEUE_POSITION: 410;
    QUEUE_LEAVE: 420;
    MEMBER_LEFT: 421;
    QUEUE_INFO: 430;
    QUEUE_INFO_REPLY: 431;
    ROOM_LIST: 540;
    ROOM_LIST_REPLY: 541;
    ROOM_INFO: 550;
    ROOM_INFO_REPLY: 551;
    ROOM_DISBANDED: 560;
    CONVERSATION_HEAD: 1170;
    AGENT_STATUS: 600;
    AGENT_STATUS_REPLY: 601;
    ROOM_TRANSFER: 610;
    ROOM_TRANSFERRED: 611;
    QUEUE_TIMEOUT: 620;
    LEAVE_MESSAGE: 630;
    LEAVE_MESSAGE_REPLY: 631;
    MESSAGE_TAKE: 640;
    MESSAGE_TAKEN: 641;
    CUSTOMER_ROOMS: 650;
    CUSTOMER_ROOMS_REPLY: 651;
    ROOM_TRANSCRIPT: 652;
    ROOM_TRANSCRIPT_REPLY: 653;
    CALL_STATS: 660;
    SUPERVISOR_VIEW: 670;
    SUPERVISOR_VIEW_REPLY: 671;
}>;
/**
 * Event name of each server→client msgType (besides the numeric name, e.g. `im.on('140', ..)`).
 * @type {Readonly<Record<number, string>>}
 */
export const EVENT_NAMES: Readonly<Record<number, string>>;
/** Pushes the server resends until acked (PROTOCOL.md §4); 140 is acked with 141, the rest with 31. */
export const RELIABLE_PUSHES: Readonly<Set<number>>;
/** The reply msgType of each client request that has one (the others resolve on their 30). */
export const REPLY_OF: Readonly<{
    20: 21;
    101: 101;
    102: 102;
    161: 162;
    180: 180;
    251: 252;
    401: 402;
    430: 431;
    540: 541;
    550: 551;
    600: 601;
    630: 631;
    640: 641;
    650: 651;
    652: 653;
    670: 671;
}>;
/** Connection states, in the order a connection usually passes them. */
export const State: Readonly<{
    IDLE: "idle";
    CONNECTING: "connecting";
    OPEN: "open";
    RECONNECTING: "reconnecting";
    CLOSED: "closed";
}>;
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
    constructor(code: string, message: string, frame?: object);
    /** @type {string} */
    code: string;
    /** @type {object|undefined} */
    frame: object | undefined;
}
/** A tiny event emitter (works the same in browsers and Node). */
export class Emitter {
    _l: Map<any, any>;
    /**
     * Listens to an event. Returns a function that removes the listener.
     * @param {string|number} event
     * @param {(payload: any) => void} fn
     * @returns {() => void}
     */
    on(event: string | number, fn: (payload: any) => void): () => void;
    /** @param {string|number} event @param {(payload: any) => void} fn */
    off(event: string | number, fn: (payload: any) => void): void;
    /**
     * Resolves with the next payload of `event` (optionally the next one matching `filter`).
     * @param {string|number} event
     * @param {(payload: any) => boolean} [filter]
     * @param {number} [timeoutMs] reject after this long (default: never)
     * @returns {Promise<any>}
     */
    once(event: string | number, filter?: (payload: any) => boolean, timeoutMs?: number): Promise<any>;
    /** @protected */
    protected emit(event: any, payload: any): void;
}
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
    constructor(options: ImClientOptions);
    /** @private */ private opts;
    /** @private */ private WS;
    /** Current {@link State}. */
    state: "idle";
    /** @type {WebSocket|null} */
    ws: WebSocket | null;
    /** @private */ private prefix;
    /** @private */ private seq;
    /** @private @type {Map<string, {frame: object, ack?: object, resolve: Function, reject: Function, timer: any}>} */
    private pending;
    /** @private */ private seenUniques;
    /** @private */ private seenMessageIds;
    /** @private */ private attempt;
    /** @private */ private stopped;
    /** @private */ private ackIds;
    /** @private */ private ackTimer;
    /** @private */ private signCache;
    /** The last 99 notice received, if any. */
    lastNotice: any;
    /**
     * STUN/TURN servers from the latest 551 (reply or push; PROTOCOL.md §9.1 "TURN"), minted for this user, for
     * `new RTCPeerConnection({iceServers: im.iceServers})`; `null` before any 551. TURN credentials are short-lived:
     * every 551 (each reconnect brings one) replaces them.
     * @type {Array<{urls: string[], username?: string, credential?: string}>|null}
     */
    iceServers: Array<{
        urls: string[];
        username?: string;
        credential?: string;
    }> | null;
    /**
     * Opens the connection (and keeps it open: reconnects automatically until {@link ImClient#close},
     * {@link ImClient#logout}, a 99 REPLACED/KICKED or close code 4001).
     * @returns {Promise<void>} resolves once the socket is open; rejects if the first attempt fails
     *   (reconnect attempts continue in the background when `reconnect` is on and the refusal is not final).
     */
    connect(): Promise<void>;
    opening: Promise<any>;
    /** @private */
    private open;
    openedAt: number;
    lastInbound: number;
    /**
     * A browser cannot read a refused handshake; a plain GET of the same URL answers its status and body
     * (PROTOCOL.md §2: 426 means the URL would have been accepted).
     * @private
     */
    private diagnose;
    /** @private */
    private onClosed;
    /** @private */
    private finish;
    /** @private */
    private scheduleReconnect;
    reconnectTimer: number;
    /**
     * Closes the connection without reconnecting (a 251 {@link ImClient#logout} also tells the server the
     * user left on purpose, updating presence at once).
     * @param {number} [code=1000]
     */
    close(code?: number): void;
    /** @private */
    private setState;
    /** @private */
    private startHeartbeat;
    hbTimer: number;
    /** @private */
    private stopHeartbeat;
    /** @private */
    private onData;
    /** @private */
    private isAnswer;
    /** @private */
    private answer;
    /** @private */
    private queueAck;
    /** @private */
    private flushAcks;
    /** @private */
    private failPending;
    /** A fresh client `unique` (unique per client instance; distinct from server uniques). */
    nextUnique(): string;
    /**
     * Sends a frame as is (no `unique` added, no answer awaited). Returns false when not connected.
     * @param {object} frame
     * @returns {boolean}
     */
    sendRaw(frame: object): boolean;
    /**
     * Sends text as is, even if it is not valid JSON (for protocol experiments). Returns false when not connected.
     * @param {string} text
     * @returns {boolean}
     */
    sendRawText(text: string): boolean;
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
    request(frame: object, options?: {
        timeoutMs?: number;
    }): Promise<object>;
    /** 20: heartbeat (sent automatically every `heartbeatSeconds`). Resolves with the 21. */
    heartbeat(): Promise<any>;
    /** 31: acknowledges a reliable push by its `unique` (done automatically). @param {string} unique */
    ack(unique: string): Promise<any>;
    /**
     * 101: online status. Resolves with the 101 reply `{statuses: {userId: boolean}}`.
     * @param {string|string[]} userIds one id (sent as `receiveUserId`) or up to 200 (`userIds`)
     */
    onlineStatus(userIds: string | string[]): Promise<any>;
    /**
     * 102: the oldest 200 unread messages (optionally from one peer). Resolves with `{messages, total}`.
     * @param {string} [receiveUserId] peer filter
     */
    unreadMessages(receiveUserId?: string): Promise<any>;
    /**
     * 130: sends a chat message. Resolves with the 30 `{messageId, sendTime, ...}` once the message is stored.
     * Without `receiveSign`, the `chatSign` option (if any) provides one, refreshed and retried once after a 132.
     * Rejects with `CHAT_SIGN_EXPIRED` (132), `SENSITIVE_WORD` (133, `err.frame.words` when revealed),
     * `MESSAGE_REJECTED` (a 10: the app's own check refused it, nothing stored; `err.message` is its reason) or a §3 code.
     * @param {{receiveUserId: string, message: string, contentType?: string, receiveSign?: string,
     *   timestamp?: number, unique?: string}} m
     */
    sendMessage(m: {
        receiveUserId: string;
        message: string;
        contentType?: string;
        receiveSign?: string;
        timestamp?: number;
        unique?: string;
    }): Promise<any>;
    /** @private a chat sign per peer, reused for 60 s (the server accepts it for chatSignTtlSeconds, default 120) */
    private chatSignFor;
    /**
     * 130 with `contentType: 'text'`.
     * @param {string} receiveUserId @param {string} text
     */
    sendText(receiveUserId: string, text: string): Promise<any>;
    /**
     * 141: acknowledges 140 pushes (done automatically, batched).
     * @param {string|string[]} messageIds
     */
    ackMessages(messageIds: string | string[]): Promise<any>;
    /** 160: marks every message from `peer` read (→ 199 to the peer and to your other devices). @param {string} peer */
    viewPeer(peer: string): Promise<any>;
    /**
     * 161: one page of a conversation's history. Resolves with the 162
     * `{messages (oldest first), total, pageIndex, pageSize, hasMore}`.
     * @param {{sender: string, pageIndex?: number, pageSize?: number, beforeMessageId?: string}} q
     *   `sender` = the peer; `beforeMessageId` (preferred for scroll-back) wins over `pageIndex`.
     */
    history(q: {
        sender: string;
        pageIndex?: number;
        pageSize?: number;
        beforeMessageId?: string;
    }): Promise<any>;
    /** 180: unread total. Resolves with `{total, unreadCounts: {peerId: n}}`. */
    unreadTotal(): Promise<any>;
    /**
     * 190: retracts your own message (within the app's `retractSeconds`, default 120).
     * @param {string} messageId @param {string} receiveUserId
     */
    retract(messageId: string, receiveUserId: string): Promise<any>;
    /**
     * 198: marks `messageId` and every earlier message from `peer` read.
     * @param {string} messageId @param {string} peer
     */
    read(messageId: string, peer: string): Promise<any>;
    /** 251: logs this device out (252, then the server closes the socket; no reconnect). */
    logout(): Promise<any>;
    /**
     * 300: starts a video call in your room (or renegotiates an active one when `callId` is given).
     * Resolves with the 30, which carries the new `callId` (the 311 carries it too).
     * @param {object|string} offer the SDP `{type: 'offer', sdp}` (sent as a JSON string)
     * @param {{callId?: string}} [o]
     */
    requestCall(offer: object | string, o?: {
        callId?: string;
    }): Promise<any>;
    /**
     * 310: accepts a ringing call.
     * @param {object|string} answer the SDP `{type: 'answer', sdp}` @param {string} [callId] from the 301
     */
    acceptCall(answer: object | string, callId?: string): Promise<any>;
    /** 320: rejects a ringing call (→ 321 `rejected` to the caller). @param {string} [callId] */
    rejectCall(callId?: string): Promise<any>;
    /** 330: hangs up (→ 321 `hangup` to the other member, then the room is disbanded: 560). @param {string} [callId] */
    hangUp(callId?: string): Promise<any>;
    /**
     * 340: an ICE candidate of the caller (send only after your 300; `null` = end of candidates).
     * @param {RTCIceCandidate|object|null} candidate @param {string} [callId]
     */
    callerCandidate(candidate: RTCIceCandidate | object | null, callId?: string): Promise<any>;
    /**
     * 342: an ICE candidate of the callee (send only after your 310; `null` = end of candidates).
     * @param {RTCIceCandidate|object|null} candidate @param {string} [callId]
     */
    calleeCandidate(candidate: RTCIceCandidate | object | null, callId?: string): Promise<any>;
    /** @private */
    private candidate;
    /** 400: a customer enters a queue (→ 410 positions). @param {string} [queueId='default'] */
    enterQueue(queueId?: string): Promise<any>;
    /**
     * 401: an agent takes the next customer (or a named one). Resolves with the 402
     * `{receiveUserId: customer, roomId, queueId}`; rejects with `QUEUE_EMPTY`, `AGENT_BUSY`, …
     * @param {{queueId?: string, receiveUserId?: string}} [o]
     */
    takeNext(o?: {
        queueId?: string;
        receiveUserId?: string;
    }): Promise<any>;
    /** 420: leaves the queue or the room (teardown). */
    leave(): Promise<any>;
    /**
     * 430: queue info. Resolves with the 431 `{queueId, waitIndex, waitTotal}` (+ `waiting`, `userIdList` for agents).
     * @param {string} [queueId]
     */
    queueInfo(queueId?: string): Promise<any>;
    /**
     * 540: all rooms (agents and admins). Resolves with the 541 `{roomInfoMsgs, total}`.
     * @param {{pageIndex?: number, pageSize?: number}} [o]
     */
    rooms(o?: {
        pageIndex?: number;
        pageSize?: number;
    }): Promise<any>;
    /** 550: room info (default: your current room). Resolves with the 551. @param {string} [roomId] */
    roomInfo(roomId?: string): Promise<any>;
    /**
     * 600: an agent sets its availability (`available`, `away`, `offline`) or, without one, reads it.
     * Resolves with the 601 `{userId, status, rooms, maxRooms}`. @param {string} [status]
     */
    agentStatus(status?: string): Promise<any>;
    /**
     * 610: hands a room to another agent (`toUserId`) or back to a queue (`queueId`). Resolves on the 30; the
     * 611/551/560 pushes follow. @param {{roomId?: string, toUserId?: string, queueId?: string}} o
     */
    transfer(o: {
        roomId?: string;
        toUserId?: string;
        queueId?: string;
    }): Promise<any>;
    /**
     * 630: a customer leaves a message to a queue. Resolves with the 631 `{messageId, queueId}`.
     * @param {string} message @param {string} [queueId]
     */
    leaveMessage(message: string, queueId?: string): Promise<any>;
    /**
     * 640: an available agent takes the oldest left message. Resolves with the 641
     * `{messageId, queueId, userId, message, createdAt}`; rejects with `QUEUE_EMPTY`. @param {string} [queueId]
     */
    takeMessage(queueId?: string): Promise<any>;
    /**
     * 650: a customer's earlier rooms. Resolves with the 651 `{userId, rooms}`.
     * @param {string} userId @param {number} [pageSize]
     */
    customerRooms(userId: string, pageSize?: number): Promise<any>;
    /**
     * 652: a room's chat transcript. Resolves with the 653 `{roomId, customer, agents, createdAt, closedAt, messages}`.
     * @param {string} roomId
     */
    transcript(roomId: string): Promise<any>;
    /**
     * 660: reports the summary of a call's `getStats()` (see {@link summarizeCallStats}). Resolves on the 30.
     * @param {{callId: string, candidateType: string, setupMs?: number, rttMs?: number, lossPercent?: number, protocol?: string}} stats
     */
    callStats(stats: {
        callId: string;
        candidateType: string;
        setupMs?: number;
        rttMs?: number;
        lossPercent?: number;
        protocol?: string;
    }): Promise<any>;
    /** 670: an admin's snapshot of the desk. Resolves with the 671 `{queues, agents, rooms}`. */
    supervisorView(): Promise<any>;
}
export type ImClientOptions = {
    /**
     * The signed WebSocket URL (`url` of `/api/v1/sign`
     * or `/dev/sign`), or a function returning a fresh one. Use a function for long sessions: a sign expires
     * after the app's `signTtlSeconds` (default 300 s) and reconnects need a valid one.
     */
    url: string | (() => string | Promise<string>);
    /**
     * How often to send 20 (use the sign answer's `heartbeatSeconds`);
     * 0 disables heartbeats (and the dead-link check).
     */
    heartbeatSeconds?: number;
    /**
     * Fetches a chat permission (`POST /api/v1/chat-sign` through your business server). When set,
     * {@link ImClient#sendMessage} attaches it and retries once after a 132.
     */
    chatSign?: (receiveUserId: string) => Promise<{
        receiveSign: string;
        timestamp: number;
    }>;
    /**
     * Reconnect automatically after an unexpected close.
     */
    reconnect?: boolean;
    /**
     * First backoff delay; doubles per failed attempt.
     */
    reconnectBaseMs?: number;
    /**
     * Backoff cap.
     */
    reconnectMaxMs?: number;
    /**
     * A request without an answer within this rejects with `TIMEOUT`.
     */
    requestTimeoutMs?: number;
    /**
     * WebSocket implementation (default `globalThis.WebSocket`; in Node pass `ws`).
     */
    WebSocket?: typeof WebSocket;
    /**
     * 141 acks are batched (up to 200 ids) for this long.
     */
    ackBatchMs?: number;
    /**
     * Ack reliable pushes automatically (31 / 141). Turn off only to watch the
     * server resend them (the protocol console does); the app must then ack them itself.
     */
    autoAck?: boolean;
};
export function sleep(ms: any): Promise<any>;
