package com.seedim.im.common.proto;

import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every msgType of PROTOCOL.md: the single source of truth for codes, direction, owning service,
 * event-bus address, idempotency (§4) and reliable delivery (§4).
 */
public enum MsgType {
  // §3 / §4 / §2 core
  ERROR(10, Dir.S2C, Service.NONE, null, Flag.NONE),
  HEARTBEAT(20, Dir.C2S, Service.GATEWAY, null, Flag.NOT_RATE_LIMITED),
  HEARTBEAT_REPLY(21, Dir.S2C, Service.NONE, null, Flag.NONE),
  RECEIVED(30, Dir.S2C, Service.NONE, null, Flag.NONE),
  ACK(31, Dir.C2S, Service.GATEWAY, null, Flag.NOT_RATE_LIMITED),
  NOTICE(99, Dir.S2C, Service.NONE, null, Flag.NONE),
  // §5 chat
  ONLINE_STATUS(101, Dir.BOTH, Service.CHAT, "im.chat.presence", Flag.NONE),
  UNREAD_MESSAGES(102, Dir.BOTH, Service.CHAT, "im.chat.unread", Flag.NONE),
  SEND(130, Dir.C2S, Service.CHAT, "im.chat.send", Flag.IDEMPOTENT),
  DELIVERED(131, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  CHAT_SIGN_EXPIRED(132, Dir.S2C, Service.NONE, null, Flag.NONE),
  SENSITIVE_WORD(133, Dir.S2C, Service.NONE, null, Flag.NONE),
  PUSH(140, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  PUSH_ACK(141, Dir.C2S, Service.GATEWAY, null, Flag.NOT_RATE_LIMITED),
  VIEW_PEER(160, Dir.C2S, Service.CHAT, "im.chat.view", Flag.IDEMPOTENT),
  HISTORY(161, Dir.C2S, Service.CHAT, "im.chat.history", Flag.NONE),
  HISTORY_PAGE(162, Dir.S2C, Service.NONE, null, Flag.NONE),
  UNREAD_TOTAL(180, Dir.BOTH, Service.CHAT, "im.chat.unread-total", Flag.NONE),
  RETRACT(190, Dir.C2S, Service.CHAT, "im.chat.retract", Flag.IDEMPOTENT),
  RETRACTED_SENDER(191, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  RETRACTED_RECEIVER(192, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  READ(198, Dir.C2S, Service.CHAT, "im.chat.read", Flag.IDEMPOTENT),
  READ_NOTICE(199, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  FRIEND_ONLINE(200, Dir.S2C, Service.NONE, null, Flag.NONE),
  FRIEND_OFFLINE(210, Dir.S2C, Service.NONE, null, Flag.NONE),
  LOGOUT(251, Dir.C2S, Service.GATEWAY, null, Flag.IDEMPOTENT),
  LOGOUT_REPLY(252, Dir.S2C, Service.NONE, null, Flag.NONE),
  CONVERSATION_HEAD(1170, Dir.S2C, Service.NONE, null, Flag.NONE),
  // §6 signaling
  CALL_REQUEST(300, Dir.C2S, Service.SIGNALING, "im.signal.request", Flag.IDEMPOTENT),
  CALL_INCOMING(301, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  CALL_ACCEPT(310, Dir.C2S, Service.SIGNALING, "im.signal.accept", Flag.IDEMPOTENT),
  CALL_ACCEPTED(311, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  CALL_REJECT(320, Dir.C2S, Service.SIGNALING, "im.signal.reject", Flag.IDEMPOTENT),
  CALL_ENDED(321, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  CALL_HANGUP(330, Dir.C2S, Service.SIGNALING, "im.signal.hangup", Flag.IDEMPOTENT),
  CALLER_CANDIDATE(340, Dir.C2S, Service.SIGNALING, "im.signal.caller-candidate", Flag.IDEMPOTENT),
  CALLER_CANDIDATE_RELAY(341, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  CALLEE_CANDIDATE(342, Dir.C2S, Service.SIGNALING, "im.signal.callee-candidate", Flag.IDEMPOTENT),
  CALLEE_CANDIDATE_RELAY(343, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  // §6 queue
  QUEUE_ENTER(400, Dir.C2S, Service.QUEUE, "im.queue.enter", Flag.IDEMPOTENT),
  QUEUE_TAKE(401, Dir.C2S, Service.QUEUE, "im.queue.take", Flag.IDEMPOTENT),
  QUEUE_TAKEN(402, Dir.S2C, Service.NONE, null, Flag.NONE),
  QUEUE_POSITION(410, Dir.S2C, Service.NONE, null, Flag.NONE),
  QUEUE_LEAVE(420, Dir.C2S, Service.QUEUE, "im.queue.leave", Flag.IDEMPOTENT),
  MEMBER_LEFT(421, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  QUEUE_INFO(430, Dir.C2S, Service.QUEUE, "im.queue.info", Flag.NONE),
  QUEUE_INFO_REPLY(431, Dir.S2C, Service.NONE, null, Flag.NONE),
  // §6 rooms
  ROOM_LIST(540, Dir.C2S, Service.ROOM, "im.room.list", Flag.NONE),
  ROOM_LIST_REPLY(541, Dir.S2C, Service.NONE, null, Flag.NONE),
  ROOM_INFO(550, Dir.C2S, Service.ROOM, "im.room.info", Flag.NONE),
  ROOM_INFO_REPLY(551, Dir.S2C, Service.NONE, null, Flag.NONE),
  ROOM_DISBANDED(560, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  // §14 desk extensions (600–699)
  AGENT_STATUS(600, Dir.C2S, Service.QUEUE, "im.queue.agent-status", Flag.IDEMPOTENT),
  AGENT_STATUS_REPLY(601, Dir.S2C, Service.NONE, null, Flag.NONE),
  ROOM_TRANSFER(610, Dir.C2S, Service.QUEUE, "im.queue.transfer", Flag.IDEMPOTENT),
  ROOM_TRANSFERRED(611, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  QUEUE_TIMEOUT(620, Dir.S2C, Service.NONE, null, Flag.RELIABLE),
  LEAVE_MESSAGE(630, Dir.C2S, Service.QUEUE, "im.queue.leave-message", Flag.IDEMPOTENT),
  LEAVE_MESSAGE_REPLY(631, Dir.S2C, Service.NONE, null, Flag.NONE),
  MESSAGE_TAKE(640, Dir.C2S, Service.QUEUE, "im.queue.message-take", Flag.IDEMPOTENT),
  MESSAGE_TAKEN(641, Dir.S2C, Service.NONE, null, Flag.NONE),
  CUSTOMER_ROOMS(650, Dir.C2S, Service.ROOM, "im.room.customer-rooms", Flag.NONE),
  CUSTOMER_ROOMS_REPLY(651, Dir.S2C, Service.NONE, null, Flag.NONE),
  ROOM_TRANSCRIPT(652, Dir.C2S, Service.ROOM, "im.room.transcript", Flag.NONE),
  ROOM_TRANSCRIPT_REPLY(653, Dir.S2C, Service.NONE, null, Flag.NONE),
  CALL_STATS(660, Dir.C2S, Service.SIGNALING, "im.signal.stats", Flag.IDEMPOTENT),
  SUPERVISOR_VIEW(670, Dir.C2S, Service.QUEUE, "im.queue.supervisor", Flag.NONE),
  SUPERVISOR_VIEW_REPLY(671, Dir.S2C, Service.NONE, null, Flag.NONE);

  /** Direction of a msgType. */
  public enum Dir { C2S, S2C, BOTH }

  private enum Flag { NONE, IDEMPOTENT, RELIABLE, NOT_RATE_LIMITED }

  private static final Map<Integer, MsgType> BY_CODE = new HashMap<>();
  private static final Map<String, MsgType> BY_ADDRESS = new HashMap<>();

  static {
    for (MsgType t : values()) {
      BY_CODE.put(t.code, t);
      if (t.address != null) {
        BY_ADDRESS.put(t.address, t);
      }
    }
  }

  private final int code;
  private final Dir dir;
  private final Service service;
  private final String address;
  private final Flag flag;

  MsgType(int code, Dir dir, Service service, String address, Flag flag) {
    this.code = code;
    this.dir = dir;
    this.service = service;
    this.address = address;
    this.flag = flag;
  }

  public int code() {
    return code;
  }

  public Dir dir() {
    return dir;
  }

  public Service service() {
    return service;
  }

  /** Event-bus address of the handler for a client frame of this type, or null when the gateway answers it. */
  public String address() {
    return address;
  }

  public boolean fromClient() {
    return dir != Dir.S2C;
  }

  /** §4 idempotency: a repeated {@code unique} gets the recorded result. */
  public boolean idempotent() {
    return flag == Flag.IDEMPOTENT;
  }

  /** §4: pushes of this type are resent until acked (402 and 551 pushes choose per push). */
  public boolean reliablePush() {
    return flag == Flag.RELIABLE;
  }

  /** §3: acks and heartbeats are not counted by the per-connection rate limit. */
  public boolean rateLimited() {
    return flag != Flag.NOT_RATE_LIMITED;
  }

  /** The type for a code, or null. */
  public static MsgType of(int code) {
    return BY_CODE.get(code);
  }

  public static MsgType byAddress(String address) {
    return BY_ADDRESS.get(address);
  }

  /** Client msgTypes handled through the event bus. */
  public static Set<MsgType> routed() {
    EnumSet<MsgType> s = EnumSet.noneOf(MsgType.class);
    for (MsgType t : values()) {
      if (t.fromClient() && t.address != null) {
        s.add(t);
      }
    }
    return Collections.unmodifiableSet(s);
  }
}
