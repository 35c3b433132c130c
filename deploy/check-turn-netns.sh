#!/usr/bin/env bash
# A customer↔agent video call that can only work through TURN (docs/operations.md, "TURN: the blocked-path test").
# Three network namespaces of its own, nothing on the host's network is changed:
#   srv    the SeedIM dev server (server/target/seedim.jar, in-memory stores) on its 127.0.0.1:8080, `turn.urls` and
#          `turn.secret` set through IM_TURN_URLS / IM_TURN_SECRET; coturn (`turnserver --use-auth-secret`, the same
#          secret) on 10.213.0.1:3478; a forwarder 10.213.0.1:8080 → 127.0.0.1:8080. IP forwarding off.
#   cust   one veth to srv (10.213.1.2 ↔ 10.213.1.1), agent: one veth to srv (10.213.2.2 ↔ 10.213.2.1); each has a
#          route to 10.213.0.1 only, no default route, IPv6 off, and a forwarder 127.0.0.1:8080 → 10.213.0.1:8080 so
#          that its browser's page is http://127.0.0.1:8080 (a secure context; the dev sign endpoints answer loopback)
# A packet from one browser's address to the other's has no route (and srv does not forward): the only path between
# the browsers is coturn's relay. The namespaces hold no other interface (no docker bridge, no host address), so no
# host candidate can bypass it. e2e/netns/blocked-call.test.mjs then drives one Chromium per namespace (launched
# through `ip netns exec`) through the demo page: queue, take, a call with fake media and every candidate type allowed
# (no iceTransportPolicy relay): media must flow with a relay candidate selected; then coturn is stopped and the same
# call must fail to connect (the control case).
# Needs root (ip netns), iproute2, coturn, node with e2e/node_modules, /usr/bin/chromium, the built jar; installs
# coturn/iproute2 when missing. Not root: prints SKIP and exits 0. Cleans up namespaces and processes on exit.
#   deploy/check-turn-netns.sh        (SEEDIM_KEEP=1 keeps the logs in the printed work directory)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JAR=${SEEDIM_JAR:-$ROOT/server/target/seedim.jar}
say() { echo "[turn-netns] $*"; }

if [ "$(id -u)" != 0 ]; then
  say "SKIP: needs root (network namespaces); run as root to test a call through TURN with the direct path blocked"
  exit 0
fi
if ! command -v turnserver > /dev/null || ! command -v ip > /dev/null; then
  say "installing coturn iproute2"
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coturn iproute2 > /dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coturn iproute2 > /dev/null 2>&1; }; } || true
  (invoke-rc.d coturn stop || systemctl stop coturn) > /dev/null 2>&1 || true   # only our own turnserver runs
fi
command -v turnserver > /dev/null || { say "FAIL: coturn (turnserver) is not installed and cannot be installed"; exit 1; }
[ -f "$JAR" ] || { say "FAIL: $JAR is missing: mvn -B -ntp install -DskipTests"; exit 1; }
[ -x /usr/bin/chromium ] || { say "FAIL: /usr/bin/chromium is missing (e2e/run.sh installs it)"; exit 1; }
if [ ! -d e2e/node_modules/playwright-core ]; then (cd e2e && npm ci --no-audit --no-fund --loglevel=error) || exit 1; fi

