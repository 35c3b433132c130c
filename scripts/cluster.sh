#!/usr/bin/env bash
# A local production-mode cluster on loopback against MariaDB and Redis:
#   2 gateways (ws://127.0.0.1:8081/ws, ws://127.0.0.1:8082/ws) + one node each of chat, queue, room, signaling, events,
# every node its own JVM, clustered with Hazelcast (TCP-IP join on 127.0.0.1:5701-5707).
#   scripts/cluster.sh start | stop | status
# Logs and pids go to run/cluster/. Config: conf/local-cluster.json, whose app secret is a placeholder that prod
# mode refuses: start replaces it with a random secret kept in run/cluster/app-secret (generated once, mode 600)
# and runs run/cluster/local-cluster.json. Sign requests with
#   IM_APP_SECRET=$(cat run/cluster/app-secret) scripts/api.sh ...
# The event bus runs TLS with client certificates (audit H7): start makes a private CA and a node key store in
# run/cluster/certs (scripts/cluster-certs.sh, once) and hands them to every node through IM_CLUSTER_TLS_*.
# CONFIG=FILE runs FILE as is instead (its own cluster.tls, or cluster.insecure).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=run/cluster
JAR=server/target/seedim.jar
TEMPLATE=conf/local-cluster.json
PLACEHOLDER='replace-me:generated-at-start-by-scripts-cluster.sh'
CONFIG=${CONFIG:-}

# Writes $DIR/local-cluster.json: the template with the placeholder secret replaced by this cluster's own secret.
prepare_config() {
  if [ -n "$CONFIG" ]; then return; fi
  mkdir -p "$DIR"
  if [ ! -s "$DIR/app-secret" ]; then
    (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/app-secret")
  fi
  local secret
  secret=$(cat "$DIR/app-secret")
  grep -qF "\"$PLACEHOLDER\"" "$TEMPLATE" || { echo "$TEMPLATE has no placeholder secret $PLACEHOLDER"; exit 1; }
  (umask 077; sed "s|\"$PLACEHOLDER\"|\"$secret\"|" "$TEMPLATE" >"$DIR/local-cluster.json")
  CONFIG=$DIR/local-cluster.json
  prepare_certs
}

# Event-bus TLS for the generated config: run/cluster/certs/{node.p12,trust.p12,store-password}, made once.
TLS_ENV=()
prepare_certs() {
  ./scripts/cluster-certs.sh "$DIR/certs" | sed 's/^/certs: /'
  local certs pw
  certs=$(pwd)/$DIR/certs
  pw=$(cat "$certs/store-password")
  TLS_ENV=("IM_CLUSTER_TLS_KEYSTORE=$certs/node.p12" "IM_CLUSTER_TLS_KEYSTORE_PASSWORD=$pw"
    "IM_CLUSTER_TLS_TRUSTSTORE=$certs/trust.p12" "IM_CLUSTER_TLS_TRUSTSTORE_PASSWORD=$pw")
}
# name roles ws-port management-port hazelcast-port
NODES=(
  "gw1 gateway 8081 9091 5701"
  "gw2 gateway 8082 9092 5702"
  "chat chat 0 9093 5703"
  "queue queue 0 9094 5704"
  "room room 0 9095 5705"
  "signaling signaling 0 9096 5706"
  "events events 0 9097 5707"
)

start() {
  ./scripts/services.sh
  if [ ! -f "$JAR" ]; then mvn -B -ntp -q install -DskipTests; fi
  mkdir -p "$DIR"
  prepare_config
  for n in "${NODES[@]}"; do
    read -r name roles port mport hport <<<"$n"
    if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
      echo "$name already running (pid $(cat "$DIR/$name.pid"))"; continue
    fi
    env ${TLS_ENV[@]+"${TLS_ENV[@]}"} IM_NODE_NAME=$name IM_PORT=$port IM_MANAGEMENT_PORT=$mport IM_CLUSTER_PORT=$hport \
      nohup java ${JAVA_OPTS:--Xmx512m} -jar "$JAR" --config "$CONFIG" --roles "$roles" >"$DIR/$name.log" 2>&1 &
    echo $! >"$DIR/$name.pid"
    echo "started $name ($roles) pid $!"
  done
  for n in "${NODES[@]}"; do
    read -r name _ _ mport _ <<<"$n"
    for _ in $(seq 1 240); do
      curl -fs "http://127.0.0.1:$mport/ready" >/dev/null 2>&1 && break
      kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null || { echo "$name died; see $DIR/$name.log"; tail -20 "$DIR/$name.log"; exit 1; }
      sleep 0.5
    done
    curl -fs "http://127.0.0.1:$mport/ready" >/dev/null || { echo "$name not ready; see $DIR/$name.log"; exit 1; }
    echo "$name ready (management http://127.0.0.1:$mport/metrics)"
  done
  echo "cluster up: ws://127.0.0.1:8081/ws and ws://127.0.0.1:8082/ws"
  if [ ${#TLS_ENV[@]} -gt 0 ]; then echo "event bus: TLS with client certificates from $DIR/certs"; fi
  if [ "$CONFIG" = "$DIR/local-cluster.json" ]; then
    echo "app secret: $DIR/app-secret (IM_APP_SECRET=\$(cat $DIR/app-secret) scripts/api.sh ...)"
  fi
}

stop() {
  for n in "${NODES[@]}"; do
    read -r name _ <<<"$n"
    if [ -f "$DIR/$name.pid" ]; then
      pid=$(cat "$DIR/$name.pid")
      if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"   # SIGTERM: gateways send 99 SHUTDOWN, drain, close 1001
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$pid" 2>/dev/null || true
        echo "stopped $name"
      fi
      rm -f "$DIR/$name.pid"
    fi
  done
}

status() {
  for n in "${NODES[@]}"; do
    read -r name roles _ mport _ <<<"$n"
    if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then
      echo "$name ($roles): $(curl -s "http://127.0.0.1:$mport/ready" || echo 'no answer')"
    else
      echo "$name ($roles): not running"
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status"; exit 2 ;;
esac
