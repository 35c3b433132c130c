/**
 * A one-to-one WebRTC video call driven by the SeedIM signaling frames (PROTOCOL.md §6):
 * caller 300 (offer) → callee 301; callee 310 (answer) → caller 311; candidates 340 → 341 and 342 → 343;
 * 320 reject / 330 hang up → 321. `message` is the JSON string of the SDP `{type, sdp}` or of
 * `RTCIceCandidate.toJSON()` (`{candidate: null}` = end of candidates).
 *
 * Candidates: ours are held until the server accepted our 300/310 (it drops earlier ones); the peer's are
 * held until the remote description is set.
 *
 * Diagnostics (PROTOCOL.md §14.6): the setup time runs from our 300 sent (caller) or the 301 received (callee) until
 * ICE connected. While connected, a summary of `getStats()` ({@link summarizeCallStats}) is refreshed every
 * {@link STATS_REFRESH_MS}; when the call ends (our hang-up or reject, the peer's 321, the room disbanded, dispose,
 * the page hidden for unload) one 660 CALL_STATS with the latest summary is sent, synchronously and without waiting
 * for its answer: a server that does not know 660 (`UNKNOWN_MSG_TYPE`) or does not answer changes nothing. A call
 * that never connected reports nothing (there is no candidate type to report).
 *
 * @module call
 */
import { Emitter, parseSignal, summarizeCallStats } from './im-client.js';

/** How often the summary for the 660 is refreshed while a call is connected. */
export const STATS_REFRESH_MS = 2000;
/** The longest setup time a 660 carries (§14.6); a callee that let it ring longer reports none. */
const MAX_SETUP_MS = 600_000;

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Call states: `idle`, `ringing` (incoming, not answered), `calling` (our 300 sent), `connecting`
 * (SDP exchanged, ICE running), `connected`, `ended`.
 */
export class CallController extends Emitter {
  /**
   * @param {import('./im-client.js').ImClient} im
   * @param {{localVideo?: HTMLVideoElement, remoteVideo?: HTMLVideoElement,
   *   iceServers?: RTCIceServer[], iceTransportPolicy?: RTCIceTransportPolicy, media?: MediaStreamConstraints}} [o]
   *   `iceServers`: fixed servers; by default those the server handed in its latest 551 (`im.iceServers`, TURN
   *   credentials minted for this user). `iceTransportPolicy: 'relay'` forces the call through TURN.
   */
  constructor(im, o = {}) {
    super();
    this.im = im;
    this.o = { media: { video: true, audio: true }, ...o };
    /** @type {RTCPeerConnection|null} */
    this.pc = null;
    this.state = 'idle';
    this.callId = null;
    this.role = null; // 'caller' | 'callee'
    this.peer = null;
    this.pendingOffer = null;
    this.remoteQueue = [];
    this.localQueue = [];
    this.signalingReady = false;
    this.local = null;
    /** when our 300 was sent or the 301 arrived (ms, `performance.now()`), null before */
    this.setupStartedAt = null;
    /** from setupStartedAt to ICE connected, null until connected */
    this.setupMs = null;
    /** the latest summary of the connected call's stats, null until the first one */
    this.lastStats = null;
    this.statsTimer = null;
    this.statsReported = false;
    this.onPageHide = () => this.reportStats();
    if (typeof globalThis.addEventListener === 'function') globalThis.addEventListener('pagehide', this.onPageHide);
    this.offs = [
      im.on('call-incoming', (f) => this.onIncoming(f)),
      im.on('call-accepted', (f) => this.onAccepted(f)),
      im.on('remote-candidate', (f) => this.onRemoteCandidate(f)),
      im.on('call-ended', (f) => this.onEnded(f)),
      im.on('room-disbanded', () => this.end('room-disbanded')),
    ];
  }

  /** @private */
  set(state, extra = {}) {
    this.state = state;
    this.emit('state', { state, callId: this.callId, role: this.role, peer: this.peer, ...extra });
  }

