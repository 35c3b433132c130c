#!/usr/bin/env bash
# Browser end-to-end tests of the demo page, the protocol console and the JS client library.
# Works on a fresh Debian machine of this project's kind: installs chromium if missing, the npm packages,
# builds the server jar if it is missing or older than the sources, starts a dev server on a free port
# (stopped on exit), runs `node --test`, then the Python client demo (examples/python; installs python3-websockets
# if missing), and exits non-zero on failure.
# Env: SEEDIM_URL=http://host:port to test an already running dev server instead (nothing is started);
#      SEEDIM_APP_SECRET=... the dev app's secret when that server's is not `dev-secret` (Python demo);
#      E2E_TESTS="tests/chat.test.js ..." to run a subset.
set -euo pipefail
E2E="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$E2E")"
cd "$E2E"

if [ ! -x /usr/bin/chromium ]; then
  echo "[e2e] installing chromium"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/ws ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[e2e] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

mkdir -p artifacts
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

if [ -z "${SEEDIM_URL:-}" ]; then
  JAR="$ROOT/server/target/seedim.jar"
  if [ ! -f "$JAR" ] || [ -n "$(cd "$ROOT" && find . -path ./e2e -prune -o -path '*/node_modules' -prune -o \( -name '*.java' -o -name 'pom.xml' -o -path '*/resources/*' \) -newer "$JAR" -print -quit)" ]; then
    echo "[e2e] building the server jar"
    (cd "$ROOT" && mvn -B -ntp -q install -DskipTests)
  fi
  PORT="$(free_port)"
  MPORT="$(free_port)"
  LOG="$E2E/artifacts/server.log"
  echo "[e2e] starting the dev server on 127.0.0.1:$PORT (log: $LOG)"
  (cd "$ROOT" && IM_PORT="$PORT" IM_MANAGEMENT_PORT="$MPORT" exec java ${JAVA_OPTS:-} -jar "$JAR" --config "$ROOT/conf/dev.json") >"$LOG" 2>&1 &
  SERVER_PID=$!
  export SEEDIM_URL="http://127.0.0.1:$PORT"
  export SEEDIM_MANAGEMENT_URL="http://127.0.0.1:$MPORT"
  for _ in $(seq 1 120); do
    if curl -fsS "$SEEDIM_URL/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "[e2e] the server exited:"; tail -40 "$LOG"; exit 1; fi
    sleep 0.5
  done
  curl -fsS "$SEEDIM_URL/health" >/dev/null || { echo "[e2e] the server did not become healthy"; tail -40 "$LOG"; exit 1; }
fi

echo "[e2e] testing $SEEDIM_URL"
# shellcheck disable=SC2086
node --test --test-reporter=spec ${E2E_TESTS:-tests/}

# The Python client written from docs/ alone (examples/python): connects, chats, acks, reads history, gets its
# errors, and checks every frame it receives against docs/asyncapi.yaml. Debian's python3-websockets,
# python3-jsonschema and python3-yaml, run by /usr/bin/python3 (a pyenv python3 on PATH would not see them).
PY=/usr/bin/python3
if ! "$PY" -c 'import websockets, jsonschema, yaml' 2>/dev/null; then
  echo "[e2e] installing python3-websockets python3-jsonschema python3-yaml"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-websockets python3-jsonschema python3-yaml >/dev/null
fi
echo "[e2e] python client demo"
timeout 60 "$PY" "$ROOT/examples/python/demo.py" "$SEEDIM_URL" ${SEEDIM_APP_SECRET:+--secret "$SEEDIM_APP_SECRET"}
