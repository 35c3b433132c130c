#!/usr/bin/env bash
# Tests Hazelcast's DNS discovery (IM_CLUSTER_DNS, what deploy/kubernetes/ uses) without Kubernetes: in its own network
# and mount namespaces (nothing leaves this machine: every address is in 127.0.10.0/24 on the namespace's loopback), a
# dnsmasq answers the headless service's name with one A record per "pod", /etc/resolv.conf points at it, and real
# SeedIM nodes (server/target/seedim.jar, dev mode with allowUnsafeDev, in-memory stores) start with only that name.
# Passes when three nodes started at once form one cluster of 3 (Hazelcast's member list in each log, /ready 200 with
# "clustered":true), and a fourth node added to the name later joins that cluster at its start (4 members).
# Phase 2 answers a question for docs/deployment.md: does the TCP-IP join (IM_CLUSTER_MEMBERS=<name>:5701) resolve
# a name to all its A records? It reports what happened and does not fail on it.
# Needs root (unshare, mount), dnsmasq (apt-get install dnsmasq-base), curl, and the built jar.
#   deploy/kubernetes/test-dns-discovery.sh [--no-tcpip]
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=${SEEDIM_JAR:-$PWD/server/target/seedim.jar}
[ -f "$JAR" ] || { echo "[dns] $JAR is missing: mvn -B -ntp -pl server -am package -DskipTests" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "[dns] needs root (network and mount namespaces)" >&2; exit 1; }
command -v dnsmasq > /dev/null || { echo "[dns] needs dnsmasq: apt-get install -y dnsmasq-base" >&2; exit 1; }
TCPIP=1
[ "${1:-}" = --no-tcpip ] && TCPIP=0
WORK=$(mktemp -d /tmp/seedim-dns.XXXXXX)
trap '[ -n "${SEEDIM_KEEP:-}" ] || rm -rf "$WORK"' EXIT
export JAR WORK TCPIP
timeout 300 unshare --net --mount --fork --kill-child bash -s <<'INNER'
set -euo pipefail
NAME=seedim-cluster.im.svc.cluster.local
DNS_IP=127.0.10.53
NODES=(127.0.10.1 127.0.10.2 127.0.10.3)
ROLES=(gateway chat queue,room,signaling)
ip link set lo up
for a in 127.0.10.1 127.0.10.2 127.0.10.3 127.0.10.4 "$DNS_IP"; do ip addr add "$a/32" dev lo; done   # Hazelcast matches interfaces
mount --make-rprivate /
printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$DNS_IP" > "$WORK/resolv.conf"
printf '127.0.0.1 localhost\n' > "$WORK/hosts"
mount --bind "$WORK/resolv.conf" /etc/resolv.conf
mount --bind "$WORK/hosts" /etc/hosts
: > "$WORK/service.hosts"
for ip in "${NODES[@]}"; do echo "$ip $NAME" >> "$WORK/service.hosts"; done
dnsmasq --keep-in-foreground --no-resolv --no-hosts --addn-hosts="$WORK/service.hosts" --listen-address="$DNS_IP" \
  --bind-interfaces --port=53 --user=root --pid-file="$WORK/dnsmasq.pid" --log-facility="$WORK/dnsmasq.log" --log-queries &
DNSMASQ=$!
for _ in $(seq 1 50); do getent ahostsv4 "$NAME" > /dev/null 2>&1 && break; sleep 0.1; done
resolved=$(getent ahostsv4 "$NAME" | awk '{print $1}' | sort -u | tr '\n' ' ')
echo "[dns] $NAME resolves to: $resolved"
[ -n "$resolved" ] || { echo "[dns] FAIL: dnsmasq does not answer" >&2; cat "$WORK/dnsmasq.log" >&2; exit 1; }

# Pods have an address each; here the nodes share one namespace, so Hazelcast must bind its own address only
# and Hazelcast logs at INFO (its join and discovery lines) into each node's log
cat > "$WORK/logback.xml" <<'XML'
<configuration>
  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} node=${IM_NODE_NAME:-local} - %msg%n</pattern></encoder>
  </appender>
  <logger name="io.netty" level="WARN"/>
  <logger name="com.hazelcast" level="INFO"/>
  <root level="INFO"><appender-ref ref="OUT"/></root>
</configuration>
XML
JOPTS="-Xmx256m -XX:TieredStopAtLevel=1 -Dhazelcast.socket.bind.any=false -Dlogback.configurationFile=$WORK/logback.xml"
PIDS=()
stop_all() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$p" 2> /dev/null || break; sleep 0.5; done
    kill -9 "$p" 2> /dev/null || true
  done
  PIDS=()
}
trap 'stop_all; kill $DNSMASQ 2>/dev/null || true' EXIT

# start_nodes PHASE ENV...: one JVM per address, every one given only ENV for the join
start_nodes() {
  local phase=$1; shift
  for i in "${!NODES[@]}"; do
    local ip=${NODES[$i]}
    cat > "$WORK/$phase-$i.json" <<JSON
{ "mode": "dev", "allowUnsafeDev": true, "host": "$ip", "port": 8080, "managementHost": "$ip", "managementPort": 9090,
  "clusterName": "dns-test-$phase", "cluster": { "enabled": true, "host": "$ip", "port": 5701, "eventBusPort": 5801 },
  "apps": [ { "appId": "1477358668", "secret": "dev-secret" } ] }
JSON
    env "$@" IM_NODE_NAME="$phase-$i" java $JOPTS -jar "$JAR" --config "$WORK/$phase-$i.json" \
      --roles "${ROLES[$i]}" > "$WORK/$phase-$i.log" 2>&1 &
    PIDS+=($!)
  done
}

