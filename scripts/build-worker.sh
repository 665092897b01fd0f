#!/bin/sh
# Builds the worker to worker/build/worker/shim.mjs with the pinned tools only:
# worker-build looks for {NAME}_BIN before it would download anything.
set -eu
[ -n "${LT_PREBUILT:-}" ] && exit 0
root=$(cd "$(dirname "$0")/.." && pwd)
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen)}"
export WASM_OPT_BIN="$root/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$root/node_modules/.bin/esbuild"
cd "$root"
exec worker-build --release worker
