#!/usr/bin/env bash
# Builds the SeedIM OCI image without Docker and checks it: server/target/seedim-image.tar.
#   ./scripts/image.sh              build, inspect, run it once (as root: needs unshare)
#   ./scripts/image.sh --no-run     build and inspect only
#   ./scripts/image.sh --check-only inspect (and run) an existing server/target/seedim-image.tar
# What it builds (docs/deployment.md, "The image"): no base image is pulled. server/target/image-root is staged here:
#   /opt/java           a jlink runtime of the build JDK (17) with the modules SeedIM and its libraries use
#   /lib*, /lib/x86_64-linux-gnu  the shared libraries that runtime needs, copied from this (Debian) machine
#   /etc/passwd, /etc/group, /etc/nsswitch.conf  the non-root user seedim (10001:10001)
#   /opt/seedim/jvm.options  conf/jvm.options, read by the entrypoint as a java @argument file
#   /etc/seedim, /tmp   the config mount point, and a world-writable /tmp (Vert.x's file cache; Jib cannot set the sticky bit: mount an emptyDir there)
# then `mvn -Pimage package` in server/ runs Jib's buildTar on a scratch base with that tree as an extra layer.
# Environment: SEEDIM_MVN_ARGS adds Maven arguments (e.g. "-o -Dmaven.repo.local=/work/m2-x"); JAVA_HOME picks the
# JDK whose jlink and jmods build the runtime (default: the one of `java` on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT_DIR=$PWD
TARGET=server/target
IMAGE=$TARGET/seedim-image.tar
STAGE=$TARGET/image-root
RUN=1
BUILD=1
for a in "$@"; do
  case "$a" in
    --no-run) RUN=0 ;;
    --check-only) BUILD=0 ;;
    *) echo "usage: $0 [--no-run] [--check-only]" >&2; exit 2 ;;
  esac
done
log() { echo "[image] $*"; }
die() { echo "[image] FAIL: $*" >&2; exit 1; }

# Modules: jdeps over the runtime dependencies (java.sql for Flyway/MariaDB JDBC, java.management and java.naming for
# Hazelcast and the JDBC driver, java.desktop for java.beans in Micrometer, ...), plus TLS's EC ciphers, JNDI DNS,
# JFR and jcmd for diagnosis. The AWT native libraries of java.desktop are dropped below (headless; no X11 in the image).
MODULES=java.base,java.desktop,java.logging,java.management,java.naming,java.scripting,java.security.jgss,java.sql
MODULES=$MODULES,java.xml,jdk.management,jdk.net,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns,jdk.jfr,jdk.jcmd
DESKTOP_NATIVE="libawt_xawt.so libjawt.so libsplashscreen.so libjsound.so libfontmanager.so liblcms.so libjavajpeg.so
  libmlib_image.so libawt_headless.so libawt.so"

