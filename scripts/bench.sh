#!/usr/bin/env bash
# The benchmark suite (issues 6 and 13): builds the project, makes sure MariaDB and Redis run, then the `bench`
# module starts the raw Vert.x relay baseline, a dev-mode server (in-memory stores, JVM defaults, as the README's
# dev command) for the dev scenario, then a production-mode server (database `bench`, Redis prefix `bench:`,
# conf/jvm.options), runs every scenario against the server and the same-run relay, stops them, and writes
# bench/results/<run>/results.json plus docs/benchmarks.md and docs/bench-*.png. Takes 10-12 minutes on a 2-core machine.
#
#   ./scripts/bench.sh                         # the default suite
#   ./scripts/bench.sh --skip held,storm       # skip scenarios (dev, held, storm, chat, fixed, fanout, cluster)
#   ./scripts/bench.sh --only dev,chat         # only these scenarios
#   ./scripts/bench.sh --rates 1000,3000 --pairs 100 --held 5000 --no-docs   # see: java -jar bench/target/seedim-bench.jar suite --help
#   ./scripts/bench.sh --only soak             # the soak alone: 30 minutes of mixed load (--soak-minutes N)
#   ./scripts/bench.sh --only webhooks         # webhooks alone (issue 17): chat throughput OFF / ON alternating, outbox
#                                              # lag and drain; writes only the "Webhooks" section (about 6 minutes)
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
