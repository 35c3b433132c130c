package com.seedim.im.common.bus.msg;

/**
 * What services send to one gateway instance's push address ({@code Addresses.gateway(instanceId)}), fire and forget:
 * a push, a kick, or several of them in order. Sent by {@code Pusher}, received by the gateway's {@code PushInbox}.
 */
public sealed interface GatewayMessage extends BusMessage permits GatewayPush, GatewayKick, GatewayBatch {
}
