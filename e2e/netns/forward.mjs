// A TCP forwarder for deploy/check-turn-netns.sh: `node forward.mjs LISTEN_HOST:PORT TARGET_HOST:PORT` pipes every
// connection to the target, byte for byte (HTTP and WebSocket alike, no headers added). Run inside a network
// namespace with `ip netns exec`, it carries the browsers' signaling to the SeedIM server in another namespace while
// the page still talks to 127.0.0.1 (a secure context for getUserMedia; the dev sign endpoints answer loopback only).
import { createServer, connect } from 'node:net';

const split = (a) => { const i = a.lastIndexOf(':'); return [a.slice(0, i), Number(a.slice(i + 1))]; };
const [listenHost, listenPort] = split(process.argv[2] || '');
const [targetHost, targetPort] = split(process.argv[3] || '');
if (!listenPort || !targetPort) {
  console.error('usage: node forward.mjs LISTEN_HOST:PORT TARGET_HOST:PORT');
  process.exit(2);
}
const server = createServer((inbound) => {
  const outbound = connect(targetPort, targetHost);
  inbound.pipe(outbound).pipe(inbound);
  const close = () => { inbound.destroy(); outbound.destroy(); };
  inbound.on('error', close);
  outbound.on('error', close);
  inbound.on('close', close);
  outbound.on('close', close);
});
server.listen(listenPort, listenHost, () => console.log(`forwarding ${listenHost}:${listenPort} -> ${targetHost}:${targetPort}`));
process.on('SIGTERM', () => process.exit(0));
