#!/usr/bin/env bash
# The whole test suite: starts MariaDB/Redis if needed, runs every module's tests (real WebSocket clients,
# real MariaDB, real Redis, real Hazelcast nodes on loopback), then the deployment artifacts (alert rules and the
# dashboard with promtool, the OCI image built
# and run without Docker, the Kubernetes manifests, the systemd units, Hazelcast DNS discovery against dnsmasq in a
# network namespace; deploy/check-packaging.sh), then the browser tests of the demo page (Debian's Chromium +
# Playwright, a real WebRTC call) and the Python client, and (root only, else skipped) a call between two browsers in
# network namespaces with no direct path, through a real coturn (deploy/check-turn-netns.sh).
# SKIP_PACKAGING=1 / SKIP_E2E=1 skip those stages.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/services.sh
mvn -B -ntp verify "$@"
if [ "${SKIP_PACKAGING:-0}" != 1 ]; then
  if ! command -v dnsmasq > /dev/null || ! command -v promtool > /dev/null; then
    echo "[test] installing dnsmasq-base and prometheus (promtool) for the deployment checks"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends dnsmasq-base prometheus >/dev/null
    # the package starts a Prometheus server on some systems; only promtool is needed
    $SUDO pkill -x prometheus 2>/dev/null || true
  fi
  ./deploy/check.sh                    # Prometheus alert rules (promtool check + unit tests), the Grafana dashboard
  ./deploy/check-packaging.sh --all
fi
if [ "${SKIP_E2E:-0}" != 1 ]; then
  ./e2e/run.sh
  ./deploy/check-turn-netns.sh         # root only (network namespaces): the call must go through TURN
fi
