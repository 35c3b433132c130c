#!/usr/bin/env bash
# The whole test suite: starts MariaDB/Redis if needed, runs every module's tests (real WebSocket clients,
# real MariaDB, real Redis, real Hazelcast nodes on loopback), then the browser tests of the demo page
# (Debian's Chromium + Playwright, a real WebRTC call). SKIP_E2E=1 skips the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/services.sh
mvn -B -ntp verify "$@"
if [ "${SKIP_E2E:-0}" != 1 ]; then
  ./e2e/run.sh
fi
