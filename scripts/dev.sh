#!/usr/bin/env bash
# Starts the server in dev mode: every verticle in one JVM, in-memory stores, demo page on http://127.0.0.1:8080/.
# Builds the runnable jar first when it is missing or older than the sources. Extra arguments go to the server
# (e.g. --config conf/prod.json --roles gateway).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=server/target/seedim.jar
if [ ! -f "$JAR" ] || [ -n "$(find . -path ./node_modules -prune -o \( -name '*.java' -o -name 'pom.xml' -o -path '*/resources/*' \) -newer "$JAR" -print -quit)" ]; then
  echo "[dev] building $JAR"
  mvn -B -ntp -q install -DskipTests
fi
exec java ${JAVA_OPTS:-} -jar "$JAR" "$@"
