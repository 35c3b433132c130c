package com.seedim.im.gateway;

import com.seedim.im.testkit.Http;
import com.seedim.im.common.security.Signatures;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP API vectors of docs/signing-vectors.json against the gateway's verifier ({@code ApiAuth}) on a real server:
 * the vectors' canonical recipe, applied to each vector's app, method, request target (percent-encoding untouched)
 * and body, produces a signature the gateway accepts; one hex digit changed is refused with 401. The timestamp and
 * nonce are replaced by fresh ones (the server refuses old timestamps and used nonces), so the signature is computed
 * here with the vector's recipe, not taken from the file; {@code SigningVectorsTest} checks the file's signatures.
 * The server is the gateway alone: a request that passes authentication reaches its endpoint, which answers it
 * (503 UNAVAILABLE when the endpoint's service is not deployed); only a refused signature is a 401.
 */
class ApiSigningVectorsTest {
  private static final Path FILE = Path.of("..", "docs", "signing-vectors.json");
  private static final int MAX_NONCE = 64;
  private static final int UNAUTHORIZED = 401;

  private static TestServer server;
  private static List<JsonObject> vectors;

  @BeforeAll
  static void start() throws Exception {
    JsonObject file = new JsonObject(Files.readString(FILE, StandardCharsets.UTF_8));
    vectors = file.getJsonArray("vectors").stream().map(JsonObject.class::cast)
      .filter(v -> "api".equals(v.getString("scheme")))
      // the webhook vectors are requests the server makes to a business server (docs/webhooks.md), not API calls
      .filter(v -> v.getJsonObject("inputs").getString("pathWithQuery").startsWith("/api/")).toList();
    // every app of the vectors with its secret; the server's own test app takes the secret of its id; the app of the
    // rotation-* vectors is configured as the file's rotation block says (two secrets until previousSecretUntil)
    JsonObject rotation = file.getJsonObject("rotation");
    Map<String, String> apps = new LinkedHashMap<>();
    vectors.forEach(v -> {
      JsonObject in = v.getJsonObject("inputs");
      if (in.getString("appId").equals(rotation.getString("appId"))) {
        assertThat(in.getString("secret")).as(v.getString("id"))
          .isIn(rotation.getString("secret"), rotation.getString("previousSecret"));
        return;
      }
      String before = apps.putIfAbsent(in.getString("appId"), in.getString("secret"));
      assertThat(before == null || before.equals(in.getString("secret"))).as("one secret per app in the vectors").isTrue();
    });
    TestServer.Builder b = TestServer.builder().durable(false).extraApp(new JsonObject()
      .put("appId", rotation.getString("appId")).put("secret", rotation.getString("secret"))
      .put("previousSecret", rotation.getString("previousSecret"))
      .put("previousSecretUntil", rotation.getString("previousSecretUntil")));
    apps.forEach((appId, secret) -> {
      if (appId.equals(TestServer.APP_ID)) {
        b.app(new JsonObject().put("secret", secret));
      } else {
        b.extraApp(new JsonObject().put("appId", appId).put("secret", secret));
      }
    });
    server = b.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @DisplayName("the gateway accepts every API vector's request signed with the vector's recipe (both secrets of the rotating app), and refuses it tampered")
  void gatewayVerifiesTheVectors() {
    assertThat(vectors).hasSizeGreaterThanOrEqualTo(2);
    for (JsonObject v : vectors) {
      JsonObject in = v.getJsonObject("inputs");
      String id = v.getString("id");
      assertThat(canonical(in, in.getString("timestamp"), in.getString("nonce"))).as(id + " recipe")
        .isEqualTo(v.getString("canonical"));

      Http.Response ok = send(in, false);
      assertThat(ok.status()).as(id + ": " + ok.body()).isNotEqualTo(UNAUTHORIZED);

      Http.Response tampered = send(in, true);
      assertThat(tampered.status()).as(id + " tampered: " + tampered.body()).isEqualTo(UNAUTHORIZED);
      assertThat(tampered.body()).as(id).contains("bad signature");
    }
  }

  /** The vector's canonical recipe (docs/protocol.md §10.1) with another timestamp and nonce. */
  private static String canonical(JsonObject in, String timestamp, String nonce) {
    return String.join("\n", in.getString("method"), in.getString("appId"), in.getString("pathWithQuery"), timestamp,
      nonce, in.getString("body"));
  }

  private static Http.Response send(JsonObject in, boolean tamper) {
    String ts = Long.toString(System.currentTimeMillis());
    String nonce = in.getString("nonce") + "-" + UUID.randomUUID();
    nonce = nonce.substring(0, Math.min(MAX_NONCE, nonce.length()));
    String sig = Signatures.hmacHex(in.getString("secret"), canonical(in, ts, nonce));
    if (tamper) {
      sig = (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1);
    }
    String body = in.getString("body");
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + in.getString("pathWithQuery")))
      .timeout(Http.REQUEST_TIMEOUT)
      .header("X-App-Id", in.getString("appId")).header("X-Timestamp", ts).header("X-Nonce", nonce).header("X-Signature", sig)
      .method(in.getString("method"), body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (!body.isEmpty()) {
      r.header("Content-Type", "application/json");
    }
    return Http.send(r.build());
  }
}
