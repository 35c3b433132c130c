package com.seedim.im.chat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PermissionCacheTest {
  private static final String KEY = "perm|app|a|b";
  private static final long HOUR = 3_600_000;

  @Test
  @DisplayName("a valid sign writes the shared record once, then again only after a tenth of its lifetime")
  void writesOncePerRefresh() {
    PermissionCache c = new PermissionCache();
    assertThat(c.needsWrite(KEY, 0, HOUR)).isTrue();
    c.confirmed(KEY, HOUR, 0);
    assertThat(c.needsWrite(KEY, 1_000, HOUR)).as("just written").isFalse();
    assertThat(c.needsWrite(KEY, PermissionCache.CONFIRM_MS, HOUR)).as("not confirmed for too long").isTrue();
    c.confirmed(KEY, HOUR, 0);
    long tenth = (long) (HOUR * PermissionCache.REFRESH_FRACTION);
    c.confirmed(KEY, 20_000 + HOUR, 20_000);
    assertThat(c.needsWrite(KEY, 25_000, HOUR)).isFalse();
    c.confirmed(KEY, HOUR, 0);
    assertThat(c.needsWrite(KEY, tenth + 1, HOUR)).isTrue();
  }

  @Test
  @DisplayName("a known permission allows only while valid and confirmed within CONFIRM_MS; a revoke forgets it")
  void allowsWithinBounds() {
    PermissionCache c = new PermissionCache();
    assertThat(c.allowed(KEY, 0)).isFalse();
    c.confirmed(KEY, HOUR, 0);
    assertThat(c.allowed(KEY, PermissionCache.CONFIRM_MS - 1)).isTrue();
    assertThat(c.allowed(KEY, PermissionCache.CONFIRM_MS)).as("must ask the shared record again").isFalse();
    c.confirmed(KEY, 10_000, 0);
    assertThat(c.allowed(KEY, 10_000)).as("expired").isFalse();
    c.confirmed(KEY, HOUR, 0);
    c.revoked(KEY);
    assertThat(c.allowed(KEY, 1)).isFalse();
    assertThat(c.needsWrite(KEY, 1, HOUR)).isTrue();
  }

  @Test
  @DisplayName("a full cache drops what is stale first, never grows past MAX_ENTRIES")
  void bounded() {
    PermissionCache c = new PermissionCache();
    for (int i = 0; i < PermissionCache.MAX_ENTRIES; i++) {
      c.confirmed("k" + i, 1_000, 0);
    }
    c.confirmed("fresh", HOUR, 5_000);
    assertThat(c.size()).isEqualTo(1);
    assertThat(c.allowed("fresh", 5_001)).isTrue();
  }
}
