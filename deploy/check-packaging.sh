#!/usr/bin/env bash
# Checks the packaging artifacts (docs/deployment.md, "How each artifact is checked"):
#   deploy/check-packaging.sh            Kubernetes manifests (schemas + SeedIM rules + self-test), systemd units
#   deploy/check-packaging.sh --image    also builds and runs the OCI image (scripts/image.sh, ~1 min, root)
#   deploy/check-packaging.sh --dns      also tests Hazelcast DNS discovery against dnsmasq (~1 min, root, built jar)
#   deploy/check-packaging.sh --all      all of it (the DNS test then runs its nodes from the image)
# Needs node/npm (the validator's two npm packages are installed with `npm ci` on first use) and systemd-analyze.
# Prints "N passed, M failed" at the end; exits 1 if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
IMAGE=0
DNS=0
for a in "$@"; do
  case "$a" in
    --image) IMAGE=1 ;;
    --dns) DNS=1 ;;
    --all) IMAGE=1; DNS=1 ;;
    *) echo "usage: $0 [--image] [--dns] [--all]" >&2; exit 2 ;;
  esac
done
PASSED=0
FAILED=0
step() {  # step NAME COMMAND...: runs it, output indented, counts the result
  local name=$1; shift
  echo "[packaging] $name"
  if "$@" 2>&1 | sed 's/^/    /'; then PASSED=$((PASSED + 1)); echo "[packaging]   ok: $name"
  else FAILED=$((FAILED + 1)); echo "[packaging]   FAILED: $name"; fi
}

# --- Kubernetes manifests
k8s_deps() {
  [ -d deploy/kubernetes/validate/node_modules/kubernetes-models ] && return 0
  (cd deploy/kubernetes/validate && npm ci --no-audit --no-fund --loglevel=error)
}
step "kubernetes: validator dependencies (npm ci)" k8s_deps
step "kubernetes: manifests against the API schemas and SeedIM's rules" node deploy/kubernetes/validate/validate.mjs
step "kubernetes: the check reports deliberately broken manifests" \
  node deploy/kubernetes/validate/validate.mjs --self-test deploy/kubernetes/validate/broken

# --- systemd units: systemd-analyze verify must print nothing (it warns on unknown keys and still exits 0), with the
# unit's ExecStart present: a private mount namespace puts scripts/start.sh at /opt/seedim/scripts/start.sh
verify_units() {  # verify_units UNIT_DIR: prints what systemd-analyze says; fails on any output
  local dir=$1 out
  out=$(unshare --mount bash -c "mount --make-rprivate / && mkdir -p /opt && mount -t tmpfs tmpfs /opt \
    && mkdir -p /opt/seedim/scripts && cp scripts/start.sh /opt/seedim/scripts/ \
    && systemd-analyze verify '$dir/seedim@gateway.service' '$dir/seedim@cs.service' '$dir/seedim@events.service' \
       '$dir/seedim.target' \
       '$dir/seedim-purge.service' '$dir/seedim-purge.timer'" 2>&1)
  local rc=$?
  [ -n "$out" ] && echo "$out"
  [ "$rc" = 0 ] && [ -z "$out" ]
}
systemd_units() {
  command -v systemd-analyze > /dev/null || { echo "systemd-analyze is missing (apt-get install systemd)"; return 1; }
  local t
  t=$(mktemp -d)
  cp deploy/systemd/seedim@.service deploy/systemd/seedim.target deploy/systemd/seedim-purge.service \
    deploy/systemd/seedim-purge.timer "$t/"
  verify_units "$t" || { rm -rf "$t"; return 1; }
  echo "systemd-analyze verify: seedim@gateway.service, seedim@cs.service, seedim@events.service, seedim.target, seedim-purge.service/.timer clean"
  local level
  level=$(systemd-analyze security --offline=yes "$t/seedim@gateway.service" 2>&1 | grep -o 'Overall exposure level for [^:]*: [0-9.]*' | awk '{print $NF}')
  echo "systemd-analyze security: exposure ${level:-?} (must be <= 2.5; 10 = unprotected)"
  rm -rf "$t"
  awk -v l="${level:-99}" 'BEGIN { exit !(l <= 2.5) }'
}
systemd_self_test() {  # a misspelt key, and (separately) a relative ExecStart, must each be reported
  local t out ok=0
  for broken in 's/^Restart=on-failure/Restart=on-failure\nRestartt=always/' 's|^ExecStart=/opt/seedim/|ExecStart=opt/seedim/|'; do
    t=$(mktemp -d)
    sed -e "$broken" deploy/systemd/seedim@.service > "$t/seedim@.service"
    cp deploy/systemd/seedim.target deploy/systemd/seedim-purge.service deploy/systemd/seedim-purge.timer "$t/"
    out=$(verify_units "$t")
    rm -rf "$t"
    if [ -n "$out" ]; then echo "reported ($broken): $(echo "$out" | head -1 | cut -c1-160)"; ok=$((ok + 1));
    else echo "NOT reported: $broken"; fi
  done
  [ "$ok" = 2 ]
}
step "systemd: units verified, hardening exposure" systemd_units
step "systemd: the check reports a broken unit" systemd_self_test
step "systemd: install.sh into a scratch root" bash -c 't=$(mktemp -d); trap "rm -rf $t" EXIT
  [ -f server/target/seedim.jar ] || { echo "no server/target/seedim.jar: skipped (build first)"; exit 0; }
  deploy/systemd/install.sh "$t" > /dev/null && for f in opt/seedim/seedim.jar opt/seedim/scripts/start.sh \
    etc/systemd/system/seedim@.service etc/seedim/seedim.json usr/lib/sysusers.d/seedim.conf; do
    [ -e "$t/$f" ] || { echo "missing /$f"; exit 1; }; done; echo "layout complete"'

# --- optional, slower
[ "$IMAGE" = 1 ] && step "image: build, inspect and run (scripts/image.sh)" scripts/image.sh
# with --image too, the DNS test runs its nodes from the image just built (its jlink runtime, user and entrypoint)
if [ "$DNS" = 1 ] && [ "$IMAGE" = 1 ]; then
  step "kubernetes: Hazelcast DNS discovery against dnsmasq, nodes from the image" \
    deploy/kubernetes/test-dns-discovery.sh --no-tcpip --image
elif [ "$DNS" = 1 ]; then
  step "kubernetes: Hazelcast DNS discovery against dnsmasq" deploy/kubernetes/test-dns-discovery.sh --no-tcpip
fi

echo "packaging: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
