#!/usr/bin/env bash
# Certificates for event-bus TLS between cluster nodes (config cluster.tls, docs/operations.md "Cluster trust").
#   scripts/cluster-certs.sh DIR [NODE ...]
# Makes, in DIR, a private cluster CA (once) and one PKCS12 key store per NODE name (default: "node") signed by it:
#   DIR/NODE.p12        key store: the node's private key and certificate chain   -> cluster.tls.keyStore
#   DIR/trust.p12       trust store: the cluster CA certificate only              -> cluster.tls.trustStore
#   DIR/store-password  the password of every store in DIR                        -> cluster.tls.*Password
#   DIR/ca.key          the CA's private key (PEM): needed only to sign more node stores; keep it off the nodes
#   DIR/ca.crt, ca.srl  the CA certificate (PEM) and its serial counter
# Every node may share one NODE store, or get its own: any certificate signed by this CA is a cluster member, so
# the trust store must hold this private CA only (never a public CA). Existing files are kept: re-running only
# adds missing NODE stores. Files are created with mode 600 (umask 077).
# Environment: CLUSTER_CERTS_PASSWORD (default: random, 24 hex digits), CLUSTER_CERTS_DAYS (node validity, 825),
# CLUSTER_CERTS_SAN (default dns:localhost,ip:127.0.0.1; the event bus does not verify host names, but other
# tools may), KEYTOOL (default: $JAVA_HOME/bin/keytool or keytool on the PATH).
# Keys and certificates are made with openssl (EC P-256); the trust store with keytool, because Java ignores
# certificates in a PKCS12 file without its "trusted" attribute, which OpenSSL 3.0 cannot write.
set -euo pipefail
if [ $# -lt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
DIR=$1; shift
NODES=("$@")
[ ${#NODES[@]} -gt 0 ] || NODES=(node)
if [ -n "${KEYTOOL:-}" ]; then KT=$KEYTOOL
elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/keytool" ]; then KT=$JAVA_HOME/bin/keytool
else KT=keytool; fi
command -v "$KT" >/dev/null || { echo "cluster-certs.sh: keytool not found (install a JDK or set KEYTOOL)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "cluster-certs.sh: openssl not found (apt-get install openssl)" >&2; exit 1; }
DAYS=${CLUSTER_CERTS_DAYS:-825}
SAN=${CLUSTER_CERTS_SAN:-dns:localhost,ip:127.0.0.1}
SAN=$(printf '%s' "$SAN" | sed 's/dns:/DNS:/g; s/ip:/IP:/g')
umask 077
mkdir -p "$DIR"
PW=$DIR/store-password
if [ ! -s "$PW" ]; then
  if [ -n "${CLUSTER_CERTS_PASSWORD:-}" ]; then printf '%s\n' "$CLUSTER_CERTS_PASSWORD" >"$PW"
  else head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$PW"; echo >>"$PW"; fi
fi
ERR=$DIR/.certs.err
# quiet unless it fails; passwords go through the file, never the command line (ps)
run() { "$@" >/dev/null 2>"$ERR" || { echo "cluster-certs.sh: failed: $1 $2" >&2; cat "$ERR" >&2; exit 1; }; }

if [ ! -s "$DIR/ca.key" ] || [ ! -s "$DIR/ca.crt" ]; then
  rm -f "$DIR/ca.key" "$DIR/ca.crt" "$DIR/trust.p12"
  run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$DIR/ca.key"
  run openssl req -x509 -new -key "$DIR/ca.key" -sha256 -days 3650 \
    -subj "/CN=SeedIM cluster CA $(date -u +%Y%m%d%H%M%S)" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$DIR/ca.crt"
  echo "cluster CA: $DIR/ca.crt (its key $DIR/ca.key is private: keep it off the nodes)"
fi
if [ ! -s "$DIR/trust.p12" ]; then
  rm -f "$DIR/.trust.p12"
  run "$KT" -importcert -noprompt -alias seedim-cluster-ca -file "$DIR/ca.crt" -keystore "$DIR/.trust.p12" \
    -storetype PKCS12 -storepass:file "$PW"
  mv "$DIR/.trust.p12" "$DIR/trust.p12"
  echo "trust store: $DIR/trust.p12"
fi
for node in "${NODES[@]}"; do
  case "$node" in *[!A-Za-z0-9._-]*|'') echo "bad node name: $node" >&2; exit 2 ;; esac
  [ -s "$DIR/$node.p12" ] && continue
  tmp=$DIR/.$node.tmp
  run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp.key"
  run openssl req -new -key "$tmp.key" -subj "/CN=$node" -out "$tmp.csr"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' \
    "$SAN" >"$tmp.ext"
  run openssl x509 -req -in "$tmp.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" -CAcreateserial -sha256 -days "$DAYS" \
    -extfile "$tmp.ext" -out "$tmp.crt"
  run openssl pkcs12 -export -name node -inkey "$tmp.key" -in "$tmp.crt" -certfile "$DIR/ca.crt" \
    -passout "file:$PW" -out "$tmp.p12"
  mv "$tmp.p12" "$DIR/$node.p12"
  rm -f "$tmp.key" "$tmp.csr" "$tmp.ext" "$tmp.crt"
  echo "node key store: $DIR/$node.p12"
done
rm -f "$ERR"
