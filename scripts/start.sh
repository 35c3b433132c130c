#!/usr/bin/env bash
# Starts a production node with the JVM settings the benchmarks measured (conf/jvm.options, and glibc's malloc held
# to 2 arenas): the README's production start command. Arguments go to the server, e.g.
#   ./scripts/start.sh --config conf/prod.json --roles all
# SEEDIM_JVM_OPTIONS names another options file; JAVA_OPTS adds flags after it (e.g. -Xmx8g to raise the heap).
# Build the jar first: mvn -B -ntp install -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${SEEDIM_JAR:-server/target/seedim.jar}
OPTIONS=${SEEDIM_JVM_OPTIONS:-conf/jvm.options}
[ -f "$JAR" ] || { echo "[start] $JAR is missing: build it with mvn -B -ntp install -DskipTests" >&2; exit 1; }
FLAGS=$(sed -e 's/#.*//' "$OPTIONS" | tr -s ' \n' ' ')
# glibc may give each thread that allocates its own malloc arena (up to 8 per core, 64 MiB of address space each);
# two keep a node's native memory small and flat: the benchmarks and the 30-minute soak run with this setting
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
# shellcheck disable=SC2086
exec java $FLAGS ${JAVA_OPTS:-} -jar "$JAR" "$@"
