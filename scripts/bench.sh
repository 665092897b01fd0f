#!/usr/bin/env bash
# `make bench`: sizes of what ships, then request latency against the real
# worker. Paste the output into BENCHMARKS.md with the date.
set -euo pipefail
cd "$(dirname "$0")/.."
gz() { gzip -9c "$1" | wc -c; }
echo "| artefact | raw bytes | gzip -9 bytes |"
echo "|---|---|---|"
for f in worker/build/index_bg.wasm worker/build/worker/shim.mjs worker/build/index.js \
         pdf/build/index_bg.wasm pdf/build/worker/shim.mjs pdf/build/index.js \
         pwa/dist/pkg/lt_shell_bg.wasm pwa/dist/pkg/lt_shell.js \
         pwa/dist/pkg/lt_pwa_bg.wasm pwa/dist/pkg/lt_pwa.js pwa/dist/app.css; do
  [ -f "$f" ] && echo "| \`$f\` | $(wc -c < "$f") | $(gz "$f") |"
done
echo
cargo run --quiet -p lt-tests --bin bench
