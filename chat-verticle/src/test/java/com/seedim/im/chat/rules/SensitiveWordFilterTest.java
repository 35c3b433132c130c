package com.seedim.im.chat.rules;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SensitiveWordFilterTest {

  @Test
  @DisplayName("no words configured: nothing matches and the text is unchanged")
  void empty() {
    SensitiveWordFilter.Match m = SensitiveWordFilter.of(List.of()).check("anything goes");
    assertThat(m.found()).isFalse();
    assertThat(m.masked()).isEqualTo("anything goes");
  }

  @Test
  @DisplayName("substring match, case-insensitive, reports the configured spelling")
  void caseInsensitive() {
    SensitiveWordFilter f = SensitiveWordFilter.of(List.of("BadWord", "spam"));
    SensitiveWordFilter.Match m = f.check("this is a BADWORD and SpAm here");
    assertThat(m.words()).containsExactly("BadWord", "spam");
    assertThat(m.masked()).isEqualTo("this is a ******* and **** here");
  }

  @Test
  @DisplayName("NFKC folding: full-width letters and ligatures match their plain forms, masked per original code point")
  void nfkc() {
    SensitiveWordFilter f = SensitiveWordFilter.of(List.of("bad", "fish"));
    SensitiveWordFilter.Match m = f.check("ｂＡｄ and ﬁsh");
    assertThat(m.words()).containsExactly("bad", "fish");
    // "ﬁ" is one code point folding to "fi": it is masked as one '*'
    assertThat(m.masked()).isEqualTo("*** and ***");
  }

  @Test
  @DisplayName("combining marks: a decomposed é matches a precomposed word and both code points are masked")
  void combining() {
    SensitiveWordFilter f = SensitiveWordFilter.of(List.of("café"));
    SensitiveWordFilter.Match m = f.check("un cafe\u0301 noir");
    assertThat(m.found()).isTrue();
    assertThat(m.masked()).isEqualTo("un ***** noir");
  }

  @Test
  @DisplayName("CJK words and surrogate pairs: each matched code point becomes one '*'")
  void cjkAndAstral() {
    SensitiveWordFilter f = SensitiveWordFilter.of(List.of("赌博", "\uD83D\uDCA3"));
    SensitiveWordFilter.Match m = f.check("不要赌博 \uD83D\uDCA3!");
    assertThat(m.words()).containsExactly("赌博", "\uD83D\uDCA3");
    assertThat(m.masked()).isEqualTo("不要** *!");
  }

  @Test
  @DisplayName("overlapping words mask their union")
  void overlapping() {
    SensitiveWordFilter f = SensitiveWordFilter.of(List.of("abc", "cde"));
    assertThat(f.check("xabcdey").masked()).isEqualTo("x*****y");
  }

  @Test
  @DisplayName("blank words are ignored and duplicates (after folding) count once")
  void blanks() {
    SensitiveWordFilter f = SensitiveWordFilter.of(List.of(" ", "", "Foo", "ＦＯＯ"));
    assertThat(f.size()).isEqualTo(1);
    assertThat(f.check("a foo").words()).containsExactly("Foo");
  }
}
