#!/bin/sh
# Renders the PNG app icons from icon.svg with headless Chromium. Run by hand
# after changing the SVG; the PNGs are committed.
set -eu
cd "$(dirname "$0")/../pwa/static/icons"
for size in 192 512; do
  dir=$(mktemp -d)
  chromium --headless=new --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$dir" --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$size,$size" --screenshot="$PWD/icon-$size.png" \
    "file://$PWD/icon.svg" 2>/dev/null
  rm -rf "$dir"
done
