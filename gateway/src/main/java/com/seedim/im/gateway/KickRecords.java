package com.seedim.im.gateway;

import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.common.bus.msg.KickNotice;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.NoticeCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Kick records (PROTOCOL.md §2: a kick refuses the user's signs issued before it, until they expire). The record is
 * durable in MariaDB ({@value #TABLE}) and every gateway instance keeps the unexpired ones in memory: a kick is
 * written to MariaDB, then published to every gateway ({@link #ADDRESS}); instances load the table at start and
 * reload it every {@link #RELOAD_MS}. So a handshake checks its kick record with no store round trip at all, and a
 * Redis that loses its data cannot re-enable a kicked sign (audit M12). Dev mode (no MariaDB): memory only.
 */
final class KickRecords {
  private static final Logger LOG = LoggerFactory.getLogger(KickRecords.class);
  static final String TABLE = "im_kick_records";
  static final String ADDRESS = "im.gw.kicked";
  static final long RELOAD_MS = 30_000;
  /** Kick records outlive every sign they must refuse. */
  static final long KICK_RECORD_EXTRA_MS = 60_000;
  private static final String DDL = "CREATE TABLE IF NOT EXISTS " + TABLE + " (app_id VARCHAR(64) NOT NULL, "
    + "user_id VARCHAR(64) NOT NULL, kicked_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (app_id, user_id), "
    + "KEY idx_expires (expires_at)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
  private static final String UPSERT = "INSERT INTO " + TABLE + " (app_id, user_id, kicked_at, expires_at) VALUES (?, ?, ?, ?) "
    + "ON DUPLICATE KEY UPDATE kicked_at = GREATEST(kicked_at, VALUES(kicked_at)), expires_at = GREATEST(expires_at, VALUES(expires_at))";

  private record Kick(long at, long expiresAt) {
  }

  private final Vertx vertx;
  private final Infra infra;
  private final Pool mysql;
  private final long timeoutMs;
  private final Map<String, Kick> kicks = new HashMap<>();
  private MessageConsumer<Object> consumer;
  private long reloadTimer = -1;

  KickRecords(Vertx vertx, Infra infra) {
    this.vertx = vertx;
    this.infra = infra;
    this.mysql = infra.durable() ? infra.mysql() : null;
    this.timeoutMs = infra.config().busTimeoutMs();
  }

  Future<Void> start() {
    consumer = vertx.eventBus().consumer(ADDRESS, m -> {
      KickNotice k = BusMessages.read(m.body(), KickNotice.class, KickNotice::fromJson);
      remember(k.appId(), k.userId(), k.at(), k.expiresAt());
    });
    if (mysql == null) {
      return consumer.completion();
    }
    reloadTimer = vertx.setPeriodic(RELOAD_MS, t -> reload().onFailure(err -> LOG.warn("kick records not reloaded: {}", err.toString())));
    return consumer.completion()
      .compose(v -> mysql.query(DDL).execute())
      .compose(v -> reload());
  }

  void stop() {
    if (reloadTimer >= 0) {
      vertx.cancelTimer(reloadTimer);
    }
    if (consumer != null) {
      consumer.unregister();
    }
  }

  private Future<Void> reload() {
    long now = System.currentTimeMillis();
    return mysql.preparedQuery("SELECT app_id, user_id, kicked_at, expires_at FROM " + TABLE + " WHERE expires_at > ?")
      .execute(Tuple.of(now)).timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .map(rows -> {
        for (Row r : rows) {
          remember(r.getString(0), r.getString(1), r.getLong(2), r.getLong(3));
        }
        kicks.values().removeIf(k -> k.expiresAt <= now);
        if (Math.floorMod(now / RELOAD_MS, 20) == 0) {
          mysql.preparedQuery("DELETE FROM " + TABLE + " WHERE expires_at < ?").execute(Tuple.of(now - RELOAD_MS));
        }
        return null;
      });
  }

  private void remember(String appId, String userId, long at, long expiresAt) {
    kicks.merge(key(appId, userId), new Kick(at, expiresAt),
      (a, b) -> new Kick(Math.max(a.at, b.at), Math.max(a.expiresAt, b.expiresAt)));
  }

  /** Signs of this user issued before the returned time (epoch ms) are refused; 0 when there is no live kick. */
  long refusedBefore(String appId, String userId) {
    Kick k = kicks.get(key(appId, userId));
    return k == null || k.expiresAt <= System.currentTimeMillis() ? 0 : k.at;
  }

  /** The HTTP API's kick: 99 KICKED to the user's devices anywhere (or one device), and older signs refused from now on. */
  Future<Integer> kickUser(String appId, String userId, String deviceId) {
    long ttl = infra.config().apps().require(appId).signTtlSeconds() * 1000L + KICK_RECORD_EXTRA_MS;
    return record(appId, userId, System.currentTimeMillis(), ttl)
      .compose(v -> infra.pusher().kickUser(appId, userId, deviceId, NoticeCode.KICKED));
  }

  /** Records a kick durably, then tells every gateway instance. */
  private Future<Void> record(String appId, String userId, long at, long ttlMs) {
    long expiresAt = at + ttlMs;
    Future<Void> stored = mysql == null ? Future.succeededFuture()
      : mysql.preparedQuery(UPSERT).execute(Tuple.of(appId, userId, at, expiresAt)).timeout(timeoutMs, TimeUnit.MILLISECONDS).mapEmpty();
    return stored.onSuccess(v -> vertx.eventBus().publish(ADDRESS, new KickNotice(appId, userId, at, expiresAt)));
  }

  private static String key(String appId, String userId) {
    return appId + '\n' + userId;
  }
}
