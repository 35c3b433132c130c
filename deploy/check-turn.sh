#!/usr/bin/env bash
# Checks TURN credentials against a real coturn (Debian package `coturn`; docs/deployment.md, "TURN"):
# starts its own `turnserver` on 127.0.0.1 (a free port, loopback relay ports, --use-auth-secret with TURN_SECRET,
# no TLS/DTLS), then asks coturn's own client `turnutils_uclient` to allocate a relay and send through it with each
# credential given, and stops that turnserver again (never the package's service, which is left stopped).
#
#   TURN_SECRET=... deploy/check-turn.sh ok USER CREDENTIAL [refused USER CREDENTIAL] ...
#       every `ok` credential must allocate a relay and carry data through it; every `refused` one must be refused
#       (what the JUnit test TurnRelayTest passes: credentials minted by a real SeedIM server, tampered, expired)
#   deploy/check-turn.sh
#       self-check of the coturn setup: mints with openssl (a random secret) a valid, a tampered and an expired
#       credential, with the scheme SeedIM uses (username <expiry>:<userId>, base64(HMAC-SHA1(secret, username)))
#
# coturn is installed when missing (as root, non-interactive). Exit: 0 every check as expected; 1 a check failed;
# 3 coturn is not available and cannot be installed (callers skip); 2 usage.
set -uo pipefail

if ! command -v turnserver >/dev/null || ! command -v turnutils_uclient >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing coturn ..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coturn >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coturn >/dev/null 2>&1; }
    # the package may start its own service: this check runs its own turnserver only
    (invoke-rc.d coturn stop || systemctl stop coturn) >/dev/null 2>&1 || true
  fi
  if ! command -v turnserver >/dev/null || ! command -v turnutils_uclient >/dev/null; then
    echo "SKIP: coturn (turnserver, turnutils_uclient) is not installed and cannot be installed here" >&2
    exit 3
  fi
fi

WORK=$(mktemp -d /tmp/check-turn.XXXXXX)
TURN_PID=
cleanup() {
  if [ -n "$TURN_PID" ] && kill -0 "$TURN_PID" 2>/dev/null; then
    kill "$TURN_PID" 2>/dev/null
    wait "$TURN_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

mint() { # secret username -> base64(HMAC-SHA1)
  printf '%s' "$2" | openssl dgst -sha1 -hmac "$1" -binary | base64
}

CHECKS=()
if [ $# -eq 0 ]; then
  TURN_SECRET=${TURN_SECRET:-$(openssl rand -hex 32)}
  now=$(date +%s)
  u_ok="$((now + 600)):check-turn"
  u_old="$((now - 60)):check-turn"
  good=$(mint "$TURN_SECRET" "$u_ok")
  CHECKS=(ok "$u_ok" "$good" refused "$u_ok" "$(mint "$TURN_SECRET-tampered" "$u_ok")"
          refused "$((now + 601)):check-turn" "$good" refused "$u_old" "$(mint "$TURN_SECRET" "$u_old")")
else
  if [ -z "${TURN_SECRET:-}" ] || [ $(($# % 3)) -ne 0 ]; then
    echo "usage: TURN_SECRET=... $0 [ok|refused USER CREDENTIAL]..." >&2
    exit 2
  fi
  CHECKS=("$@")
fi

free_udp_port() { # a port in 20000-59999 no UDP or TCP socket uses
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! ss -Hlnu "sport = :$p" | grep -q . && ! ss -Hlnt "sport = :$p" | grep -q .; then
      echo "$p"
      return
    fi
  done
  return 1
}
PORT=${TURN_PORT:-$(free_udp_port)}
MIN=$(( (PORT % 200) * 100 + 40000 ))   # 100 relay ports, away from the listening port
MAX=$((MIN + 99))

turnserver -n --use-auth-secret --static-auth-secret="$TURN_SECRET" --realm=seedim.test \
  --no-tls --no-dtls --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port="$PORT" \
  --min-port="$MIN" --max-port="$MAX" --allow-loopback-peers --no-cli --no-stun-backward-compatibility \
  --pidfile="$WORK/turnserver.pid" --log-file=stdout --simple-log >"$WORK/turnserver.log" 2>&1 &
TURN_PID=$!
for _ in $(seq 1 50); do
  ss -Hlnu "sport = :$PORT" | grep -q . && break
  kill -0 "$TURN_PID" 2>/dev/null || break
  sleep 0.1
done
if ! ss -Hlnu "sport = :$PORT" | grep -q .; then
  echo "FAIL: turnserver did not listen on 127.0.0.1:$PORT" >&2
  tail -20 "$WORK/turnserver.log" >&2
  exit 1
fi
echo "turnserver $(turnserver --version 2>/dev/null | head -1) on 127.0.0.1:$PORT (relay ports $MIN-$MAX), realm seedim.test"

passed=0
failed=0
i=0
while [ $i -lt ${#CHECKS[@]} ]; do
  want=${CHECKS[$i]}; user=${CHECKS[$((i + 1))]}; cred=${CHECKS[$((i + 2))]}
  i=$((i + 3))
  # -y: two clients relaying to each other through their allocations; -n 5 messages each; -c no RTCP pair
  timeout 30 turnutils_uclient -y -c -n 5 -u "$user" -w "$cred" -p "$PORT" 127.0.0.1 >"$WORK/uclient.log" 2>&1
  rc=$?
  recv=$(sed -n 's/.*tot_recv_bytes ~ \([0-9]*\).*/\1/p' "$WORK/uclient.log" | tail -1)
  if [ "$rc" -eq 0 ] && [ "${recv:-0}" -gt 0 ]; then got=ok; else got=refused; fi
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
    echo "PASS: $want: $user (${recv:-0} bytes relayed)"
  else
    failed=$((failed + 1))
    echo "FAIL: $user: expected $want, got $got (uclient exit $rc)"
    tail -5 "$WORK/uclient.log"
  fi
done
if [ $failed -gt 0 ]; then
  echo "--- turnserver log (auth lines)"
  grep -iE "auth|credential|401|integrity" "$WORK/turnserver.log" | tail -10
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
