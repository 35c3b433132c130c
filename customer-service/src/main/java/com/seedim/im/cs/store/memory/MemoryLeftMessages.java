package com.seedim.im.cs.store.memory;

import com.seedim.im.cs.store.LeftMessages;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dev-mode {@link LeftMessages}: every message not yet taken, and the newest {@link #MAX_TAKEN} taken ones, in memory,
 * in the order they were left (ids are time-ordered). One lock makes the limit check and the claim atomic.
 */
public final class MemoryLeftMessages implements LeftMessages {
  /** Taken messages kept (the oldest taken ones go first); messages not yet taken are always kept. */
  static final int MAX_TAKEN = 10_000;

  /** By app and message id, oldest first. */
  private final Map<String, LeftMessage> messages = new LinkedHashMap<>();
  /** The message (key) each claim token took, for as long as the message is kept. */
  private final Map<String, String> claims = new HashMap<>();
  private int taken;

  private static String key(String appId, String messageId) {
    return appId + '\n' + messageId;
  }

  @Override
  public Future<Void> migrate() {
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> add(LeftMessage m, int maxNotTaken) {
    if (count(m.appId(), null, m.userId()) >= maxNotTaken) {
      return Future.succeededFuture(false);
    }
    messages.put(key(m.appId(), m.messageId()), m);
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Integer> notTakenOfUser(String appId, String userId) {
    return Future.succeededFuture(count(appId, null, userId));
  }

  @Override
  public synchronized Future<Integer> waiting(String appId, String queueId) {
    return Future.succeededFuture(count(appId, queueId, null));
  }

  /** Messages of the app not yet taken, of the queue and of the user when they are given. */
  private int count(String appId, String queueId, String userId) {
    int n = 0;
    for (LeftMessage m : messages.values()) {
      if (m.takenBy() == null && m.appId().equals(appId) && (queueId == null || m.queueId().equals(queueId))
        && (userId == null || m.userId().equals(userId))) {
        n++;
      }
    }
    return n;
  }

  @Override
  public synchronized Future<List<String>> queuesWithMessages(String appId) {
    Set<String> out = new LinkedHashSet<>();
    for (LeftMessage m : messages.values()) {
      if (m.takenBy() == null && m.appId().equals(appId)) {
        out.add(m.queueId());
      }
    }
    return Future.succeededFuture(new ArrayList<>(out));
  }

  @Override
  public synchronized Future<LeftMessage> claimOldest(String appId, List<String> queueIds, String agentId, String claim,
                                                      long now) {
    String before = claims.get(key(appId, claim));
    if (before != null) {
      return Future.succeededFuture(messages.get(before));
    }
    Set<String> queues = new HashSet<>(queueIds);
    for (Map.Entry<String, LeftMessage> e : messages.entrySet()) {
      LeftMessage m = e.getValue();
      if (m.takenBy() == null && m.appId().equals(appId) && queues.contains(m.queueId())) {
        LeftMessage claimed = new LeftMessage(m.messageId(), m.appId(), m.queueId(), m.userId(), m.message(), m.createdAt(),
          agentId, now);
        e.setValue(claimed);
        claims.put(key(appId, claim), e.getKey());
        taken++;
        trimTaken();
        return Future.succeededFuture(claimed);
      }
    }
    return Future.succeededFuture(null);
  }

  private void trimTaken() {
    for (Iterator<LeftMessage> it = messages.values().iterator(); taken > MAX_TAKEN && it.hasNext(); ) {
      LeftMessage m = it.next();
      if (m.takenBy() != null) {
        it.remove();
        claims.values().remove(key(m.appId(), m.messageId()));
        taken--;
      }
    }
  }

  @Override
  public synchronized Future<LeftMessage> get(String appId, String messageId) {
    return Future.succeededFuture(messages.get(key(appId, messageId)));
  }
}