  /** @private */
  async setup() {
    this.local = await navigator.mediaDevices.getUserMedia(this.o.media);
    if (this.o.localVideo) {
      this.o.localVideo.srcObject = this.local;
      this.o.localVideo.setAttribute('data-live', '');
    }
    const pc = new RTCPeerConnection({
      iceServers: this.o.iceServers || this.im.iceServers || [], iceTransportPolicy: this.o.iceTransportPolicy || 'all',
    });
    this.pc = pc;
    this.local.getTracks().forEach((t) => pc.addTrack(t, this.local));
    pc.onicecandidate = (e) => {
      const c = e.candidate ? e.candidate.toJSON() : { candidate: null };
      if (this.signalingReady) this.sendCandidate(c);
      else this.localQueue.push(c);
    };
    pc.ontrack = (e) => {
      const v = this.o.remoteVideo;
      if (v && v.srcObject !== e.streams[0]) {
        v.srcObject = e.streams[0];
        v.play().catch(() => { /* autoplay may need a gesture; the element has autoplay */ });
      }
    };
    pc.oniceconnectionstatechange = () => {
      if (this.pc !== pc) return;
      const s = pc.iceConnectionState;
      if ((s === 'connected' || s === 'completed') && this.setupMs === null && this.setupStartedAt !== null) {
        this.setupMs = Math.round(now() - this.setupStartedAt);
      }
    };
    pc.onconnectionstatechange = () => {
      if (this.pc !== pc) return;
      const s = pc.connectionState;
      if (s === 'connected') {
        this.watchStats(pc);
        this.set('connected');
      }
      else if (s === 'failed') this.set('connecting', { warning: 'ICE failed (no TURN configured on the server? docs/deployment.md, "TURN")' });
      else if (s === 'disconnected' && this.state === 'connected') this.set('connecting', { warning: 'connection interrupted' });
    };
    return pc;
  }

  /** @private */
  sendCandidate(c) {
    const p = this.role === 'caller' ? this.im.callerCandidate(c, this.callId) : this.im.calleeCandidate(c, this.callId);
    p.catch((e) => this.emit('error', e));
  }

  /** @private */
  flushLocal() {
    this.signalingReady = true;
    const q = this.localQueue.splice(0);
    q.forEach((c) => this.sendCandidate(c));
  }

  /** @private */
  async flushRemote() {
    const q = this.remoteQueue.splice(0);
    for (const c of q) await this.addRemote(c);
  }

  /** @private */
  async addRemote(c) {
    try {
      if (!c || c.candidate === null || c.candidate === undefined) await this.pc.addIceCandidate();
      else await this.pc.addIceCandidate(c);
    } catch (e) {
      this.emit('error', e);
    }
  }

  /**
   * Calls the other member of our room (300). Resolves once the server accepted the 300.
   * @param {string} [peer] display only: the target is always the other room member
   */
  async start(peer) {
    if (this.state !== 'idle' && this.state !== 'ended') throw new Error(`cannot call while ${this.state}`);
    this.reset();
    this.role = 'caller';
    this.peer = peer || null;
    this.set('calling');
    try {
      const pc = await this.setup();
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      this.setupStartedAt = now();
      const ack = await this.im.requestCall(pc.localDescription.toJSON());
      if (this.pc !== pc) return; // ended meanwhile
      this.callId = ack.callId ? String(ack.callId) : this.callId;
      this.flushLocal();
      this.set('calling');
    } catch (e) {
      this.end('failed');
      throw e;
    }
  }

  /** @private 301 */
  onIncoming(f) {
    const sdp = parseSignal(f);
    if (this.state === 'connected' || this.state === 'connecting') {
      // a renegotiation from our peer in an active call
      if (this.pc && f.callId && String(f.callId) === this.callId && sdp) this.renegotiate(sdp);
      return;
    }
    this.reset();
    this.role = 'callee';
    this.callId = f.callId != null ? String(f.callId) : null;
    this.peer = f.userId || f.requestUserId || null;
    this.pendingOffer = sdp;
    this.setupStartedAt = now();
    this.set('ringing');
  }

  /** @private */
  async renegotiate(offer) {
    await this.pc.setRemoteDescription(offer);
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    await this.im.acceptCall(this.pc.localDescription.toJSON(), this.callId);
  }

  /** Answers the ringing call (310). */
  async accept() {
    if (this.state !== 'ringing' || !this.pendingOffer) throw new Error('no incoming call');
    this.set('connecting');
    try {
      const pc = await this.setup();
      await pc.setRemoteDescription(this.pendingOffer);
      await this.flushRemote();
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      await this.im.acceptCall(pc.localDescription.toJSON(), this.callId);
      if (this.pc !== pc) return;
      this.flushLocal();
    } catch (e) {
      this.end('failed');
      throw e;
    }
  }

  /** Rejects the ringing call (320). */
  async reject() {
    const callId = this.callId;
    this.end('rejected');
    await this.im.rejectCall(callId);
  }

  /** Hangs up (330): the server tells the peer (321) and disbands the room (560). */
  async hangUp() {
    const callId = this.callId;
    this.end('hangup');
    await this.im.hangUp(callId);
  }

