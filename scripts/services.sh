#!/usr/bin/env bash
# Makes sure MariaDB (127.0.0.1:3306, root, empty password, database `test`) and Redis (127.0.0.1:6379) are up,
# and that the test tools from Debian are installed (haproxy).
# Idempotent: installs from Debian if missing, starts what is not running, and on a fresh MariaDB grants
# root@127.0.0.1 an empty-password login (Debian's root otherwise only logs in through the unix socket).
set -euo pipefail

log() { echo "[services] $*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
{ command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; } || missing+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || command -v mysql >/dev/null 2>&1 || missing+=(mariadb-client)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)   # the hostile tests put a real HAProxy (PROXY protocol, X-Forwarded-For) in front of the gateway
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
MYSQL=$(command -v mariadb || command -v mysql)

if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "redis is up"
else
  log "starting redis"
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null
fi

tcp_login() { "$MYSQL" -h 127.0.0.1 -P 3306 -uroot --connect-timeout=2 -e 'SELECT 1' >/dev/null 2>&1; }

if tcp_login; then
  log "mariadb is up"
else
  if ! (echo > /dev/tcp/127.0.0.1/3306) >/dev/null 2>&1; then
    log "starting mariadb"
    as_root mkdir -p /run/mysqld
    as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
    for _ in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/3306) >/dev/null 2>&1 && break; sleep 0.2; done
  fi
  if ! tcp_login; then
    log "granting root@127.0.0.1 an empty-password login"
    as_root "$MYSQL" -uroot <<'SQL'
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED VIA mysql_native_password USING PASSWORD('');
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;
FLUSH PRIVILEGES;
SQL
  fi
  tcp_login || { log "mariadb still refuses root@127.0.0.1"; exit 1; }
fi
"$MYSQL" -h 127.0.0.1 -uroot -e 'CREATE DATABASE IF NOT EXISTS test' >/dev/null
log "ready: mariadb 127.0.0.1:3306, redis 127.0.0.1:6379"
