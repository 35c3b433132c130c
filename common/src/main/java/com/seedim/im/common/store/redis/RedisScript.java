package com.seedim.im.common.store.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run with EVALSHA, falling back to EVAL (which loads it) when the server does not know it.
 *
 * <p>On a Redis Cluster the Vert.x client sends EVALSHA to the master of its keys' slot (any master when it has no
 * key) and refuses it before sending when the keys span slots; the NOSCRIPT fallback goes the same way, so each master
 * loads the script the first time it runs there. Hence every key a script touches is passed in {@code keys} (never
 * built inside the script) and all of them share one hash slot ({@link com.seedim.im.common.store.RedisKeys}).
 */
public final class RedisScript {
  private final String source;
  private final String sha;

  public RedisScript(String source) {
    this.source = source;
    try {
      this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Future<Response> run(RedisAPI api, List<String> keys, List<String> args) {
    List<String> a = new ArrayList<>(keys.size() + args.size() + 2);
    a.add(sha);
    a.add(Integer.toString(keys.size()));
    a.addAll(keys);
    a.addAll(args);
    return api.evalsha(a).recover(err -> {
      if (err.getMessage() != null && err.getMessage().startsWith("NOSCRIPT")) {
        List<String> b = new ArrayList<>(a);
        b.set(0, source);
        return api.eval(b);
      }
      return Future.failedFuture(err);
    });
  }

}