T=$$
SRV=seedim-srv-$T
CUST=seedim-cust-$T
AGENT=seedim-agent-$T
SERVER_IP=10.213.0.1
TURN_PORT=3478
PORT=8080
WORK=$(mktemp -d /tmp/seedim-turn-netns.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$p" 2> /dev/null || break; sleep 0.25; done
    kill -KILL "$p" 2> /dev/null || true
  done
  # deleting a namespace deletes its veth ends (and the peers); any process left in one would keep it alive
  for ns in "$CUST" "$AGENT" "$SRV"; do
    for p in $(ip netns pids "$ns" 2> /dev/null); do kill -KILL "$p" 2> /dev/null || true; done
    ip netns del "$ns" 2> /dev/null || true
  done
  if [ -n "${SEEDIM_KEEP:-}" ]; then say "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# --- the namespaces and their links
set -e
ip netns add "$SRV"
ip netns add "$CUST"
ip netns add "$AGENT"
in_ns "$SRV" ip link set lo up
in_ns "$SRV" ip addr add "$SERVER_IP/32" dev lo
in_ns "$SRV" sysctl -qw net.ipv4.ip_forward=0
i=1
for ns in "$CUST" "$AGENT"; do
  ip link add "s$i-$T" netns "$SRV" type veth peer name "eth0" netns "$ns"
  in_ns "$SRV" ip addr add "10.213.$i.1/24" dev "s$i-$T"
  in_ns "$SRV" ip link set "s$i-$T" up
  in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  in_ns "$ns" ip link set lo up
  in_ns "$ns" ip addr add "10.213.$i.2/24" dev eth0
  in_ns "$ns" ip link set eth0 up
  in_ns "$ns" ip route add "$SERVER_IP/32" via "10.213.$i.1"
  i=$((i + 1))
done
set +e
say "namespaces: $SRV ($SERVER_IP), $CUST (10.213.1.2), $AGENT (10.213.2.2)"
for ns in "$CUST" "$AGENT"; do
  say "  $ns: $(in_ns "$ns" ip -o -4 addr show | awk '{print $2" "$4}' | tr '\n' ' ')| routes: $(in_ns "$ns" ip -4 route show | tr '\n' ';')"
done
# the direct path really is closed, before any browser: no route from the customer's namespace to the agent's
if in_ns "$CUST" ip route get 10.213.2.2 > /dev/null 2>&1; then
  say "FAIL: $CUST has a route to the agent's address"; exit 1
fi
say "no route between 10.213.1.2 and 10.213.2.2 (ip route get: unreachable)"

# --- coturn, SeedIM and the forwarders
SECRET=$(openssl rand -hex 32)
ip netns exec "$SRV" turnserver -n --use-auth-secret --static-auth-secret="$SECRET" --realm=seedim.test --no-tls --no-dtls \
  --listening-ip="$SERVER_IP" --relay-ip="$SERVER_IP" --listening-port="$TURN_PORT" --min-port=49152 --max-port=49252 \
  --no-cli --pidfile="$WORK/turnserver.pid" --log-file=stdout --simple-log --verbose > "$WORK/turnserver.log" 2>&1 &
TURN_PID=$!
PIDS+=("$TURN_PID")
ip netns exec "$SRV" env IM_PORT=$PORT IM_MANAGEMENT_PORT=9090 IM_TURN_URLS="turn:$SERVER_IP:$TURN_PORT?transport=udp" \
  IM_TURN_SECRET="$SECRET" java -Xmx256m -XX:TieredStopAtLevel=1 -jar "$JAR" --config "$ROOT/conf/dev.json" \
  > "$WORK/seedim.log" 2>&1 &
SEEDIM_PID=$!
PIDS+=("$SEEDIM_PID")
ip netns exec "$SRV" node e2e/netns/forward.mjs "$SERVER_IP:$PORT" "127.0.0.1:$PORT" > "$WORK/forward-srv.log" 2>&1 &
PIDS+=($!)
for ns in "$CUST" "$AGENT"; do
  ip netns exec "$ns" node e2e/netns/forward.mjs "127.0.0.1:$PORT" "$SERVER_IP:$PORT" > "$WORK/forward-$ns.log" 2>&1 &
  PIDS+=($!)
done
for _ in $(seq 1 120); do
  in_ns "$SRV" curl -fsS -m 2 "http://127.0.0.1:$PORT/health" > /dev/null 2>&1 && break
  kill -0 "$SEEDIM_PID" 2> /dev/null || break
  sleep 0.5
done
if ! in_ns "$CUST" curl -fsS -m 2 "http://127.0.0.1:$PORT/health" > /dev/null 2>&1; then
  say "FAIL: the SeedIM server is not reachable from $CUST"; tail -30 "$WORK/seedim.log"; tail "$WORK"/forward-*.log; exit 1
fi
in_ns "$SRV" ss -Hlnu "sport = :$TURN_PORT" | grep -q . || { say "FAIL: turnserver does not listen"; tail -20 "$WORK/turnserver.log"; exit 1; }
say "SeedIM on $SERVER_IP:$PORT, coturn $(turnserver --version 2>/dev/null | head -1) on $SERVER_IP:$TURN_PORT"

# --- one Chromium per namespace: playwright launches these (its pipe, fds 3 and 4, survives `ip netns exec`)
for ns in "$CUST" "$AGENT"; do
  printf '#!/bin/sh\nexec ip netns exec %s /usr/bin/chromium "$@"\n' "$ns" > "$WORK/chromium-$ns"
  chmod +x "$WORK/chromium-$ns"
done
(cd e2e && SEEDIM_URL="http://127.0.0.1:$PORT" CHROMIUM_CUSTOMER="$WORK/chromium-$CUST" CHROMIUM_AGENT="$WORK/chromium-$AGENT" \
  NETNS_TURN_PID="$TURN_PID" NETNS_TURN_LOG="$WORK/turnserver.log" NETNS_DIRECT_PEERS="10.213.1.2,10.213.2.2" \
  timeout 150 node --test --test-reporter=spec netns/blocked-call.test.mjs)
rc=$?
if [ "$rc" != 0 ]; then
  say "FAIL (exit $rc); the server log's last lines:"; tail -15 "$WORK/seedim.log" | cut -c1-250
  say "coturn's last lines:"; tail -15 "$WORK/turnserver.log" | cut -c1-250
  exit 1
fi
say "ok: the call connected through coturn with the direct path blocked, and failed without coturn"
