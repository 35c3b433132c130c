package com.seedim.im.gateway;

import com.seedim.im.common.bus.msg.BusMessage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** What the HTTP API may ask of its gateway: the services, kicks, the nonce store and its own address. */
interface ApiPort {
  /** A request to a service ({@code Addresses.*_API_*}), failing after the bus timeout; the reply as JSON. */
  Future<JsonObject> request(String address, BusMessage body);

  /** 99 KICKED to the user's devices anywhere (or one device), and the user's older signs refused from now on. */
  Future<Integer> kickUser(String appId, String userId, String deviceId);

  /** Claims a request nonce for the replay window: true the first time, false when it was used already. */
  Future<Boolean> claimNonce(String appId, String nonce, long windowMs);

  /** When this gateway last noticed that Redis lost data (epoch ms), or 0: API requests signed before it are refused. */
  long storeLossNoticedAt();

  /** The WebSocket URL a sign answer hands out ({@code publicWsUrl}, else this listener's own). */
  String wsUrl();
}
