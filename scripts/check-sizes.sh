#!/usr/bin/env bash
# What ships, gzipped, against its limits: the worker must stay under
# Cloudflare's 3 MB compressed limit (a hard failure), and is reported
# against its 1 MB goal; the PWA's first load (wasm, JS glue, shell, CSS)
# is reported against its 200 kB goal.
set -euo pipefail
cd "$(dirname "$0")/.."
gz() { gzip -9c "$1" | wc -c; }
# Overridable only to check that the check fails.
limit=${WORKER_LIMIT_BYTES:-3000000}
worker=$(( $(gz worker/build/index_bg.wasm) + $(gz worker/build/index.js) + $(gz worker/build/worker/shim.mjs) ))
pwa=0
for f in pwa/dist/pkg/lt_pwa_bg.wasm pwa/dist/pkg/lt_pwa.js pwa/dist/index.html pwa/dist/app.css pwa/dist/sw.js; do
  pwa=$(( pwa + $(gz "$f") ))
done
echo "[sizes] worker ${worker} B gzipped (goal 1000000; limit ${limit})"
echo "[sizes] PWA first load ${pwa} B gzipped (goal 200000)"
if [ "$worker" -gt "$limit" ]; then
  echo "[sizes] the worker is over the ${limit} B limit (Cloudflare's 3 MB): it would not deploy" >&2
  exit 1
fi
