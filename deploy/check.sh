#!/usr/bin/env bash
# Checks the operator artifacts under deploy/ that need no server:
#   - deploy/prometheus/*.yml alert rules: `promtool check rules` (syntax, PromQL) and
#     `promtool test rules` on deploy/prometheus/*.test.yml (the alerts fire on the series they are written for);
#   - deploy/grafana/*.json: valid JSON, a Grafana dashboard whose queries use the datasource variable, every query
#     valid PromQL (promtool parses it as a recording rule).
# promtool comes from Debian's `prometheus` package; it is installed when missing (as root, non-interactive) and the
# prometheus service the package may start is stopped: only the promtool binary is used.
# That every metric the dashboard and rules read is really exported is checked by the server's ObservabilityTest.
set -euo pipefail
cd "$(dirname "$0")"

ensure_promtool() {
  if command -v promtool >/dev/null 2>&1; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "deploy/check.sh: promtool missing and not root: install Debian's 'prometheus' package" >&2
    exit 1
  fi
  echo "deploy/check.sh: installing promtool (Debian package prometheus)"
  # policy-rc.d 101: the package must not start its service; removed again afterwards
  local policy=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null || {
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; }
  [ "$created" = 1 ] && rm -f "$policy"
  # in case a service manager started it anyway
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl stop prometheus || true
  elif [ -x /etc/init.d/prometheus ]; then
    /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  fi
  command -v promtool >/dev/null 2>&1 || { echo "deploy/check.sh: promtool still missing" >&2; exit 1; }
}

ensure_promtool
promtool --version 2>&1 | head -1

rules=(prometheus/*-alerts.yml)
promtool check rules "${rules[@]}"
for t in prometheus/*.test.yml; do
  promtool test rules "$t"
done

for d in grafana/*.json; do
  python3 - "$d" <<'PY'
import json, sys
path = sys.argv[1]
d = json.load(open(path))
names = [v["name"] for v in d.get("templating", {}).get("list", [])]
assert "datasource" in names, f"{path}: no datasource variable"
n = 0
for p in d["panels"]:
    for t in p.get("targets", []):
        assert t.get("expr"), f"{path}: panel {p.get('title')!r} has a target without expr"
        assert t.get("datasource", {}).get("uid") == "${datasource}", f"{path}: panel {p.get('title')!r} does not use ${{datasource}}"
        n += 1
    if p.get("type") != "row":
        assert p.get("datasource", {}).get("uid") == "${datasource}", f"{path}: panel {p.get('title')!r} datasource"
ids = [p["id"] for p in d["panels"]]
assert len(ids) == len(set(ids)), f"{path}: duplicate panel ids"
print(f"{path}: {len(d['panels'])} panels, {n} queries, datasource variable: OK")
PY
done
# the dashboard's PromQL through promtool too: every query as a recording rule, Grafana variables filled in
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for d in grafana/*.json; do
  python3 - "$d" > "$tmp/dashboard-queries.yml" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("groups:\n  - name: dashboard-queries\n    rules:")
i = 0
for p in d["panels"]:
    for t in p.get("targets", []):
        e = t["expr"].replace("$__rate_interval", "5m").replace("$__range", "1h").replace("$job", ".*").replace("$instance", ".*")
        i += 1
        print(f"      - record: dashboard:query_{i}\n        expr: {json.dumps(e)}")
PY
  promtool check rules "$tmp/dashboard-queries.yml" >/dev/null || { echo "$d: a query is not valid PromQL" >&2; promtool check rules "$tmp/dashboard-queries.yml"; exit 1; }
  echo "$d: every query parses (promtool)"
done

echo "deploy/check.sh: OK"
