#!/bin/sh
# Builds a worker (the main one in worker/, or the PDF worker in pdf/ when
# given `pdf`) to <dir>/build/worker/shim.mjs with the pinned tools only:
# worker-build looks for {NAME}_BIN before it would download anything.
set -eu
[ -n "${LT_PREBUILT:-}" ] && exit 0
crate="${1:-worker}"
root=$(cd "$(dirname "$0")/.." && pwd)
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen)}"
export WASM_OPT_BIN="$root/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$root/node_modules/.bin/esbuild"
cd "$root"
worker-build --release "$crate"
# worker-build keeps the wasm names section (643 kB raw, 172 kB gzipped): the
# function names in a trap's stack trace. Errors are logged with their cause
# either way, so the names are dropped to keep the upload small.
wasm="$crate/build/index_bg.wasm"
"$WASM_OPT_BIN" "$wasm" --strip-debug --strip-producers -o "$wasm" \
  --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
  --enable-bulk-memory --enable-multivalue --enable-reference-types --enable-exception-handling