  /** @private 311 */
  async onAccepted(f) {
    if (this.role !== 'caller' || !this.pc) return;
    if (f.callId != null) this.callId = String(f.callId);
    const sdp = parseSignal(f);
    if (!sdp) return;
    if (this.state === 'calling') this.set('connecting');
    try {
      await this.pc.setRemoteDescription(sdp);
      await this.flushRemote();
    } catch (e) {
      this.emit('error', e);
    }
  }

  /** @private 341 / 343 */
  onRemoteCandidate(f) {
    if (this.callId && f.callId != null && String(f.callId) !== this.callId) return; // another call's leftovers
    const c = parseSignal(f);
    if (this.pc && this.pc.remoteDescription) this.addRemote(c);
    else this.remoteQueue.push(c);
  }

  /** @private 321 */
  onEnded(f) {
    if (this.callId && f.callId != null && String(f.callId) !== this.callId) return;
    this.end(f.reason || 'ended');
  }

  /** @private */
  reset() {
    this.remoteQueue = [];
    this.localQueue = [];
    this.signalingReady = false;
    this.pendingOffer = null;
    this.callId = null;
    this.setupStartedAt = null;
    this.setupMs = null;
    this.lastStats = null;
    this.statsReported = false;
    this.stopStatsTimer();
  }

  /** @private refreshes {@link lastStats} now and every STATS_REFRESH_MS while `pc` is ours */
  watchStats(pc) {
    const refresh = () => {
      if (this.pc !== pc) return;
      summarizeCallStats(pc, this.setupMs === null ? {} : { setupMs: this.setupMs })
        .then((s) => { if (this.pc === pc && s) this.lastStats = s; })
        .catch(() => { /* a closed or failing peer connection: keep the previous summary */ });
    };
    refresh();
    if (this.statsTimer === null) this.statsTimer = setInterval(refresh, STATS_REFRESH_MS);
  }

  /** @private */
  stopStatsTimer() {
    if (this.statsTimer !== null) clearInterval(this.statsTimer);
    this.statsTimer = null;
  }

  /**
   * Sends this call's 660 CALL_STATS once, from the latest summary, if the call connected. The frame is written
   * synchronously (before a hang-up's 330, before a page unloads); its answer is only logged: a refusal (e.g.
   * `UNKNOWN_MSG_TYPE` from a server without §14.6), a timeout or a disconnect never affects the call. Emits
   * `stats` with `{callId, stats}` when sent and `stats-result` with `{callId, stats, ok, error?}` on the answer.
   * @returns {boolean} whether a 660 was written
   */
  reportStats() {
    if (this.statsReported || !this.callId || !this.lastStats) return false;
    this.statsReported = true;
    const callId = this.callId;
    const { setupMs: _, ...summary } = this.lastStats;
    const stats = { ...summary, callId };
    if (this.setupMs !== null && this.setupMs <= MAX_SETUP_MS) stats.setupMs = this.setupMs;
    let answer;
    try {
      answer = this.im.callStats(stats);
    } catch (e) {
      answer = Promise.reject(e);
    }
    this.emit('stats', { callId, stats });
    answer.then(
      () => this.emit('stats-result', { callId, stats, ok: true }),
      (e) => {
        console.warn(`call ${callId}: stats not recorded (${e?.code || e?.message || e})`);
        this.emit('stats-result', { callId, stats, ok: false, error: e });
      },
    );
    return true;
  }

  /**
   * Tears the local side down (no frame sent) and returns to `idle`.
   * @param {string} reason
   */
  end(reason) {
    if (this.pc) {
      this.reportStats();
      this.stopStatsTimer();
      this.pc.onicecandidate = null;
      this.pc.ontrack = null;
      this.pc.oniceconnectionstatechange = null;
      this.pc.onconnectionstatechange = null;
      this.pc.close();
    }
    this.pc = null;
    if (this.local) this.local.getTracks().forEach((t) => t.stop());
    this.local = null;
    for (const v of [this.o.localVideo, this.o.remoteVideo]) {
      if (v) { v.srcObject = null; v.removeAttribute('data-live'); }
    }
    const wasActive = this.state !== 'idle';
    this.reset();
    this.role = null;
    this.peer = null;
    if (wasActive) this.set('idle', { reason });
  }

  /** Stops listening to the client. */
  dispose() {
    this.end('disposed');
    this.offs.forEach((off) => off());
    if (typeof globalThis.removeEventListener === 'function') globalThis.removeEventListener('pagehide', this.onPageHide);
  }
}
