package com.seedim.im.signaling;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.call.Calls;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.ServiceRecords;
import com.seedim.im.cs.store.ServiceRecords.CallRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * 660 CALL_STATS (protocol §14.6): a participant's {@code getStats()} summary of a call, stored with the call's service
 * record (the metrics are counted by {@code MeteredServiceRecords}). The call is found in the records; a call so new
 * that its record is not written yet is found in the caller's rooms.
 */
final class CallStats {
  private static final Logger LOG = LoggerFactory.getLogger(CallStats.class);

  private final RoomStore rooms;
  private final ServiceRecords records;

  CallStats(RoomStore rooms, ServiceRecords records) {
    this.rooms = rooms;
    this.records = records;
  }

  Future<ServiceReply> onReport(RequestContext ctx, JsonObject frame) {
    CallReport report = CallReport.parse(frame);
    long now = System.currentTimeMillis();
    return call(ctx, report.callId()).compose(call -> {
      if (!CallReport.mayReport(call, ctx.userId(), now)) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "no call " + report.callId() + " of yours, or it ended over an hour ago");
      }
      LOG.debug("660 from {}/{}: call {} over {}", ctx.appId(), ctx.userId(), report.callId(), report.candidateType());
      return records.callStats(ctx.appId(), report.callId(), ctx.userId(), report.toJson(now));
    }).map(v -> ServiceReply.ok());
  }

  /** The call's record, else the live call of one of the user's rooms, else null. */
  private Future<CallRecord> call(RequestContext ctx, String callId) {
    return records.call(ctx.appId(), callId).compose(r -> r != null ? Future.succeededFuture(r)
      : rooms.roomsOf(ctx.appId(), ctx.userId()).compose(ids -> {
        List<Future<JsonObject>> all = new ArrayList<>();
        ids.forEach(id -> all.add(rooms.get(ctx.appId(), id)));
        return Future.all(all).map(cf -> {
          for (Future<JsonObject> f : all) {
            JsonObject room = f.result();
            if (room != null && callId.equals(room.getString(Calls.CALL_ID)) && Calls.isLive(room)) {
              return new CallRecord(callId, room.getString("roomId"), room.getString(Calls.CALLER),
                room.getString(Calls.CALLEE), 0, null, Map.of());
            }
          }
          return null;
        });
      }));
  }
}
