package com.seedim.client;

/** The protocol's message types (docs/protocol.md §1.7). */
public final class MsgType {
  public static final int ERROR = 10;
  public static final int HEARTBEAT = 20;
  public static final int HEARTBEAT_REPLY = 21;
  public static final int RECEIVED = 30;
  public static final int ACK = 31;
  public static final int NOTICE = 99;
  public static final int ONLINE_STATUS = 101;
  public static final int UNREAD_MESSAGES = 102;
  public static final int SEND = 130;
  public static final int DELIVERED = 131;
  public static final int CHAT_SIGN_EXPIRED = 132;
  public static final int SENSITIVE_WORD = 133;
  public static final int PUSH = 140;
  public static final int PUSH_ACK = 141;
  public static final int VIEW_PEER = 160;
  public static final int HISTORY = 161;
  public static final int HISTORY_PAGE = 162;
  public static final int UNREAD_TOTAL = 180;
  public static final int RETRACT = 190;
  public static final int RETRACTED_SENDER = 191;
  public static final int RETRACTED_RECEIVER = 192;
  public static final int READ = 198;
  public static final int READ_NOTICE = 199;
  public static final int FRIEND_ONLINE = 200;
  public static final int FRIEND_OFFLINE = 210;
  public static final int LOGOUT = 251;
  public static final int LOGOUT_REPLY = 252;
  public static final int CALL_REQUEST = 300;
  public static final int CALL_INCOMING = 301;
  public static final int CALL_ACCEPT = 310;
  public static final int CALL_ACCEPTED = 311;
  public static final int CALL_REJECT = 320;
  public static final int CALL_ENDED = 321;
  public static final int CALL_HANGUP = 330;
  public static final int CALLER_CANDIDATE = 340;
  public static final int CALLER_CANDIDATE_RELAY = 341;
  public static final int CALLEE_CANDIDATE = 342;
  public static final int CALLEE_CANDIDATE_RELAY = 343;
  public static final int QUEUE_ENTER = 400;
  public static final int QUEUE_TAKE = 401;
  public static final int QUEUE_TAKEN = 402;
  public static final int QUEUE_POSITION = 410;
  public static final int QUEUE_LEAVE = 420;
  public static final int MEMBER_LEFT = 421;
  public static final int QUEUE_INFO = 430;
  public static final int QUEUE_INFO_REPLY = 431;
  public static final int ROOM_LIST = 540;
  public static final int ROOM_LIST_REPLY = 541;
  public static final int ROOM_INFO = 550;
  public static final int ROOM_INFO_REPLY = 551;
  public static final int ROOM_DISBANDED = 560;
  public static final int CONVERSATION_HEAD = 1170;
  // §14 the customer-service desk (extensions 600–699)
  public static final int AGENT_STATUS = 600;
  public static final int AGENT_STATUS_REPLY = 601;
  public static final int ROOM_TRANSFER = 610;
  public static final int ROOM_TRANSFERRED = 611;
  public static final int QUEUE_TIMEOUT = 620;
  public static final int LEAVE_MESSAGE = 630;
  public static final int LEAVE_MESSAGE_REPLY = 631;
  public static final int MESSAGE_TAKE = 640;
  public static final int MESSAGE_TAKEN = 641;
  public static final int CUSTOMER_ROOMS = 650;
  public static final int CUSTOMER_ROOMS_REPLY = 651;
  public static final int ROOM_TRANSCRIPT = 652;
  public static final int ROOM_TRANSCRIPT_REPLY = 653;
  public static final int CALL_STATS = 660;
  public static final int SUPERVISOR_VIEW = 670;
  public static final int SUPERVISOR_VIEW_REPLY = 671;

  private MsgType() {
  }

  /** Pushes the server resends until acknowledged (§4.2): 140 is acked with 141, the others with 31. */
  public static boolean isReliablePush(int t) {
    switch (t) {
      case PUSH: case DELIVERED: case RETRACTED_SENDER: case RETRACTED_RECEIVER: case READ_NOTICE:
      case CALL_INCOMING: case CALL_ACCEPTED: case CALL_ENDED: case CALLER_CANDIDATE_RELAY:
      case CALLEE_CANDIDATE_RELAY: case QUEUE_TAKEN: case MEMBER_LEFT: case ROOM_INFO_REPLY: case ROOM_DISBANDED:
      case ROOM_TRANSFERRED: case QUEUE_TIMEOUT:
        return true;
      default:
        return false;
    }
  }

  /** The reply msgType of a client request that has one after its 30 (§1.4), or 0 when the 30 is the answer. */
  public static int replyOf(int request) {
    switch (request) {
      case HEARTBEAT: return HEARTBEAT_REPLY;
      case ONLINE_STATUS: return ONLINE_STATUS;
      case UNREAD_MESSAGES: return UNREAD_MESSAGES;
      case HISTORY: return HISTORY_PAGE;
      case UNREAD_TOTAL: return UNREAD_TOTAL;
      case LOGOUT: return LOGOUT_REPLY;
      case QUEUE_TAKE: return QUEUE_TAKEN;
      case QUEUE_INFO: return QUEUE_INFO_REPLY;
      case ROOM_LIST: return ROOM_LIST_REPLY;
      case ROOM_INFO: return ROOM_INFO_REPLY;
      case AGENT_STATUS: return AGENT_STATUS_REPLY;
      case LEAVE_MESSAGE: return LEAVE_MESSAGE_REPLY;
      case MESSAGE_TAKE: return MESSAGE_TAKEN;
      case CUSTOMER_ROOMS: return CUSTOMER_ROOMS_REPLY;
      case ROOM_TRANSCRIPT: return ROOM_TRANSCRIPT_REPLY;
      case SUPERVISOR_VIEW: return SUPERVISOR_VIEW_REPLY;
      default: return 0;
    }
  }
}