# size LOG: the cluster size in Hazelcast's last "Members {size:N" line of that node's log (0 if none yet)
size() { { grep -o "Members {size:[0-9]*" "$1" || true; } | tail -1 | grep -o "[0-9]*$" || echo 0; }

# wait_cluster PHASE N [SECONDS]: until every node's latest member list has N members and its /ready says clustered
# (at most SECONDS, 90 by default); prints each node's size
wait_cluster() {
  local phase=$1 n=$2 deadline=$(( $(date +%s) + ${3:-90} ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    local ok=0 alive=0
    for i in "${!NODES[@]}"; do
      if [ "$(size "$WORK/$phase-$i.log")" = "$n" ] \
        && curl -fsS -m 2 "http://${NODES[$i]}:9090/ready" 2> /dev/null | grep -q '"clustered":true'; then ok=$((ok + 1)); fi
    done
    [ "$ok" = "${#NODES[@]}" ] && break
    for p in "${PIDS[@]}"; do kill -0 "$p" 2> /dev/null && alive=$((alive + 1)); done
    [ "$alive" = "${#PIDS[@]}" ] || break   # a node died: no point waiting
    sleep 0.5
  done
  local sizes=""
  for i in "${!NODES[@]}"; do sizes="$sizes $(size "$WORK/$phase-$i.log")"; done
  echo "$sizes"
}

# Phase 1: IM_CLUSTER_DNS. Three nodes start at once with nothing but the name. Started together, each may find no
# other member listening yet and form a cluster of one; Hazelcast's split-brain merge, which also asks the discovery
# (every cluster.mergeDelaySeconds, 5 s), then joins them: the cluster must reach 3 members.
start_nodes dns IM_CLUSTER_DNS="$NAME"
t0=$(date +%s)
sizes=$(wait_cluster dns 3)
echo "[dns] IM_CLUSTER_DNS=$NAME, 3 nodes started at once: member count per node:$sizes after $(( $(date +%s) - t0 )) s"
grep -h "cluster join: DNS discovery" "$WORK"/dns-0.log | head -1 | sed 's/^.* - /[dns]   log: /'
if [ "$sizes" != " 3 3 3" ]; then
  echo "[dns] FAIL: the cluster did not reach 3 members (sizes:$sizes)" >&2
  for i in "${!NODES[@]}"; do echo "--- node $i" >&2; grep -E "WARN|ERROR|joined|DNS" "$WORK/dns-$i.log" | tail -8 | cut -c1-300 >&2; done
  exit 1
fi
# Phase 1b: a fourth pod appears in the name later (a scale-up): it must join the running cluster at its start
echo "127.0.10.4 $NAME" >> "$WORK/service.hosts"
kill -HUP "$DNSMASQ"
cat > "$WORK/dns-3.json" <<JSON
{ "mode": "dev", "allowUnsafeDev": true, "host": "127.0.10.4", "port": 8080, "managementHost": "127.0.10.4", "managementPort": 9090,
  "clusterName": "dns-test-dns", "cluster": { "enabled": true, "host": "127.0.10.4", "port": 5701, "eventBusPort": 5801 },
  "apps": [ { "appId": "1477358668", "secret": "dev-secret" } ] }
JSON
IM_CLUSTER_DNS="$NAME" IM_NODE_NAME=dns-3 java $JOPTS -jar "$JAR" --config "$WORK/dns-3.json" --roles signaling \
  > "$WORK/dns-3.log" 2>&1 &
PIDS+=($!)
NODES+=(127.0.10.4)
sizes=$(wait_cluster dns 4)
late=$({ grep -o "joined: [0-9]* members" "$WORK/dns-3.log" || true; } | awk '{print $2}' | head -1)
echo "[dns] a fourth node added to the name later: joined a cluster of ${late:-?} at its start; member counts now:$sizes"
if [ "$late" != 4 ] || [ "$sizes" != " 4 4 4 4" ]; then
  echo "[dns] FAIL: expected the fourth node to join the running cluster of 3 (4 members everywhere)" >&2
  tail -20 "$WORK/dns-3.log" | cut -c1-300 >&2; exit 1
fi
echo "[dns] ok: IM_CLUSTER_DNS discovery ($(grep -c "query\[A\] $NAME" "$WORK/dnsmasq.log") A queries answered by dnsmasq)"
stop_all
NODES=(127.0.10.1 127.0.10.2 127.0.10.3)

# Phase 2 (a report): TCP-IP join given the same name as its only member
if [ "$TCPIP" = 1 ]; then
  start_nodes tcpip IM_CLUSTER_MEMBERS="$NAME:5701"
  t0=$(date +%s)
  sizes=$(wait_cluster tcpip 3 30)
  echo "[dns] (report) IM_CLUSTER_MEMBERS=$NAME:5701 (TCP-IP join, the same name): member count per node:$sizes after $(( $(date +%s) - t0 )) s"
  stop_all
fi
INNER
