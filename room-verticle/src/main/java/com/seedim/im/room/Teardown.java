package com.seedim.im.room;

import com.seedim.im.common.bus.msg.TeardownReason;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.cs.call.Calls;
import com.seedim.im.cs.store.RoomState;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The pushes of a room teardown (PROTOCOL.md §6), in order: 321 to the other member if a call was ringing or active
 * (its reason is the teardown's: {@code hangup} for 330), 421 to the other member when someone left, 560 to every
 * device of both members.
 */
public final class Teardown {
  private static final Set<TeardownReason> LEAVING = EnumSet.of(TeardownReason.LEFT, TeardownReason.DISCONNECT,
    TeardownReason.KICKED);

  /** One push to every device of a user. */
  public record Push(String userId, JsonObject frame) {
  }

  private Teardown() {
  }

  /** @param leaver the member who caused it (420, 330, disconnect, logout), or null (idle timeout, API) */
  public static List<Push> plan(JsonObject room, TeardownReason reason, String leaver) {
    String roomId = room.getString(RoomState.ROOM_ID);
    List<String> members = List.of(room.getString(RoomState.CREATOR), room.getString(RoomState.CUSTOMER));
    boolean byMember = leaver != null && RoomState.isMember(room, leaver);
    List<String> others = byMember ? List.of(RoomState.other(room, leaver)) : members;
    List<Push> out = new ArrayList<>();
    if (Calls.isLive(room)) {
      JsonObject ended = Calls.ended(room, leaver != null ? leaver : room.getString(Calls.CALLER), reason.wire());
      for (String o : others) {
        out.add(new Push(o, ended.copy()));
      }
    }
    if (byMember && LEAVING.contains(reason)) {
      JsonObject left = Frames.frame(MsgType.MEMBER_LEFT).put("userId", leaver).put("roomId", roomId);
      out.add(new Push(RoomState.other(room, leaver), left));
    }
    for (String m : members) {
      out.add(new Push(m, Frames.frame(MsgType.ROOM_DISBANDED).put("roomId", roomId).put("reason", reason.wire())));
    }
    return out;
  }
}
