#!/usr/bin/env bash
# The whole test suite: starts MariaDB/Redis if needed, then every module's tests (real WebSocket clients,
# real MariaDB, real Redis, real Hazelcast nodes on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/services.sh
exec mvn -B -ntp verify "$@"
