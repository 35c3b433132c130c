#!/usr/bin/env bash
# Calls the signed business HTTP API (PROTOCOL.md §7) with curl.
#   scripts/api.sh METHOD PATH [JSON_BODY]
# Env: IM_API (default http://127.0.0.1:8081), IM_APP_ID (default 1477358668), IM_APP_SECRET (default: the
# local cluster's secret from conf/local-cluster.json).
#   scripts/api.sh POST /api/v1/sign '{"userId":"alice","deviceId":"web"}'
set -euo pipefail
method=$1 path=$2 body=${3:-}
api=${IM_API:-http://127.0.0.1:8081}
app=${IM_APP_ID:-1477358668}
secret=${IM_APP_SECRET:-local-cluster-secret-not-for-production-0123456789}
ts=$(($(date +%s%N) / 1000000))
nonce=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
sig=$(printf '%s\n%s\n%s\n%s\n%s\n%s' "$method" "$app" "$path" "$ts" "$nonce" "$body" \
  | openssl dgst -sha256 -hmac "$secret" -hex | sed 's/^.*= //')
curl -s -X "$method" "$api$path" -H "X-App-Id: $app" -H "X-Timestamp: $ts" -H "X-Nonce: $nonce" \
  -H "X-Signature: $sig" -H 'Content-Type: application/json' ${body:+--data "$body"}
echo
