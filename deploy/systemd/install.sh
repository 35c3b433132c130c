#!/usr/bin/env bash
# Installs a built SeedIM on this host for seedim@.service (run as root from a checkout with server/target/seedim.jar):
#   deploy/systemd/install.sh [DESTDIR]
# then: edit /etc/seedim/seedim.json (from conf/prod.example.json) and /etc/seedim/seedim.env,
#   systemctl enable --now seedim@gateway.service seedim@chat.service seedim@events.service
#   (or: enable the instances, start seedim.target)
# DESTDIR (default /) installs into another root, e.g. for a package build. Existing files under /etc/seedim are kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
D=${1:-}
JAR=server/target/seedim.jar
[ -f "$JAR" ] || { echo "[install] $JAR is missing: mvn -B -ntp -pl server -am package -DskipTests" >&2; exit 1; }
install -d -m 0755 "$D/opt/seedim/scripts" "$D/opt/seedim/conf" "$D/etc/systemd/system" "$D/usr/lib/sysusers.d"
install -m 0644 "$JAR" "$D/opt/seedim/seedim.jar"
install -m 0755 scripts/start.sh "$D/opt/seedim/scripts/start.sh"
install -m 0644 conf/jvm.options "$D/opt/seedim/conf/jvm.options"
install -m 0644 deploy/systemd/seedim@.service deploy/systemd/seedim.target deploy/systemd/seedim-purge.service \
  deploy/systemd/seedim-purge.timer "$D/etc/systemd/system/"
install -m 0644 deploy/systemd/seedim.sysusers "$D/usr/lib/sysusers.d/seedim.conf"
install -d -m 0750 "$D/etc/seedim"
keep() { [ -e "$2" ] || install -m 0640 "$1" "$2"; }
keep conf/jvm.options "$D/etc/seedim/jvm.options"
keep conf/prod.example.json "$D/etc/seedim/seedim.json"
keep deploy/systemd/seedim.env.example "$D/etc/seedim/seedim.env"
if [ -z "$D" ]; then
  systemd-sysusers seedim.conf 2> /dev/null || systemd-sysusers
  chown -R root:seedim /etc/seedim
  systemctl daemon-reload
fi
echo "[install] installed into ${D:-/}: edit /etc/seedim/seedim.json and seedim.env, then systemctl enable --now seedim@ROLES.service"