stage_root() {
  local jdk=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
  [ -d "$jdk/jmods" ] || die "$jdk has no jmods/ (jlink needs them: apt-get install openjdk-17-jdk)"
  rm -rf "$STAGE"
  mkdir -p "$STAGE"/{opt/seedim,etc/seedim,tmp,lib64,lib/x86_64-linux-gnu}
  log "jlink runtime from $jdk"
  "$jdk/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 \
    --output "$STAGE/opt/java"
  for f in $DESKTOP_NATIVE; do rm -f "$STAGE/opt/java/lib/$f"; done
  # Debian's JDK keeps cacerts etc. as links into /etc: make sure the runtime holds real files
  for f in "$STAGE"/opt/java/lib/security/*; do
    if [ -L "$f" ]; then cp --remove-destination -L "$f" "$f"; fi
  done
  # the shared libraries of every binary and library of the runtime, as files under their sonames
  local libs
  libs=$(find "$STAGE/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
    | LD_LIBRARY_PATH="$STAGE/opt/java/lib:$STAGE/opt/java/lib/server" xargs -0 ldd 2>/dev/null \
    | awk '/=> \// {print $3} /^\s*\/lib64\// {print $1}' | grep -v "^$ROOT_DIR" | grep -v "/opt/java/" | sort -u)
  for l in $libs; do
    case "$l" in
      /lib64/*) cp -L "$l" "$STAGE/lib64/" ;;
      *) cp -L "$l" "$STAGE/lib/x86_64-linux-gnu/" ;;
    esac
  done
  [ -f "$STAGE/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$STAGE/lib64/"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nseedim:x:10001:10001:SeedIM:/opt/seedim:/sbin/nologin\n' > "$STAGE/etc/passwd"
  printf 'root:x:0:\nseedim:x:10001:\n' > "$STAGE/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$STAGE/etc/nsswitch.conf"
  cp conf/jvm.options "$STAGE/opt/seedim/jvm.options"
  log "staged $(du -sh "$STAGE" | cut -f1) ($(echo "$libs" | wc -w) shared libraries: $(echo "$libs" | xargs -n1 basename | tr '\n' ' '))"
}

build() {
  stage_root
  log "mvn -Pimage package (server and the modules it needs; tests skipped)"
  # shellcheck disable=SC2086
  mvn -B -ntp ${SEEDIM_MVN_ARGS:-} -Djib.disableUpdateChecks=true -Pimage -pl server -am package -DskipTests \
    > "$TARGET/image-build.log" 2>&1 || { tail -40 "$TARGET/image-build.log" >&2; die "mvn -Pimage package"; }
  [ -s "$IMAGE" ] || die "$IMAGE was not written"
  log "built $IMAGE ($(du -h "$IMAGE" | cut -f1)), digest $(cat "$TARGET/seedim-image.digest")"
}

# Unpacks the archive and checks its index, manifest and config with python3: prints the layer blobs in order.
WORK=$TARGET/image-check
inspect() {
  rm -rf "$WORK" && mkdir -p "$WORK/archive"
  tar -xf "$IMAGE" -C "$WORK/archive"
  python3 - "$WORK/archive" > "$WORK/layers.txt" <<'PY'
import json, os, sys, hashlib
root = sys.argv[1]
def fail(msg):
    sys.stderr.write("[image] FAIL: " + msg + "\n"); sys.exit(1)
def blob(digest):
    algo, hexd = digest.split(":")
    path = os.path.join(root, "blobs", algo, hexd)
    data = open(path, "rb").read()
    if hashlib.sha256(data).hexdigest() != hexd:
        fail("blob " + digest + " does not match its digest")
    return path, data
if os.path.exists(os.path.join(root, "index.json")):          # OCI image layout
    if json.load(open(os.path.join(root, "oci-layout")))["imageLayoutVersion"] != "1.0.0":
        fail("oci-layout version")
    index = json.load(open(os.path.join(root, "index.json")))
    mdesc = index["manifests"][0]
    manifest = json.loads(blob(mdesc["digest"])[1])
    if manifest.get("mediaType", mdesc.get("mediaType")) != "application/vnd.oci.image.manifest.v1+json":
        fail("manifest media type " + str(manifest.get("mediaType")))
    config = json.loads(blob(manifest["config"]["digest"])[1])
    layers = [blob(l["digest"])[0] for l in manifest["layers"]]
else:                                                          # docker save layout
    m = json.load(open(os.path.join(root, "manifest.json")))[0]
    config = json.load(open(os.path.join(root, m["Config"])))
    layers = [os.path.join(root, l) for l in m["Layers"]]
c = config["config"]
checks = {
    "linux/amd64": config.get("os") == "linux" and config.get("architecture") == "amd64",
    "non-root user 10001:10001": c.get("User") == "10001:10001",
    "entrypoint is the jlink java": (c.get("Entrypoint") or [""])[0] == "/opt/java/bin/java",
    "entrypoint reads jvm.options": "@/opt/seedim/jvm.options" in (c.get("Entrypoint") or []),
    "entrypoint runs Main": (c.get("Entrypoint") or [""])[-1] == "com.seedim.im.server.Main",
    "default args: --config /etc/seedim/seedim.json": c.get("Cmd") == ["--config", "/etc/seedim/seedim.json"],
    "MALLOC_ARENA_MAX=2": "MALLOC_ARENA_MAX=2" in (c.get("Env") or []),
    "ports 8080 9090 5701 5801": set((c.get("ExposedPorts") or {}).keys()) == {"8080/tcp", "9090/tcp", "5701/tcp", "5801/tcp"},
    "working dir /opt/seedim": c.get("WorkingDir") == "/opt/seedim",
    "layers present": len(layers) >= 3 and len(layers) == len(config["rootfs"]["diff_ids"]),
}
for name, ok in checks.items():
    sys.stderr.write("[image]   %-48s %s\n" % (name, "ok" if ok else "FAIL"))
if not all(checks.values()):
    fail("image config: " + json.dumps(c))
sys.stderr.write("[image]   entrypoint: %s %s\n" % (" ".join(c["Entrypoint"]), " ".join(c.get("Cmd") or [])))
sys.stderr.write("[image]   env: %s\n" % " ".join(c.get("Env") or []))
json.dump(c, open(os.path.join(root, "..", "config.json"), "w"))
for l in layers:
    print(l)
PY
  # the layers unpacked in order make the root file system a runtime would start
  mkdir -p "$WORK/rootfs"
  while read -r layer; do tar --warning=no-unknown-keyword -xzf "$layer" -C "$WORK/rootfs"; done < "$WORK/layers.txt"
  local r=$WORK/rootfs
  for f in opt/java/bin/java opt/seedim/jvm.options app/jib-classpath-file lib64/ld-linux-x86-64.so.2 etc/passwd; do
    [ -e "$r/$f" ] || die "/$f is missing from the image"
  done
  [ -x "$r/opt/java/bin/java" ] || die "/opt/java/bin/java is not executable"
  [ "$(stat -c %a "$r/tmp")" = 777 ] || die "/tmp is not 777 ($(stat -c %a "$r/tmp"))"
  [ -z "$(find "$r" -maxdepth 3 -name 'seedim.jar')" ] || die "the shaded jar should not be in the image (classpath layout)"
  grep -q '^seedim:x:10001:10001:' "$r/etc/passwd" || die "no seedim user in /etc/passwd"
  log "rootfs: $(du -sh "$r" | cut -f1), $(tr ':' '\n' < "$r/app/jib-classpath-file" | wc -l) classpath entries"
}

# Starts the entrypoint in the unpacked root file system: own network, mount and PID namespaces (nothing reaches or
# binds the host's ports), the image's environment only, as user 10001, with the built-in dev config (the image's
# default args name /etc/seedim/seedim.json, so first check that a missing config is refused with exit 78 and one line).
run() {
  [ "$(id -u)" = 0 ] || { log "not root: skipping the run (unshare needs root)"; return 0; }
  command -v unshare > /dev/null || { log "no unshare: skipping the run"; return 0; }
  local r
  r=$(readlink -f "$WORK/rootfs")
  mkdir -p "$r/proc" "$r/dev" "$r/sys"
  for d in null:1:3 zero:1:5 random:1:8 urandom:1:9; do
    IFS=: read -r n ma mi <<< "$d"
    [ -e "$r/dev/$n" ] || mknod -m 666 "$r/dev/$n" c "$ma" "$mi"
  done
  local cfg=$WORK/config.json
  python3 - "$cfg" > "$WORK/run.env" <<'PY'
import json, shlex, sys
c = json.load(open(sys.argv[1]))
print("IMAGE_ENV=(" + " ".join(shlex.quote(e) for e in c.get("Env", [])) + ")")
print("IMAGE_ENTRY=(" + " ".join(shlex.quote(e) for e in c["Entrypoint"]) + ")")
print("IMAGE_CMD=(" + " ".join(shlex.quote(e) for e in c.get("Cmd", [])) + ")")
u, g = c["User"].split(":")
print("IMAGE_UID=%s IMAGE_GID=%s IMAGE_WD=%s" % (u, g, shlex.quote(c.get("WorkingDir", "/"))))
PY
  log "running the entrypoint in $r (unshare: net, mount, pid)"
  SEEDIM_ROOTFS=$r SEEDIM_RUN_ENV=$WORK/run.env SEEDIM_RUN_LOG=$WORK/run.log \
    timeout 120 unshare --net --mount --pid --fork --kill-child bash -s <<'INNER'
set -euo pipefail
source "$SEEDIM_RUN_ENV"
r=$SEEDIM_ROOTFS
UNSHARE=$(command -v unshare)
ip link set lo up
mount --make-rprivate /
mount -t proc proc "$r/proc"
start() {  # the container's process: image env only, its user, its working directory, its root (exec: $! is java)
  exec env -i "${IMAGE_ENV[@]}" "$UNSHARE" --root="$r" --wd="$IMAGE_WD" --setuid "$IMAGE_UID" --setgid "$IMAGE_GID" \
    "${IMAGE_ENTRY[@]}" "$@"
}
# 1. the default args, no config mounted: refused with one line and exit 78
set +e
out=$( (start "${IMAGE_CMD[@]}") 2>&1 > /dev/null)
code=$?
set -e
if [ "$code" != 78 ] || ! grep -q 'refusing to start: no such file: /etc/seedim/seedim.json' <<< "$out"; then
  echo "[image] FAIL: without a config the image should exit 78 with one line; got $code: $out" >&2; exit 1
fi
echo "[image]   no config mounted: exit 78, '$out'"
# 2. dev mode (the built-in config: loopback only, in-memory stores): /health and /ready, then SIGTERM
(start) > "$SEEDIM_RUN_LOG" 2>&1 &
pid=$!
ok=0
for _ in $(seq 1 120); do
  if curl -fsS -m 2 http://127.0.0.1:9090/ready > /dev/null 2>&1; then ok=1; break; fi
  kill -0 "$pid" 2> /dev/null || break
  sleep 0.5
done
if [ "$ok" != 1 ]; then
  echo "[image] FAIL: the node did not become ready; log:" >&2; tail -30 "$SEEDIM_RUN_LOG" >&2; kill -9 "$pid" 2>/dev/null; exit 1
fi
health=$(curl -fsS -m 2 http://127.0.0.1:9090/health)
curl -fsS -m 2 http://127.0.0.1:8080/health > /dev/null
metrics=$(curl -fsS -m 5 http://127.0.0.1:9090/metrics | grep -c '^jvm_' || true)
user=$(awk '/^Uid:/ {print $2}' "$r/proc/$pid/status")
[ "$user" = "$IMAGE_UID" ] || { echo "[image] FAIL: the node runs as uid $user, not $IMAGE_UID" >&2; exit 1; }
echo "[image]   dev node ready: /health $health, /ready 200, public /health 200, $metrics jvm_ metric lines, uid $user"
# the runtime's diagnosis tools work inside the image (docs/deployment.md: jcmd without a shell)
jv=$(env -i "${IMAGE_ENV[@]}" "$UNSHARE" --root="$r" --wd="$IMAGE_WD" --setuid "$IMAGE_UID" --setgid "$IMAGE_GID" \
  /opt/java/bin/jcmd "$pid" VM.version 2>&1 | grep -m1 'JDK' || true)
[ -n "$jv" ] || { echo "[image] FAIL: jcmd $pid VM.version did not answer inside the image" >&2; exit 1; }
echo "[image]   jcmd inside the image: $jv"
kill -TERM "$pid"
for _ in $(seq 1 60); do kill -0 "$pid" 2> /dev/null || break; sleep 0.5; done
if kill -0 "$pid" 2> /dev/null; then echo "[image] FAIL: no exit 30 s after SIGTERM" >&2; kill -9 "$pid"; exit 1; fi
set +e
wait "$pid"
code=$?
set -e
grep -q 'shutting down' "$SEEDIM_RUN_LOG" || { echo "[image] FAIL: no graceful shutdown in the log (exit $code)" >&2; tail -5 "$SEEDIM_RUN_LOG" >&2; exit 1; }
echo "[image]   SIGTERM: graceful shutdown logged, process gone"
INNER
  log "run ok (log: $WORK/run.log)"
}

[ "$BUILD" = 1 ] && build
[ -s "$IMAGE" ] || die "$IMAGE is missing: run $0 without --check-only"
inspect
[ "$RUN" = 1 ] && run
log "ok: $IMAGE"
