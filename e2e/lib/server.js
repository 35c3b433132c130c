// The server under test (started by run.sh) and dev signs for node-side clients.
import WebSocket from 'ws';
import { ImClient, devSign, devChatSign } from '../../gateway/src/main/resources/webroot/js/im-client.js';
import { watchClient } from './contract.js';

export const BASE = process.env.SEEDIM_URL || 'http://127.0.0.1:8080';
export const RUN = Math.random().toString(36).slice(2, 7);

/** An ImClient in node (the `ws` package) for a user of the dev app, with fresh signs on every (re)connect. */
export function client(userId, { role = 'user', deviceId = 'node', chat = true, ...opts } = {}) {
  const c = new ImClient({
    WebSocket,
    url: async () => (await devSign({ base: BASE, userId, role, deviceId })).url,
    chatSign: chat ? (peer) => devChatSign({ base: BASE, userId, receiveUserId: peer }) : undefined,
    ...opts,
  });
  c.inbox = [];
  c.on('frame:in', (f) => c.inbox.push(f));
  watchClient(c, `${userId}/${deviceId}`);
  return c;
}
