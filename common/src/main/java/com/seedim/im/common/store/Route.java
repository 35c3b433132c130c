package com.seedim.im.common.store;

/**
 * Where one device of a user is connected.
 *
 * @param gateway the push address of the gateway instance holding the socket
 */
public record Route(String deviceId, String connId, String gateway, String role, long connectedAt) {

  public String encode() {
    return connId + "|" + gateway + "|" + role + "|" + connectedAt;
  }

  public static Route decode(String deviceId, String value) {
    String[] p = value.split("\\|", 4);
    return new Route(deviceId, p[0], p[1], p[2], Long.parseLong(p[3]));
  }
}
