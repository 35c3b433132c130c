package com.seedim.client;

import com.seedim.im.testkit.TestServer;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Builds clients signed for the test app of a {@link TestServer}, the way an app's backend would. */
final class Clients {
  private Clients() {
  }

  /** The future's value within 10 s. */
  static <T> T get(java.util.concurrent.CompletableFuture<T> f) throws Exception {
    return f.get(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  static String uid(String name) {
    return name + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A client whose URL supplier signs a fresh URL on every call (counted in {@code signs}). */
  static ImClient client(int port, String userId, String deviceId, Recorder rec, AtomicInteger signs,
                         Consumer<ImClient.Builder> tweak) {
    return client(port, userId, deviceId, null, rec, signs, tweak);
  }

  /** As above with a role (null: the parameter is absent, i.e. {@code user}). */
  static ImClient client(int port, String userId, String deviceId, String role, Recorder rec, AtomicInteger signs,
                         Consumer<ImClient.Builder> tweak) {
    ImClient.Builder b = ImClient.builder(() -> {
        if (signs != null) {
          signs.incrementAndGet();
        }
        return CompletableFuture.completedFuture(Signer.connectUrl("ws://127.0.0.1:" + port + "/ws", TestServer.SECRET,
          TestServer.APP_ID, userId, deviceId, role));
      })
      .listener(rec)
      .requestTimeout(Duration.ofSeconds(10))
      .chatSigner(peer -> {
        long now = System.currentTimeMillis();
        return CompletableFuture.completedFuture(new ChatSign(Signer.chat(TestServer.SECRET, TestServer.APP_ID, userId, peer, now), now));
      });
    if (tweak != null) {
      tweak.accept(b);
    }
    return b.build();
  }

  static ImClient client(TestServer s, String userId, Recorder rec) {
    return client(s.port(), userId, "d1", rec, null, null);
  }
}
