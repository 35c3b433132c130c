#!/usr/bin/env bash
# The benchmark suite (issue 6): builds the project, makes sure MariaDB and Redis run, then the `bench` module
# starts a production-mode server (database `bench`, Redis prefix `bench:`) and the raw Vert.x relay baseline
# itself, runs every scenario against both, stops them, and writes bench/results/<run>/results.json plus
# docs/benchmarks.md and docs/bench-*.png. Takes 6-8 minutes on a 2-core machine.
#
#   ./scripts/bench.sh                         # the default suite
#   ./scripts/bench.sh --skip held,storm       # skip scenarios (held, storm, chat, fixed, fanout)
#   ./scripts/bench.sh --rates 1000,3000 --pairs 100 --held 5000 --no-docs   # see: java -jar bench/target/seedim-bench.jar suite --help
#   ./scripts/bench.sh --only soak             # the soak alone: 30 minutes of mixed load (--soak-minutes N)
#   SKIP_BUILD=1 ./scripts/bench.sh            # reuse the built jars
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/services.sh
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "[bench] building (mvn install -DskipTests)"
  mvn -B -ntp -q install -DskipTests
fi
command -v jcmd >/dev/null || { echo "[bench] jcmd (JDK) is required for the memory figures and the profile"; exit 1; }
exec java -Xms256m -Xmx1g -XX:+UseG1GC -jar bench/target/seedim-bench.jar suite "$@"
