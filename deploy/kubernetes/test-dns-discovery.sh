#!/usr/bin/env bash
# Tests Hazelcast's DNS discovery (IM_CLUSTER_DNS, what deploy/kubernetes/ uses) without Kubernetes: in its own network
# and mount namespaces (nothing leaves this machine: every address is in 127.0.10.0/24 on the namespace's loopback), a
# dnsmasq answers the headless service's name with one A record per "pod", /etc/resolv.conf points at it, and real
# SeedIM nodes (server/target/seedim.jar, dev mode with allowUnsafeDev, in-memory stores) start with only that name.
# Passes when three nodes started at once form one cluster of 3 (Hazelcast's member list in each log, /ready 200 with
# "clustered":true), and a fourth node (role events) added to the name later joins that cluster at its start (4 members).
# Phase 2 answers a question for docs/deployment.md: does the TCP-IP join (IM_CLUSTER_MEMBERS=<name>:5701) resolve
# a name to all its A records? It reports what happened and does not fail on it.
# The nodes' event bus runs TLS with client certificates (scripts/cluster-certs.sh), as in production.
# --image runs the nodes from the OCI image instead of the jar: the root file system that scripts/image.sh unpacked
# (server/target/image-check/rootfs), its entrypoint, environment and user, with the jlink runtime of the image.
# Needs root (unshare, mount), dnsmasq (apt-get install dnsmasq-base), curl, openssl, keytool, and the built jar
# (or, with --image, a run of scripts/image.sh first).
#   deploy/kubernetes/test-dns-discovery.sh [--no-tcpip] [--image]
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=${SEEDIM_JAR:-$PWD/server/target/seedim.jar}
[ -f "$JAR" ] || { echo "[dns] $JAR is missing: mvn -B -ntp -pl server -am package -DskipTests" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "[dns] needs root (network and mount namespaces)" >&2; exit 1; }
command -v dnsmasq > /dev/null || { echo "[dns] needs dnsmasq: apt-get install -y dnsmasq-base" >&2; exit 1; }
TCPIP=1
ROOTFS=
for a in "$@"; do
  case "$a" in
    --no-tcpip) TCPIP=0 ;;
    --image) ROOTFS=$PWD/server/target/image-check/rootfs ;;
    *) echo "usage: $0 [--no-tcpip] [--image]" >&2; exit 2 ;;
  esac
done
if [ -n "$ROOTFS" ]; then
  [ -x "$ROOTFS/opt/java/bin/java" ] && [ -f "$ROOTFS/../run.env" ] \
    || { echo "[dns] --image needs server/target/image-check/rootfs: run scripts/image.sh first" >&2; exit 1; }
fi
WORK=$(mktemp -d /tmp/seedim-dns.XXXXXX)
chmod 755 "$WORK"   # the image's user reads its config and stores from here
trap '[ -n "${SEEDIM_KEEP:-}" ] || rm -rf "$WORK"' EXIT
# event-bus TLS: one node store for every node (the bus checks the CA's signature, not names)
scripts/cluster-certs.sh "$WORK/certs" node > "$WORK/certs.log" 2>&1 || { cat "$WORK/certs.log" >&2; exit 1; }
chown -R 10001:10001 "$WORK/certs"
export JAR WORK TCPIP ROOTFS
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
UNSHARE=$(command -v unshare)
STORE_PASSWORD=$(cat "$WORK/certs/store-password")
if [ -n "$ROOTFS" ]; then
  source "$ROOTFS/../run.env"   # IMAGE_ENV, IMAGE_ENTRY, IMAGE_UID, IMAGE_GID, IMAGE_WD (written by scripts/image.sh)
  touch "$ROOTFS/etc/resolv.conf" "$ROOTFS/etc/hosts"
  mkdir -p "$ROOTFS/proc" "$ROOTFS/tmp/work"
  mount --bind "$WORK/resolv.conf" "$ROOTFS/etc/resolv.conf"
  mount --bind "$WORK/hosts" "$ROOTFS/etc/hosts"
  mount --bind "$WORK" "$ROOTFS/tmp/work"
  mount -t proc proc "$ROOTFS/proc"
  IN=/tmp/work   # where the nodes see $WORK
else
  IN=$WORK
