#!/bin/sh
# Builds the PWA into pwa/dist: the shell's and the app's wasm from cargo, JS
# glue from the pinned wasm-bindgen CLI, size from binaryen's wasm-opt, then
# the static files with a build hash so browsers and the service worker never
# mix releases.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dist=pwa/dist
# Two programs: the shell a first visit loads, and the app it hands over to.
cargo build -p lt-pwa --bins --target wasm32-unknown-unknown --release
rm -rf "$dist.tmp" && mkdir -p "$dist.tmp/pkg"
for program in lt-shell lt-pwa; do
  name=$(echo "$program" | tr - _)
  wasm-bindgen --target web --no-typescript --out-name "$name" --out-dir "$dist.tmp/pkg" \
    "target/wasm32-unknown-unknown/release/$program.wasm"
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-sign-ext \
    --enable-nontrapping-float-to-int --enable-mutable-globals \
    --enable-reference-types --enable-multivalue \
    "$dist.tmp/pkg/${name}_bg.wasm" -o "$dist.tmp/pkg/${name}_bg.wasm"
done
cp -R pwa/static/. "$dist.tmp/"
build=$(cat "$dist.tmp/pkg/"* pwa/static/app.css pwa/static/sw.js | sha256sum | cut -c1-12)
for f in index.html sw.js; do
  sed "s/__BUILD__/$build/g" "pwa/static/$f" > "$dist.tmp/$f"
done
rm -rf "$dist" && mv "$dist.tmp" "$dist"
echo "PWA build $build in $dist"
