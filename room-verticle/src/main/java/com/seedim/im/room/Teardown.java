package com.seedim.im.room;

import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.cs.store.RoomState;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The pushes of a room teardown (PROTOCOL.md §6), in order: 321 to the other member if a call was ringing or active
 * (its reason is the teardown's: {@code hangup} for 330), 421 to the other member when someone left, 560 to every
 * device of both members.
 */
public final class Teardown {
  public static final String LEFT = "left";
  public static final String HANGUP = "hangup";
  public static final String TIMEOUT = "timeout";
  public static final String DISCONNECT = "disconnect";
  public static final String KICKED = "kicked";
  public static final Set<String> REASONS = Set.of(LEFT, HANGUP, TIMEOUT, DISCONNECT, KICKED);
  private static final Set<String> LEAVING = Set.of(LEFT, DISCONNECT, KICKED);

  /** One push to every device of a user. */
  public record Push(String userId, JsonObject frame) {
  }

  private Teardown() {
  }

  /** @param leaver the member who caused it (420, 330, disconnect, logout), or null (idle timeout, API) */
  public static List<Push> plan(JsonObject room, String reason, String leaver) {
    String roomId = room.getString(RoomState.ROOM_ID);
    List<String> members = List.of(room.getString(RoomState.CREATOR), room.getString(RoomState.CUSTOMER));
    List<String> others = leaver != null && RoomState.isMember(room, leaver) ? List.of(RoomState.other(room, leaver)) : members;
    List<Push> out = new ArrayList<>();
    String state = RoomState.callState(room);
    if (RoomState.RINGING.equals(state) || RoomState.ACTIVE.equals(state)) {
      String caller = room.getString(RoomState.CALLER);
      for (String o : others) {
        out.add(new Push(o, Frames.frame(MsgType.CALL_ENDED).put("reason", reason).put("requestUserId", caller)
          .put("userId", leaver != null ? leaver : caller).put("roomId", roomId).put(RoomState.CALL_ID, room.getString(RoomState.CALL_ID))));
      }
    }
    if (leaver != null && LEAVING.contains(reason) && RoomState.isMember(room, leaver)) {
      out.add(new Push(RoomState.other(room, leaver), Frames.frame(MsgType.MEMBER_LEFT).put("userId", leaver).put("roomId", roomId)));
    }
    for (String m : members) {
      out.add(new Push(m, Frames.frame(MsgType.ROOM_DISBANDED).put("roomId", roomId).put("reason", reason)));
    }
    return out;
  }
}
