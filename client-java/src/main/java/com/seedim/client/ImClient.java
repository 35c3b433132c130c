package com.seedim.client;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A SeedIM connection for one device (docs/protocol.md). It keeps the socket open (heartbeats, reconnects with
 * backoff), acknowledges and de-duplicates pushes, correlates requests with their answers by {@code unique}, and
 * offers one typed helper per client msgType.
 *
 * <p><b>Threads.</b> Each client owns one daemon thread, {@code seedim-client-N}. All state changes, all
 * {@link ImListener} callbacks and the completion of every returned future happen on it, in order. The public
 * methods may be called from any thread. Do not block that thread (e.g. {@code join()} a request inside a
 * listener callback): chain with {@code thenAccept}/{@code thenCompose} instead, or hop to your UI thread.
 *
 * <p>Create with {@link #builder(Supplier)}; call {@link #connect()}; end with {@link #logout()} or
 * {@link #close()}.
 */
public final class ImClient implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ImClient.class.getName());
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Connection states, in the order a connection usually passes them. */
  public enum State { IDLE, CONNECTING, OPEN, RECONNECTING, CLOSED }

  private final Supplier<? extends CompletionStage<String>> url;
  private final WebSocketTransport transport;
  private final ImListener listener;
  private final Duration heartbeat;
  private final Duration requestTimeout;
  private final boolean reconnect;
  private final long backoffBaseMs;
  private final long backoffMaxMs;
  private final long resetAfterMs;
  private final Duration ackBatch;
  private final boolean autoAck;
  private final Function<String, ? extends CompletionStage<ChatSign>> chatSigner;

  private final ScheduledExecutorService loop;
  private volatile Thread loopThread;
  private final String prefix = "c" + UUID.randomUUID().toString().substring(0, 8);
  private final AtomicLong seq = new AtomicLong();

  // confined to the loop thread
  private volatile State state = State.IDLE;
  private Conn conn;
  private volatile WebSocketTransport.Socket openSocket;
  private int attempt;
  private boolean stopped = true;
  private boolean terminal;
  private CompletableFuture<Void> opening;
  private ScheduledFuture<?> reconnectTimer;
  private ScheduledFuture<?> heartbeatTimer;
  private ScheduledFuture<?> ackTimer;
  private Frame lastNotice;
  private final Map<String, Pending> pending = new HashMap<>();
  private final RecentSet seenUniques;
  private final RecentSet seenMessageIds;
  private final List<String> ackIds = new ArrayList<>();
  private final Map<String, CachedSign> signs = new HashMap<>();

  private static final class Conn {
    WebSocketTransport.Socket socket;
    long openedAtNanos;
    long lastInboundNanos;
  }

  private static final class Pending {
    final int type;
    final CompletableFuture<Frame> future;
    ScheduledFuture<?> timer;

    Pending(int type, CompletableFuture<Frame> future) {
      this.type = type;
      this.future = future;
    }
  }

  private static final class CachedSign {
    final ChatSign sign;
    final long atNanos;

    CachedSign(ChatSign sign, long atNanos) {
      this.sign = sign;
      this.atNanos = atNanos;
    }
  }

  /** A set remembering the most recent keys (bounded memory for de-duplication). */
  private static final class RecentSet {
    private final int max;
    private final LinkedHashSet<String> set = new LinkedHashSet<>();

    RecentSet(int max) {
      this.max = max;
    }

    /** Adds the key; true when it was already there. */
    boolean seen(String key) {
      if (set.contains(key)) {
        return true;
      }
      set.add(key);
      if (set.size() > max) {
        set.remove(set.iterator().next());
      }
      return false;
    }
  }

  private ImClient(Builder b) {
    this.url = b.url;
    this.transport = b.transport != null ? b.transport : new JdkWebSocketTransport();
    this.listener = b.listener != null ? b.listener : new ImListener() { };
    this.heartbeat = b.heartbeat;
    this.requestTimeout = b.requestTimeout;
    this.reconnect = b.reconnect;
    this.backoffBaseMs = b.backoffBase.toMillis();
    this.backoffMaxMs = b.backoffMax.toMillis();
    this.resetAfterMs = b.resetAfter.toMillis();
    this.ackBatch = b.ackBatch;
    this.autoAck = b.autoAck;
    this.chatSigner = b.chatSigner;
    this.seenUniques = new RecentSet(b.dedupCapacity);
    this.seenMessageIds = new RecentSet(b.dedupCapacity * 2);
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "seedim-client-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      loopThread = t;
      return t;
    });
  }

  /**
   * A builder. {@code url} supplies a signed connect URL (§2.1) from your business server; it is called again
   * for every reconnect, because signs expire after the app's {@code signTtlSeconds}.
   */
  public static Builder builder(Supplier<? extends CompletionStage<String>> url) {
    return new Builder(url);
  }

  /** Options; the defaults follow the protocol's advice. */
  public static final class Builder {
    private final Supplier<? extends CompletionStage<String>> url;
    private WebSocketTransport transport;
    private ImListener listener;
    private Duration heartbeat = Duration.ofSeconds(30);
    private Duration requestTimeout = Duration.ofSeconds(15);
    private boolean reconnect = true;
    private Duration backoffBase = Duration.ofSeconds(1);
    private Duration backoffMax = Duration.ofSeconds(30);
    private Duration resetAfter = Duration.ofSeconds(5);
    private Duration ackBatch = Duration.ofMillis(20);
    private boolean autoAck = true;
    private int dedupCapacity = 4096;
    private Function<String, ? extends CompletionStage<ChatSign>> chatSigner;

    private Builder(Supplier<? extends CompletionStage<String>> url) {
      this.url = Objects.requireNonNull(url, "url");
    }

    /** The WebSocket implementation; default {@link JdkWebSocketTransport} (use an OkHttp adapter on Android). */
    public Builder transport(WebSocketTransport t) {
      this.transport = t;
      return this;
    }

    public Builder listener(ImListener l) {
      this.listener = l;
      return this;
    }

    /**
     * How often to send 20 (use {@code heartbeatSeconds} of the sign answer; default 30 s). With nothing
     * received for three intervals the socket is presumed dead and replaced. {@link Duration#ZERO} turns both off.
     */
    public Builder heartbeat(Duration d) {
      this.heartbeat = d;
      return this;
    }

    /** A request without an answer within this fails with {@code TIMEOUT} (default 15 s). */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = d;
      return this;
    }

    /** Reconnect automatically after an unexpected close (default true). */
    public Builder reconnect(boolean on) {
      this.reconnect = on;
      return this;
    }

    /** Exponential backoff with jitter from {@code base} (default 1 s) doubling to {@code max} (default 30 s). */
    public Builder backoff(Duration base, Duration max) {
      this.backoffBase = base;
      this.backoffMax = max;
      return this;
    }

    /** 140s are acked with one 141 per batch (≤ 200 ids) after this delay (default 20 ms; zero = at once). */
    public Builder ackBatch(Duration d) {
      this.ackBatch = d;
      return this;
    }

    /**
     * Acknowledge reliable pushes automatically (default true). Off, the app must call {@link #ack(String)} /
     * {@link #ackMessages(Collection)} itself, or the server resends and finally closes with 4002.
     */
    public Builder autoAck(boolean on) {
      this.autoAck = on;
      return this;
    }

    /** How many push {@code unique}s (and twice as many message ids) to remember for de-duplication. */
    public Builder dedupCapacity(int n) {
      this.dedupCapacity = n;
      return this;
    }

    /**
     * Fetches a chat permission for a receiver ({@code POST /api/v1/chat-sign} through your business server).
     * When set, {@link #sendMessage} attaches it (cached 60 s per receiver) and retries once after a 132.
     */
    public Builder chatSigner(Function<String, ? extends CompletionStage<ChatSign>> f) {
      this.chatSigner = f;
      return this;
    }

    public ImClient build() {
      return new ImClient(this);
    }
  }

  // -----------------------------------------------------------------------------------------------------------
  // lifecycle

  /** The current state. */
  public State state() {
    return state;
  }

  /**
   * Opens the connection and keeps it open until {@link #close()}, {@link #logout()}, a 99 REPLACED / KICKED,
   * close 4001 or a final refusal. The future completes when the first socket is open, or fails with an
   * {@link ImException} ({@code DISCONNECTED}, cause {@link HandshakeRefusedException} when refused) if that
   * first attempt fails — reconnect attempts then go on unless the refusal was final.
   */
  public CompletableFuture<Void> connect() {
    return call(() -> {
      if (terminal) {
        return failed(new ImException("CLOSED", "this client was closed"));
      }
      if (conn != null && opening != null) {
        return opening;
      }
      cancel(reconnectTimer);
      stopped = false;
      attempt = 0;
      opening = open();
      return opening;
    });
  }

  private CompletableFuture<Void> open() {
    setState(attempt == 0 ? State.CONNECTING : State.RECONNECTING);
    CompletableFuture<Void> result = new CompletableFuture<>();
    Conn c = new Conn();
    conn = c;
    CompletionStage<String> sign;
    try {
      sign = url.get();
    } catch (RuntimeException e) {
      sign = failed(e);
    }
    sign.whenCompleteAsync((u, e) -> {
      if (conn != c) {
        result.completeExceptionally(new ImException("DISCONNECTED", "closed"));
        return;
      }
      if (e != null || u == null) {
        conn = null;
        Throwable cause = unwrap(e);
        scheduleReconnect(1006, "sign failed: " + cause, -1);
        result.completeExceptionally(new ImException("DISCONNECTED", "could not get a connect URL: " + cause));
        return;
      }
      connectSocket(c, u, result);
    }, loop);
    return result;
  }

  private void connectSocket(Conn c, String u, CompletableFuture<Void> result) {
    WebSocketTransport.Listener l = new WebSocketTransport.Listener() {
      @Override
      public void onOpen(WebSocketTransport.Socket socket) {
        onLoopOr(() -> opened(c, socket, result), socket::abort);
      }

      @Override
      public void onText(String text) {
        loop.execute(() -> {
          if (conn == c) {
            onData(c, text);
          }
        });
      }

      @Override
      public void onClose(int code, String reason) {
        loop.execute(() -> closed(c, code, reason));
      }

      @Override
      public void onError(Throwable error) {
        loop.execute(() -> closed(c, 1006, String.valueOf(error)));
      }
    };
    CompletionStage<WebSocketTransport.Socket> stage;
    try {
      stage = transport.connect(URI.create(u), l);
    } catch (RuntimeException e) {
      stage = failed(e);
    }
    stage.whenComplete((s, e) -> onLoopOr(() -> connected(c, s, e, result), () -> {
      if (s != null) {
        s.abort(); // the client was closed for good while connecting
      }
    }));
  }

  private void connected(Conn c, WebSocketTransport.Socket s, Throwable e, CompletableFuture<Void> result) {
    if (e == null) {
      opened(c, s, result);
      return;
    }
    if (conn != c) {
      return;
    }
    conn = null;
    Throwable cause = unwrap(e);
    if (cause instanceof HandshakeRefusedException) {
      HandshakeRefusedException r = (HandshakeRefusedException) cause;
      emit(() -> listener.onRefused(r));
      if (r.isFinal()) {
        finish(1006, "refused: HTTP " + r.status());
      } else {
        scheduleReconnect(1006, "refused: HTTP " + r.status(), r.retryAfterMs() > 0 ? r.retryAfterMs() : -1);
      }
    } else {
      scheduleReconnect(1006, "connect failed: " + cause, -1);
    }
    ImException ex = new ImException("DISCONNECTED", "connect failed: " + cause.getMessage());
    ex.initCause(cause);
    result.completeExceptionally(ex);
  }


  private void opened(Conn c, WebSocketTransport.Socket socket, CompletableFuture<Void> result) {
    if (conn != c) {
      socket.abort(); // closed meanwhile
      result.completeExceptionally(new ImException("DISCONNECTED", "closed"));
      return;
    }
    if (c.socket != null) {
      return; // the second of onOpen and the connect stage
    }
    c.socket = socket;
    c.openedAtNanos = System.nanoTime();
    c.lastInboundNanos = c.openedAtNanos;
    openSocket = socket;
    setState(State.OPEN);
    startHeartbeat(c);
    emit(listener::onOpen);
    result.complete(null);
  }

  private void closed(Conn c, int code, String reason) {
    if (conn != c) {
      return;
    }
    conn = null;
    openSocket = null;
    opening = null;
    cancel(heartbeatTimer);
    failPending("DISCONNECTED", "connection closed (" + code + ")");
    if (c.socket == null) {
      scheduleReconnect(code, reason, -1);
      return;
    }
    if (System.nanoTime() - c.openedAtNanos > TimeUnit.MILLISECONDS.toNanos(resetAfterMs)) {
      attempt = 0; // only a connection that lived a while resets the backoff
    }
    Frame notice = lastNotice;
    String nc = notice == null ? null : notice.string("code");
    if (code == 4001 || "REPLACED".equals(nc) || "KICKED".equals(nc)) {
      emit(() -> listener.onKicked(notice));
      finish(code, reason);
      return;
    }
    long retry = "SHUTDOWN".equals(nc) ? notice.number("retryAfterMs", -1) : -1;
    scheduleReconnect(code, reason, retry > 0 ? retry : -1);
  }

  private void scheduleReconnect(int code, String reason, long delayMs) {
    if (stopped || !reconnect) {
      finish(code, reason);
      return;
    }
    attempt++;
    long delay = delayMs;
    if (delay < 0) {
      // exponential backoff with "equal jitter": half fixed, half random
      long cap = Math.min(backoffMaxMs, backoffBaseMs << Math.min(attempt - 1, 20));
      delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }
    lastNotice = null;
    setState(State.RECONNECTING);
    long d = delay;
    emit(() -> listener.onClose(code, reason, true, d));
    cancel(reconnectTimer);
    reconnectTimer = loop.schedule(() -> {
      if (!stopped && conn == null) {
        opening = open();
        opening.exceptionally(e -> null); // the next attempt is already scheduled
      }
    }, delay, TimeUnit.MILLISECONDS);
  }

  private void finish(int code, String reason) {
    stopped = true;
    lastNotice = null;
    if (state != State.CLOSED) {
      setState(State.CLOSED);
      emit(() -> listener.onClose(code, reason, false, 0));
    }
    if (terminal) {
      loop.shutdown();
    }
  }

  /**
   * Closes the connection for good: no reconnect, the client's thread ends after the final
   * {@link ImListener#onClose}. (Use {@link #logout()} to also tell the server the user left on purpose.)
   */
  @Override
  public void close() {
    if (loop.isShutdown()) {
      return;
    }
    run(() -> {
      terminal = true;
      stopConnection();
    });
  }

  private void stopConnection() {
    stopped = true;
    cancel(reconnectTimer);
    Conn c = conn;
    if (c != null && c.socket != null) {
      c.socket.close(1000, "closed by client");
      // a peer that never answers the close must not keep us waiting
      loop.schedule(() -> {
        if (conn == c) {
          c.socket.abort();
          closed(c, 1000, "closed by client");
        }
      }, 2, TimeUnit.SECONDS);
    } else {
      conn = null;
      failPending("DISCONNECTED", "closed");
      finish(1000, "closed by client");
    }
  }

  private void setState(State s) {
    State previous = state;
    if (previous == s) {
      return;
    }
    state = s;
    emit(() -> listener.onState(s, previous));
  }

  private void startHeartbeat(Conn c) {
    cancel(heartbeatTimer);
    if (heartbeat.isZero() || heartbeat.isNegative()) {
      return;
    }
    long period = heartbeat.toNanos();
    heartbeatTimer = loop.scheduleAtFixedRate(() -> {
      if (conn != c || c.socket == null) {
        return;
      }
      if (System.nanoTime() - c.lastInboundNanos > 3 * period) {
        // nothing at all heard for three periods (not even a 21): the link is dead even if TCP has not noticed
        c.socket.abort();
        closed(c, 4000, "heartbeat timeout");
        return;
      }
      heartbeat().exceptionally(e -> null);
    }, period, period, TimeUnit.NANOSECONDS);
  }

  // -----------------------------------------------------------------------------------------------------------
  // frames in

  private void onData(Conn c, String text) {
    c.lastInboundNanos = System.nanoTime();
    Frame f;
    try {
      f = Frame.parse(text);
    } catch (IllegalArgumentException e) {
      LOG.log(Level.FINE, "ignoring a frame that is not a JSON object: {0}", text);
      return;
    }
    int t = f.type();
    String u = f.unique();
    Pending p = u == null ? null : pending.get(u);
    if (p != null && isAnswer(t, p.type)) {
      emit(() -> listener.onFrameIn(f, false));
      answer(t, f, u, p);
      return;
    }
    boolean duplicate = false;
    if (t == MsgType.PUSH) {
      String id = f.string("messageId");
      if (id != null) {
        duplicate = seenMessageIds.seen(id);
        if (autoAck) {
          queueAck(id); // duplicates are acked again: the first ack may have been lost
        }
      }
    } else if (u != null) {
      duplicate = seenUniques.seen(u);
      if (autoAck && MsgType.isReliablePush(t)) {
        sendRaw(Frame.of(MsgType.ACK).with("unique", u));
      }
    }
    boolean dup = duplicate;
    emit(() -> listener.onFrameIn(f, dup));
    if (duplicate) {
      return;
    }
    if (t == MsgType.NOTICE) {
      lastNotice = f;
    }
    emit(() -> dispatch(t, f));
    emit(() -> listener.onPush(f));
  }

  private void dispatch(int t, Frame f) {
    switch (t) {
      case MsgType.PUSH: listener.onMessage(new ChatMessage(f)); break;
      case MsgType.DELIVERED: listener.onDelivered(f); break;
      case MsgType.READ_NOTICE: listener.onRead(f); break;
      case MsgType.RETRACTED_SENDER: case MsgType.RETRACTED_RECEIVER: listener.onRetracted(f); break;
      case MsgType.CONVERSATION_HEAD: listener.onConversationHead(new ChatMessage(f)); break;
      case MsgType.FRIEND_ONLINE: case MsgType.FRIEND_OFFLINE:
        listener.onPresence(f.string("friendUserId"), t == MsgType.FRIEND_ONLINE);
        break;
      case MsgType.NOTICE: listener.onNotice(f); break;
      case MsgType.QUEUE_TAKEN: case MsgType.QUEUE_POSITION: case MsgType.MEMBER_LEFT: case MsgType.QUEUE_INFO_REPLY:
      case MsgType.QUEUE_TIMEOUT: case MsgType.AGENT_STATUS_REPLY:
        listener.onQueue(f);
        break;
      case MsgType.ROOM_INFO_REPLY: case MsgType.ROOM_DISBANDED: case MsgType.ROOM_TRANSFERRED: listener.onRoom(f); break;
      case MsgType.CALL_INCOMING: case MsgType.CALL_ACCEPTED: case MsgType.CALL_ENDED:
      case MsgType.CALLER_CANDIDATE_RELAY: case MsgType.CALLEE_CANDIDATE_RELAY:
        listener.onCall(f);
        break;
      default:
        break;
    }
  }

  private static boolean isAnswer(int t, int request) {
    return t == MsgType.RECEIVED || t == MsgType.ERROR || (MsgType.replyOf(request) != 0 && t == MsgType.replyOf(request))
      || (request == MsgType.SEND && (t == MsgType.CHAT_SIGN_EXPIRED || t == MsgType.SENSITIVE_WORD));
  }

  private void answer(int t, Frame f, String u, Pending p) {
    if (t == MsgType.RECEIVED && MsgType.replyOf(p.type) != 0) {
      return; // the reply follows the 30
    }
    pending.remove(u);
    cancel(p.timer);
    if (t == MsgType.ERROR) {
      String code = f.string("code");
      p.future.completeExceptionally(new ImException(code == null ? "INTERNAL" : code,
        Objects.toString(f.string("message"), "error"), f));
    } else if (t == MsgType.CHAT_SIGN_EXPIRED) {
      p.future.completeExceptionally(new ImException("CHAT_SIGN_EXPIRED", "no valid chat permission for "
        + f.string("receiveUserId") + " (132)", f));
    } else if (t == MsgType.SENSITIVE_WORD) {
      p.future.completeExceptionally(new ImException("SENSITIVE_WORD", "the message contains a sensitive word (133)", f));
    } else {
      p.future.complete(f);
    }
  }

  private void queueAck(String messageId) {
    ackIds.add(messageId);
    if (ackIds.size() >= 200 || ackBatch.isZero()) {
      flushAcks();
    } else if (ackTimer == null) {
      ackTimer = loop.schedule(this::flushAcks, ackBatch.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void flushAcks() {
    cancel(ackTimer);
    ackTimer = null;
    while (!ackIds.isEmpty()) {
      List<String> ids = new ArrayList<>(ackIds.subList(0, Math.min(200, ackIds.size())));
      ackIds.subList(0, ids.size()).clear();
      // a socket closing meanwhile is fine: unacked 140s stay undelivered and are replayed on the next connect
      sendRaw(ids.size() == 1 ? Frame.of(MsgType.PUSH_ACK).with("messageId", ids.get(0))
        : Frame.of(MsgType.PUSH_ACK).with("messageIds", ids));
    }
  }

  private void failPending(String code, String message) {
    List<Pending> all = new ArrayList<>(pending.values());
    pending.clear();
    for (Pending p : all) {
      cancel(p.timer);
      p.future.completeExceptionally(new ImException(code, message));
    }
    ackIds.clear();
    cancel(ackTimer);
    ackTimer = null;
  }

  // -----------------------------------------------------------------------------------------------------------
  // frames out

  /** A fresh client {@code unique}: distinct per client instance, never starting with "s" (§1.4). */
  public String nextUnique() {
    return prefix + "-" + seq.incrementAndGet();
  }

  /**
   * Sends a frame as is: no {@code unique} added, no answer awaited. Returns false when no socket is open.
   * Frames sent from the client's thread keep their order with the helpers' frames.
   */
  public boolean sendRaw(Frame frame) {
    WebSocketTransport.Socket s = openSocket;
    if (s == null) {
      return false;
    }
    s.send(frame.toString());
    return true;
  }

  /**
   * Sends a client frame and completes with its answer: the reply frame for types that have one (20 → 21,
   * 101, 102, 161 → 162, 180, 251 → 252, 401 → 402, 430 → 431, 540 → 541, 550 → 551), else the 30. Fails with
   * an {@link ImException}: the §3.2 code of a 10, {@code CHAT_SIGN_EXPIRED} (132), {@code SENSITIVE_WORD} (133),
   * {@code TIMEOUT}, {@code DISCONNECTED} or {@code NOT_CONNECTED}. A {@code unique} is added unless the frame
   * has one: to retry safely (§4.3) send the same frame again with the same {@code unique}. 31 and 141 get no
   * answer: they complete once handed to the socket.
   */
  public CompletableFuture<Frame> request(Frame frame) {
    return request(frame, requestTimeout);
  }

  /** {@link #request(Frame)} with its own timeout. */
  public CompletableFuture<Frame> request(Frame frame, Duration timeout) {
    int t = frame.type();
    if (t == MsgType.ACK || t == MsgType.PUSH_ACK) {
      return call(() -> sendRaw(frame) ? CompletableFuture.completedFuture(frame)
        : failed(new ImException("NOT_CONNECTED", "not connected")));
    }
    Frame f = frame.unique() != null ? frame : frame.with("unique", nextUnique());
    String u = f.unique();
    return call(() -> {
      CompletableFuture<Frame> future = new CompletableFuture<>();
      if (pending.containsKey(u)) {
        future.completeExceptionally(new ImException("INVALID_STATE", "a request with unique " + u + " is pending"));
        return future;
      }
      if (openSocket == null) {
        future.completeExceptionally(new ImException("NOT_CONNECTED", "not connected"));
        return future;
      }
      Pending p = new Pending(t, future);
      p.timer = loop.schedule(() -> {
        if (pending.remove(u, p)) {
          future.completeExceptionally(new ImException("TIMEOUT", "no answer to " + t + " within " + timeout.toMillis() + " ms"));
        }
      }, timeout.toNanos(), TimeUnit.NANOSECONDS);
      pending.put(u, p);
      sendRaw(f);
      return future;
    });
  }

  // -----------------------------------------------------------------------------------------------------------
  // typed helpers, one per client msgType

  /** 20: a heartbeat (sent automatically). Completes with the 21 (its {@code timestamp} is the server clock). */
  public CompletableFuture<Frame> heartbeat() {
    return request(Frame.of(MsgType.HEARTBEAT));
  }

  /** 31: acknowledges a reliable push by its {@code unique} (done automatically unless autoAck is off). */
  public CompletableFuture<Frame> ack(String unique) {
    return request(Frame.of(MsgType.ACK).with("unique", unique));
  }

  /** 101: online status of up to 200 users: user id → online. */
  public CompletableFuture<Map<String, Boolean>> onlineStatus(Collection<String> userIds) {
    return request(Frame.of(MsgType.ONLINE_STATUS).with("userIds", new ArrayList<>(userIds))).thenApply(f -> {
      Map<String, Boolean> out = new LinkedHashMap<>();
      f.map("statuses").forEach((k, v) -> out.put(k, Boolean.parseBoolean(v)));
      return out;
    });
  }

  /** 102: the oldest 200 unread messages to this user, optionally only from {@code peer} (null = all). */
  public CompletableFuture<MessagePage> unreadMessages(String peer) {
    Frame f = Frame.of(MsgType.UNREAD_MESSAGES);
    return request(peer == null ? f : f.with("receiveUserId", peer)).thenApply(MessagePage::new);
  }

  /** 130 with {@code contentType: text}: completes with the 30 once the message is stored. */
  public CompletableFuture<SendResult> sendText(String receiveUserId, String text) {
    return sendMessage(receiveUserId, text, "text", null);
  }

  /**
   * 130: sends a message. Completes with the 30 ({@link SendResult#messageId()}, {@code sendTime}) once it is
   * durably stored. With a {@code chatSigner}, the chat permission is attached and refreshed once after a 132.
   * Fails with {@code CHAT_SIGN_EXPIRED}, {@code SENSITIVE_WORD}, {@code MESSAGE_REJECTED} (the app's own check refused
   * it, nothing stored; the exception's message carries the app's reason) or a §3.2 code.
   *
   * @param unique null for a fresh one; pass the same one to retry safely after {@code TIMEOUT} /
   *     {@code UNAVAILABLE} / {@code DISCONNECTED} (§4.3)
   */
  public CompletableFuture<SendResult> sendMessage(String receiveUserId, String message, String contentType, String unique) {
    Frame f = Frame.of(MsgType.SEND).with("receiveUserId", receiveUserId).with("message", message)
      .with("contentType", contentType == null ? "text" : contentType)
      .with("unique", unique != null ? unique : nextUnique());
    if (chatSigner == null) {
      return request(f).thenApply(SendResult::new);
    }
    return chatSign(receiveUserId, false)
      .thenCompose(s -> request(withSign(f, s)))
      .handle((r, e) -> {
        if (e == null) {
          return CompletableFuture.completedFuture(r);
        }
        Throwable cause = unwrap(e);
        if (cause instanceof ImException && "CHAT_SIGN_EXPIRED".equals(((ImException) cause).code())) {
          // nothing was stored for the 132: the same unique with a fresh sign
          return chatSign(receiveUserId, true).thenCompose(s -> request(withSign(f, s)));
        }
        return ImClient.<Frame>failed(cause);
      })
      .thenCompose(x -> x)
      .thenApply(SendResult::new);
  }

  private static Frame withSign(Frame f, ChatSign s) {
    return f.with("receiveSign", s.receiveSign()).with("timestamp", s.timestamp());
  }

  private CompletableFuture<ChatSign> chatSign(String peer, boolean fresh) {
    return call(() -> {
      CachedSign c = signs.get(peer);
      if (!fresh && c != null && System.nanoTime() - c.atNanos < TimeUnit.SECONDS.toNanos(60)) {
        return CompletableFuture.completedFuture(c.sign);
      }
      return chatSigner.apply(peer).toCompletableFuture().thenApplyAsync(s -> {
        signs.put(peer, new CachedSign(s, System.nanoTime()));
        return s;
      }, loop);
    });
  }

  /** 141: acknowledges 140 pushes by message id (done automatically unless autoAck is off). */
  public CompletableFuture<Frame> ackMessages(Collection<String> messageIds) {
    List<String> ids = new ArrayList<>(messageIds);
    return request(ids.size() == 1 ? Frame.of(MsgType.PUSH_ACK).with("messageId", ids.get(0))
      : Frame.of(MsgType.PUSH_ACK).with("messageIds", ids));
  }

  /** 160: marks every message from {@code peer} read (→ 199 to the peer and this user's other devices). */
  public CompletableFuture<Frame> viewPeer(String peer) {
    return request(Frame.of(MsgType.VIEW_PEER).with("receiveUserId", peer));
  }

  /** 161: page {@code pageIndex} (1 = newest) of the conversation with {@code peer}. */
  public CompletableFuture<MessagePage> history(String peer, int pageIndex, int pageSize) {
    return request(Frame.of(MsgType.HISTORY).with("sender", peer).with("pageIndex", pageIndex).with("pageSize", pageSize))
      .thenApply(MessagePage::new);
  }

  /** 161: the {@code pageSize} messages just older than {@code beforeMessageId} (preferred for scrolling back). */
  public CompletableFuture<MessagePage> historyBefore(String peer, String beforeMessageId, int pageSize) {
    return request(Frame.of(MsgType.HISTORY).with("sender", peer).with("beforeMessageId", beforeMessageId)
      .with("pageSize", pageSize)).thenApply(MessagePage::new);
  }

  /** 180: all unread messages to this user, and the counts per peer. */
  public CompletableFuture<UnreadTotal> unreadTotal() {
    return request(Frame.of(MsgType.UNREAD_TOTAL)).thenApply(UnreadTotal::new);
  }

  /** 190: retracts this user's own message (within the app's {@code retractSeconds}). */
  public CompletableFuture<Frame> retract(String messageId, String peer) {
    Frame f = Frame.of(MsgType.RETRACT).with("messageId", messageId);
    return request(peer == null ? f : f.with("receiveUserId", peer));
  }

  /** 198: marks {@code messageId} and every earlier message from {@code peer} read. */
  public CompletableFuture<Frame> read(String messageId, String peer) {
    Frame f = Frame.of(MsgType.READ).with("messageId", messageId);
    return request(peer == null ? f : f.with("receiveUserId", peer));
  }

  /**
   * 251: logs this device out (the server answers 252 and closes with 1000; presence changes at once). No
   * reconnect follows; {@link #connect()} may be called again later.
   */
  public CompletableFuture<Frame> logout() {
    run(() -> {
      stopped = true;
      cancel(reconnectTimer);
    });
    CompletableFuture<Frame> r = request(Frame.of(MsgType.LOGOUT));
    r.whenComplete((f, e) -> loop.schedule(() -> {
      Conn c = conn;
      if (c != null && c.socket != null) {
        stopConnection(); // the server closes first; this is only for a server that does not
      }
    }, 1, TimeUnit.SECONDS));
    return r;
  }

  /**
   * 300: starts a call in this user's room with an offer SDP (any JSON value, e.g. {@code {"type":"offer",...}};
   * sent as given), or renegotiates the active call when {@code callId} is given. The 30 carries the new
   * {@code callId} and {@code roomId}.
   */
  public CompletableFuture<Frame> requestCall(Object offer, String callId) {
    return request(signal(MsgType.CALL_REQUEST, offer, callId));
  }

  /** 310: accepts a ringing call with the answer SDP. */
  public CompletableFuture<Frame> acceptCall(Object answer, String callId) {
    return request(signal(MsgType.CALL_ACCEPT, answer, callId));
  }

  /** 320: rejects a ringing call (→ 321 {@code rejected} to the caller). */
  public CompletableFuture<Frame> rejectCall(String callId) {
    return request(signal(MsgType.CALL_REJECT, null, callId));
  }

  /** 330: hangs up; this also ends the room (→ 321 and 560). */
  public CompletableFuture<Frame> hangUp(String callId) {
    return request(signal(MsgType.CALL_HANGUP, null, callId));
  }

  /** 340: one of the caller's ICE candidates (after its 300; {@code {"candidate":null}} ends them). */
  public CompletableFuture<Frame> callerCandidate(Object candidate, String callId) {
    return request(signal(MsgType.CALLER_CANDIDATE, candidate, callId));
  }

  /** 342: one of the callee's ICE candidates (after its 310). */
  public CompletableFuture<Frame> calleeCandidate(Object candidate, String callId) {
    return request(signal(MsgType.CALLEE_CANDIDATE, candidate, callId));
  }

  private static Frame signal(int type, Object message, String callId) {
    Frame f = Frame.of(type);
    if (message != null) {
      f = f.with("message", message);
    }
    return callId == null ? f : f.with("callId", callId);
  }

  /** 400: a customer enters a queue (null = {@code default}); 410 positions follow as pushes. */
  public CompletableFuture<Frame> enterQueue(String queueId) {
    Frame f = Frame.of(MsgType.QUEUE_ENTER);
    return request(queueId == null ? f : f.with("queueId", queueId));
  }

  /**
   * 401: an agent takes the next customer (of {@code queueId}, or any queue it serves when null; or the named
   * {@code receiveUserId}). Completes with the 402 reply ({@code receiveUserId}, {@code roomId}, {@code queueId}).
   */
  public CompletableFuture<Frame> takeNext(String queueId, String receiveUserId) {
    Frame f = Frame.of(MsgType.QUEUE_TAKE);
    if (queueId != null) {
      f = f.with("queueId", queueId);
    }
    return request(receiveUserId == null ? f : f.with("receiveUserId", receiveUserId));
  }

  /** 420: leaves the queue and every room (or only {@code roomId}). */
  public CompletableFuture<Frame> leave(String roomId) {
    Frame f = Frame.of(MsgType.QUEUE_LEAVE);
    return request(roomId == null ? f : f.with("roomId", roomId));
  }

  /** 430: queue info (431: {@code waitIndex}, {@code waitTotal}; agents also {@code waiting}). */
  public CompletableFuture<Frame> queueInfo(String queueId) {
    Frame f = Frame.of(MsgType.QUEUE_INFO);
    return request(queueId == null ? f : f.with("queueId", queueId));
  }

  /** 540: the app's open rooms (agents, admins): the 541 with {@code roomInfoMsgs} and {@code total}. */
  public CompletableFuture<Frame> rooms(int pageIndex, int pageSize) {
    return request(Frame.of(MsgType.ROOM_LIST).with("pageIndex", pageIndex).with("pageSize", pageSize));
  }

  /** 550: a room's info (null = this user's current room): the 551. */
  public CompletableFuture<Frame> roomInfo(String roomId) {
    Frame f = Frame.of(MsgType.ROOM_INFO);
    return request(roomId == null ? f : f.with("roomId", roomId));
  }

  // -----------------------------------------------------------------------------------------------------------
  // the customer-service desk (protocol §14, msgTypes 600–699)

  /** 600: an agent sets its availability ({@code available}, {@code away}, {@code offline}), or reads it (null): the 601. */
  public CompletableFuture<Frame> agentStatus(String status) {
    Frame f = Frame.of(MsgType.AGENT_STATUS);
    return request(status == null ? f : f.with("status", status));
  }

  /** 610: hands a room (null = the agent's newest) to the agent {@code toUserId}; the 611/551/560 pushes follow. */
  public CompletableFuture<Frame> transferToAgent(String roomId, String toUserId) {
    Frame f = Frame.of(MsgType.ROOM_TRANSFER).with("toUserId", toUserId);
    return request(roomId == null ? f : f.with("roomId", roomId));
  }

  /** 610: sends a room's customer back to {@code queueId} (it keeps the room's creation time as its place). */
  public CompletableFuture<Frame> transferToQueue(String roomId, String queueId) {
    Frame f = Frame.of(MsgType.ROOM_TRANSFER).with("queueId", queueId);
    return request(roomId == null ? f : f.with("roomId", roomId));
  }

  /** 630: a customer leaves a message to a queue (null = the one it waits in, else default): the 631. */
  public CompletableFuture<Frame> leaveMessage(String queueId, String message) {
    Frame f = Frame.of(MsgType.LEAVE_MESSAGE).with("message", message);
    return request(queueId == null ? f : f.with("queueId", queueId));
  }

  /** 640: an available agent takes the oldest left message (of {@code queueId}, or every queue it serves): the 641. */
  public CompletableFuture<Frame> takeMessage(String queueId) {
    Frame f = Frame.of(MsgType.MESSAGE_TAKE);
    return request(queueId == null ? f : f.with("queueId", queueId));
  }

  /** 650: a customer's earlier rooms (agents serving it, admins): the 651. */
  public CompletableFuture<Frame> customerRooms(String userId, int pageSize) {
    return request(Frame.of(MsgType.CUSTOMER_ROOMS).with("userId", userId).with("pageSize", pageSize));
  }

  /** 652: a room's chat transcript: the 653. */
  public CompletableFuture<Frame> transcript(String roomId) {
    return request(Frame.of(MsgType.ROOM_TRANSCRIPT).with("roomId", roomId));
  }

  /**
   * 660: a participant's summary of a call's WebRTC statistics ({@code candidateType} host/srflx/prflx/relay; the
   * others may be null).
   */
  public CompletableFuture<Frame> callStats(String callId, String candidateType, Long setupMs, Long rttMs, Double lossPercent) {
    Frame f = Frame.of(MsgType.CALL_STATS).with("callId", callId).with("candidateType", candidateType);
    if (setupMs != null) {
      f = f.with("setupMs", setupMs);
    }
    if (rttMs != null) {
      f = f.with("rttMs", rttMs);
    }
    return request(lossPercent == null ? f : f.with("lossPercent", lossPercent));
  }

  /** 670: an admin's snapshot of queues, agents and rooms: the 671. */
  public CompletableFuture<Frame> supervisorView() {
    return request(Frame.of(MsgType.SUPERVISOR_VIEW));
  }

  // -----------------------------------------------------------------------------------------------------------
  // plumbing

  private boolean onLoop() {
    return Thread.currentThread() == loopThread;
  }

  private void run(Runnable r) {
    if (onLoop()) {
      r.run();
    } else {
      loop.execute(r);
    }
  }

  /** Runs on the client's thread, or {@code rejected} when that thread has ended ({@link #close()}). */
  private void onLoopOr(Runnable r, Runnable rejected) {
    try {
      loop.execute(r);
    } catch (RejectedExecutionException e) {
      rejected.run();
    }
  }

  private <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> s) {
    if (onLoop()) {
      return s.get();
    }
    if (loop.isShutdown()) {
      return failed(new ImException("CLOSED", "this client was closed"));
    }
    return CompletableFuture.supplyAsync(s, loop).thenCompose(x -> x);
  }

  private void emit(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "an ImListener callback threw", e);
    }
  }

  /** {@code CompletableFuture.failedFuture} is Java 9 (Android API 31): this works everywhere. */
  private static <T> CompletableFuture<T> failed(Throwable e) {
    CompletableFuture<T> f = new CompletableFuture<>();
    f.completeExceptionally(e);
    return f;
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
