package com.seedim.im.testkit.contract;

import com.seedim.im.common.proto.MsgType;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/asyncapi.yaml against the code's msgType registry, and the validator against frames known to be right or
 * wrong. (Every frame the server really sends is checked by {@code TestClient} in every end-to-end test.)
 */
class WireContractTest {
  private final WireContract contract = WireContract.get();

  private static final String PUSH_140 = "{\"msgType\":140,\"messageId\":\"757014724042752\",\"userId\":\"alice\","
    + "\"receiveUserId\":\"bob\",\"message\":\"hello bob\",\"contentType\":\"text\",\"sendTime\":1796476223930,"
    + "\"sendTimeDate\":\"2026-12-05 21:10:23\",\"unique\":\"sc228ab75ce-3\",\"timestamp\":1796476223932}";

  @Test
  void documentsExactlyTheMsgTypesOfTheRegistry() {
    Set<Integer> serverSends = Arrays.stream(MsgType.values()).filter(t -> t.dir() != MsgType.Dir.C2S)
      .map(MsgType::code).collect(Collectors.toSet());
    Set<Integer> clientSends = Arrays.stream(MsgType.values()).filter(MsgType::fromClient)
      .map(MsgType::code).collect(Collectors.toSet());
    assertThat(contract.serverMsgTypes()).containsExactlyInAnyOrderElementsOf(serverSends);
    assertThat(contract.clientMsgTypes()).containsExactlyInAnyOrderElementsOf(clientSends);
  }

  @Test
  void everyExampleOfTheDocumentMatchesItsSchema() {
    java.util.Map<String, String> server = contract.examples(true);
    java.util.Map<String, String> client = contract.examples(false);
    assertThat(server).hasSizeGreaterThan(5);
    assertThat(client).hasSizeGreaterThan(20);
    server.forEach((name, payload) -> assertThat(contract.checkServerFrame(payload)).as(name + " " + payload).isEmpty());
    client.forEach((name, payload) -> assertThat(contract.checkClientFrame(payload)).as(name + " " + payload).isEmpty());
  }

  @Test
  void aRightFrameMatches() {
    assertThat(contract.checkServerFrame(PUSH_140)).isEmpty();
    assertThat(contract.checkServerFrame("{\"msgType\":21,\"timestamp\":1796476223419,\"unique\":7,\"mark\":{\"x\":[1]}}"))
      .isEmpty();
    assertThat(contract.checkServerFrame("{\"msgType\":402,\"userId\":\"agent7\",\"roomId\":\"757014856269824\","
      + "\"queueId\":\"default\",\"unique\":\"s1-9\",\"timestamp\":1}")).isEmpty();
    assertThat(contract.checkClientFrame("{\"msgType\":130,\"receiveUserId\":\"bob\",\"message\":\"hi\",\"extra\":1}"))
      .as("client frames are open: the server ignores unknown fields").isEmpty();
  }

  @Test
  void aWrongFrameIsRejected() {
    JsonObject good = new JsonObject(PUSH_140);
    assertThat(contract.checkServerFrame(good.copy().put("surprise", 1).encode()))
      .as("an undocumented field").singleElement().asString().contains("surprise");
    JsonObject noTimestamp = good.copy();
    noTimestamp.remove("timestamp");
    assertThat(contract.checkServerFrame(noTimestamp.encode())).as("a missing required field")
      .singleElement().asString().contains("timestamp");
    assertThat(contract.checkServerFrame(good.copy().put("messageId", 757014724042752L).encode()))
      .as("a message id as a number instead of a decimal string").isNotEmpty();
    assertThat(contract.checkServerFrame(good.copy().put("sendTimeDate", "05/12/2026").encode()))
      .as("a malformed date").isNotEmpty();
    assertThat(contract.checkServerFrame("{\"msgType\":402,\"userId\":\"agent7\",\"receiveUserId\":\"carol\","
      + "\"roomId\":\"757014856269824\",\"queueId\":\"default\",\"unique\":\"s1-9\",\"timestamp\":1}"))
      .as("a 402 that is neither the reply nor the push").isNotEmpty();
    assertThat(contract.checkServerFrame("{\"msgType\":560,\"roomId\":\"1\",\"reason\":\"bored\",\"unique\":\"s1\",\"timestamp\":1}"))
      .as("a reason outside the enum").isNotEmpty();
    assertThat(contract.checkServerFrame("{\"msgType\":130,\"timestamp\":1}")).as("a client msgType from the server")
      .singleElement().asString().contains("not a documented server frame");
    assertThat(contract.checkServerFrame("[1]")).isNotEmpty();
    assertThat(contract.checkClientFrame("{\"msgType\":130,\"receiveUserId\":\"bob\"}")).as("a 130 without message")
      .isNotEmpty();
  }
}
