package com.seedim.im.gateway;

import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.testkit.Http;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The customer-service pages under {@code /desk/} (docs/customer-service.md) on real servers: served with a strict CSP
 * and {@code frame-ancestors} when {@code desk.enabled} (dev mode, and a production server with MariaDB and Redis),
 * absent when disabled, and the configurations a start refuses.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DeskPagesTest {
  static final String SHOP = "https://shop.example.com";
  static final String SIGN_URL = SHOP + "/seedim/sign";
  /** The pages of the desk this test knows about, each with the content type it must be served with. */
  static final Map<String, String> PAGES = Map.of(
    "/desk/widget.html", "text/html", "/desk/index.html", "text/html", "/desk/widget.js", "javascript",
    "/desk/widget.css", "text/css", "/desk/embed.js", "javascript", "/desk/session.js", "javascript",
    "/desk/js/im-client.js", "javascript", "/desk/js/call.js", "javascript");
  /** What a CSP without 'unsafe-inline' blocks in an HTML page: inline scripts, style elements or attributes, handlers. */
  static final Pattern INLINE = Pattern.compile(
    "<script(?![^>]*\\ssrc=)[^>]*>|<style[\\s>]|\\sstyle\\s*=|\\son[a-z]+\\s*=|javascript:", Pattern.CASE_INSENSITIVE);

  static TestServer dev;
  static TestServer prod;
  static TestServer off;

  @BeforeAll
  static void start() {
    dev = TestServer.builder().start();
    prod = TestServer.builder().durable(true).server(new JsonObject().put("desk", new JsonObject().put("enabled", true)
      .put("signUrl", SIGN_URL).put("frameAncestors", new JsonArray().add(SHOP).add("https://*.example.org")))).start();
    off = TestServer.builder().server(new JsonObject().put("desk", new JsonObject().put("enabled", false))).start();
  }

  @AfterAll
  static void stop() {
    for (TestServer s : new TestServer[] {dev, prod, off}) {
      if (s != null) {
        s.close();
      }
    }
  }

  @Test
  @DisplayName("dev mode: every desk page and the shared client are served with the CSP; config.json says /dev/sign")
  void devServesThePages() {
    for (Map.Entry<String, String> p : PAGES.entrySet()) {
      Http.Response r = Http.get(dev.port(), p.getKey());
      assertThat(r.status()).as(p.getKey()).isEqualTo(200);
      assertThat(r.contentType()).as(p.getKey()).contains(p.getValue());
      String csp = r.header("Content-Security-Policy");
      assertThat(csp).as(p.getKey()).contains("script-src 'self'", "style-src 'self'", "frame-ancestors 'self';",
        "object-src 'none'").doesNotContain("unsafe-inline", "unsafe-eval");
      assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }
    Http.Response index = Http.get(dev.port(), "/desk/");
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.body()).contains("widget.html");
    Http.Response bare = Http.get(dev.port(), "/desk");
    assertThat(bare.status()).isEqualTo(302);
    assertThat(bare.header("Location")).isEqualTo("/desk/");
    JsonObject cfg = Http.get(dev.port(), "/desk/config.json").json();
    assertThat(cfg).isEqualTo(new JsonObject().put("signUrl", "/dev/sign").put("devSign", true)
      .put("wsUrl", "ws://127.0.0.1:" + dev.port() + "/ws").put("frameAncestors", new JsonArray()));
    assertThat(Http.get(dev.port(), "/desk/no-such-page.html").status()).isEqualTo(404);
  }

  @Test
  @DisplayName("production (MariaDB, Redis): the pages with frame-ancestors and connect-src of the product's sign endpoint")
  void productionServesThePagesForTheShop() {
    Http.Response r = Http.get(prod.port(), "/desk/widget.html");
    assertThat(r.status()).isEqualTo(200);
    String csp = r.header("Content-Security-Policy");
    assertThat(csp).contains("frame-ancestors 'self' " + SHOP + " https://*.example.org;")
      .contains("connect-src 'self' ws: wss: " + SHOP + ";");
    assertThat(Http.get(prod.port(), "/desk/embed.js").status()).isEqualTo(200);
    assertThat(Http.get(prod.port(), "/desk/config.json").json()).isEqualTo(new JsonObject().put("signUrl", SIGN_URL)
      .put("devSign", false).put("wsUrl", "ws://127.0.0.1:" + prod.port() + "/ws")
      .put("frameAncestors", new JsonArray().add(SHOP).add("https://*.example.org")));
    // the pages never sign through /dev/* outside dev mode: it does not exist there
    assertThat(Http.get(prod.port(), "/dev/sign?userId=alice").status()).isEqualTo(404);
  }

  @Test
  @DisplayName("desk.enabled false: /desk/ is not served at all (404)")
  void disabledIsNotServed() {
    for (String path : List.of("/desk/", "/desk/widget.html", "/desk/embed.js", "/desk/config.json", "/desk/js/im-client.js")) {
      Http.Response r = Http.get(off.port(), path);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.header("Content-Security-Policy")).as(path).isNull();
    }
  }

  @Test
  @DisplayName("the HTML pages work under the CSP: no inline script, style or event handler")
  void pagesHaveNothingInline() throws IOException {
    for (String page : List.of("desk/widget.html", "desk/index.html")) {
      String html = resource(page);
      assertThat(INLINE.matcher(html).find()).as("%s has inline code or style: %s", page, firstInline(html)).isFalse();
    }
    // the widget renders user text as text: no innerHTML / insertAdjacentHTML / document.write anywhere
    for (String js : List.of("desk/widget.js", "desk/embed.js", "desk/session.js")) {
      assertThat(resource(js)).as(js).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write");
    }
  }

  @Test
  @DisplayName("refused at start: enabled without signUrl outside dev, /dev/sign outside dev, malformed signUrl and frameAncestors")
  void refusals() {
    assertThatThrownBy(() -> prodConfig(new JsonObject().put("enabled", true)))
      .hasMessageContaining("desk.signUrl is not set").hasMessageContaining("IM_DESK_SIGN_URL");
    assertThatThrownBy(() -> prodConfig(new JsonObject().put("enabled", true).put("signUrl", "/dev/sign")))
      .hasMessageContaining("/dev/sign, which exists only in dev mode");
    assertThatThrownBy(() -> prodConfig(new JsonObject().put("enabled", true).put("signUrl", "ftp://shop.example.com/sign")))
      .hasMessageContaining("desk.signUrl").hasMessageContaining("a path (/...) or an http(s) URL");
    assertThatThrownBy(() -> prodConfig(new JsonObject().put("enabled", true).put("signUrl", SIGN_URL)
      .put("frameAncestors", new JsonArray().add("shop.example.com"))))
      .hasMessageContaining("desk.frameAncestors").hasMessageContaining("https://shop.example.com");
    assertThatThrownBy(() -> prodConfig(new JsonObject().put("enabled", true).put("signUrl", SIGN_URL)
      .put("frameAncestors", new JsonArray().add("https://shop.example.com; script-src *"))))
      .hasMessageContaining("desk.frameAncestors");
    // the environment overrides are checked the same way
    assertThatThrownBy(() -> ServerConfig.fromJson(prodJson(new JsonObject()), Map.of("IM_DESK_ENABLED", "true")))
      .hasMessageContaining("desk.signUrl is not set");
    // accepted: disabled without anything, enabled with a path or an https URL
    assertThat(prodConfig(new JsonObject())).isNotNull();
    assertThat(prodConfig(new JsonObject().put("enabled", true).put("signUrl", "/seedim/sign"))).isNotNull();
    assertThat(ServerConfig.fromJson(prodJson(new JsonObject()), Map.of("IM_DESK_ENABLED", "true",
      "IM_DESK_SIGN_URL", SIGN_URL, "IM_DESK_FRAME_ANCESTORS", SHOP + ",https://m.example.com"))).isNotNull();
  }

  private static JsonObject prodJson(JsonObject desk) {
    return new JsonObject().put("mode", "prod").put("desk", desk).put("apps", new JsonArray()
      .add(new JsonObject().put("appId", TestServer.APP_ID).put("secret", TestServer.SECRET)));
  }

  private static ServerConfig prodConfig(JsonObject desk) {
    return ServerConfig.fromJson(prodJson(desk), Map.of());
  }

  private static String resource(String path) throws IOException {
    try (InputStream in = DeskPagesTest.class.getClassLoader().getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String firstInline(String html) {
    var m = INLINE.matcher(html);
    return m.find() ? html.substring(m.start(), Math.min(html.length(), m.end() + 40)) : "";
  }
}
