package com.seedim.im.common.store;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeysTest {
  @Test
  @DisplayName("M3: keys join ids with '|', so ids containing ':' cannot shift between parts")
  void unambiguous() {
    // user a + device b:c versus user a:b + device c
    assertThat(Keys.idempotency("1", "a", "b:c", 400, "k")).isNotEqualTo(Keys.idempotency("1", "a:b", "c", 400, "k"));
    assertThat(Keys.idempotency("1", "x:y", "default", 400, "k")).isEqualTo("idem:1|x:y|default|400|k");
    assertThat(Keys.join("kick", "1", "2:x")).isEqualTo("kick:1|2:x");
    assertThat(Keys.join("kick", "1", "2:x")).isNotEqualTo(Keys.join("kick", "1:2", "x"));
    // the last part may be any string (a unique may contain '|'); the others never contain the separator
    assertThat(Keys.join("k", "a", "b|c")).isEqualTo("k:a|b|c");
    assertThatThrownBy(() -> Keys.join("k", "a|b", "c")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Keys.join("k", "a", null)).isInstanceOf(IllegalArgumentException.class);
  }
}
