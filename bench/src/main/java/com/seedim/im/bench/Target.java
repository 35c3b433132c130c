package com.seedim.im.bench;

/** Where clients connect: the SeedIM gateway (signed connect) or the baseline relay (no auth). */
record Target(String name, String host, int port, boolean relay, String appId, String secret) {
  String uri(String userId, String device, String role) {
    return relay ? "/relay?id=" + userId : Proto.connectUri(appId, secret, userId, device, role);
  }
}