fi
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
HZOPTS="-Dhazelcast.socket.bind.any=false -Dlogback.configurationFile=$IN/logback.xml"
JOPTS="-Xmx256m -XX:TieredStopAtLevel=1 $HZOPTS"
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

# config NAME IP CLUSTER: a dev-mode node config (in-memory stores; allowUnsafeDev lets dev mode cluster) with bus TLS
config() {
  cat > "$WORK/$1.json" <<JSON
{ "mode": "dev", "allowUnsafeDev": true, "host": "$2", "port": 8080, "managementHost": "$2", "managementPort": 9090,
  "clusterName": "$3", "cluster": { "enabled": true, "host": "$2", "port": 5701, "eventBusPort": 5801,
    "tls": { "keyStore": "$IN/certs/node.p12", "trustStore": "$IN/certs/trust.p12" } },
  "apps": [ { "appId": "1477358668", "secret": "dev-secret" } ] }
JSON
}

# launch NAME ROLES ENV...: one node, from the jar or (--image) from the image's root file system, entrypoint and user
launch() {
  local name=$1 roles=$2; shift 2
  local tls=(IM_CLUSTER_TLS_KEYSTORE_PASSWORD="$STORE_PASSWORD" IM_CLUSTER_TLS_TRUSTSTORE_PASSWORD="$STORE_PASSWORD")
  if [ -n "$ROOTFS" ]; then
    env -i "${IMAGE_ENV[@]}" "$@" "${tls[@]}" IM_NODE_NAME="$name" JDK_JAVA_OPTIONS="$HZOPTS" \
      "$UNSHARE" --root="$ROOTFS" --wd="$IMAGE_WD" --setuid "$IMAGE_UID" --setgid "$IMAGE_GID" \
      "${IMAGE_ENTRY[@]}" --config "$IN/$name.json" --roles "$roles" > "$WORK/$name.log" 2>&1 &
  else
    env "$@" "${tls[@]}" IM_NODE_NAME="$name" java $JOPTS -jar "$JAR" --config "$IN/$name.json" --roles "$roles" \
      > "$WORK/$name.log" 2>&1 &
  fi
  PIDS+=($!)
}

# start_nodes PHASE ENV...: one node per address, every one given only ENV for the join
start_nodes() {
  local phase=$1; shift
  for i in "${!NODES[@]}"; do
    config "$phase-$i" "${NODES[$i]}" "dns-test-$phase"
    launch "$phase-$i" "${ROLES[$i]}" "$@"
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
# Phase 1b: a fourth pod appears in the name later (a scale-up; here an events pod, events.yaml): it must join the
# running cluster at its start
echo "127.0.10.4 $NAME" >> "$WORK/service.hosts"
kill -HUP "$DNSMASQ"
config dns-3 127.0.10.4 dns-test-dns
launch dns-3 events IM_CLUSTER_DNS="$NAME"
NODES+=(127.0.10.4)
sizes=$(wait_cluster dns 4)
late=$({ grep -o "joined: [0-9]* members" "$WORK/dns-3.log" || true; } | awk '{print $2}' | head -1)
echo "[dns] a fourth node added to the name later: joined a cluster of ${late:-?} at its start; member counts now:$sizes"
if [ "$late" != 4 ] || [ "$sizes" != " 4 4 4 4" ]; then
  echo "[dns] FAIL: expected the fourth node to join the running cluster of 3 (4 members everywhere)" >&2
  tail -20 "$WORK/dns-3.log" | cut -c1-300 >&2; exit 1
fi
grep -q "node up: roles \[EVENTS\]" "$WORK/dns-3.log" \
  || { echo "[dns] FAIL: the fourth node did not start the events role" >&2; tail -20 "$WORK/dns-3.log" | cut -c1-300 >&2; exit 1; }
grep -q "event bus TLS with required client certificates" "$WORK/dns-0.log" \
  || { echo "[dns] FAIL: the nodes did not run event-bus TLS" >&2; exit 1; }
echo "[dns] ok: IM_CLUSTER_DNS discovery, event bus TLS, nodes from $([ -n "$ROOTFS" ] && echo "the image" || echo "the jar") ($(grep -c "query\[A\] $NAME" "$WORK/dnsmasq.log") A queries answered by dnsmasq)"
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
