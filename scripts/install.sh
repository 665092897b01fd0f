#!/usr/bin/env bash
# Installs what LearnTrek needs to build, run and test, from the package
# registries only (crates.io, npm, Debian). Idempotent: each step checks first
# and does nothing when the right version is already there.
#   scripts/install.sh          build and run tools
#   scripts/install.sh --test   also Chromium and ChromeDriver for browser tests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

WORKER_BUILD_VERSION=0.8.7
WASM_BINDGEN_VERSION=0.2.130
NODE_VERSION=22.23.3

say() { printf '\033[1m[install]\033[0m %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_missing=()
need_apt() { dpkg -s "$1" >/dev/null 2>&1 || apt_missing+=("$1"); }
# The test harness's WebDriver client links OpenSSL.
need_apt pkg-config
need_apt libssl-dev
if [ "${1:-}" = "--test" ]; then
  need_apt chromium
  need_apt chromium-driver
  # pdftotext and pdftoppm read back the Reintegration Export's PDF.
  need_apt poppler-utils
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "apt-get install ${apt_missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

export PATH="$HOME/.cargo/bin:$PATH"
has_version() { "$1" --version 2>/dev/null | grep -qw "$2"; }
if ! has_version worker-build "$WORKER_BUILD_VERSION"; then
  say "cargo install worker-build $WORKER_BUILD_VERSION (about 7 minutes on 2 cores)"
  cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked --force
fi
if ! has_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  # Not --locked: its lockfile names a yanked webpki-roots.
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 6 minutes on 2 cores)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# wrangler, Node 22 (which wrangler needs) and wasm-opt, exactly as locked.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || [ "$(node_modules/node/bin/node --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  say "npm ci (wrangler, node $NODE_VERSION, binaryen)"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
fi

# Python test tools: an independent OpenAPI 3.1 validator that the e2e suite
# runs on the served document, and Schemathesis, which fuzzes every endpoint
# from that document.
if [ "${1:-}" = "--test" ]; then
  venv=.tools/venv
  if [ ! -x "$venv/bin/openapi-spec-validator" ] || [ ! -x "$venv/bin/schemathesis" ] || [ tests/requirements.txt -nt "$venv/.installed" ]; then
    say "pip install the OpenAPI validator and Schemathesis into $venv"
    python3 -m venv "$venv" 2>/dev/null || { as_root apt-get install -y -qq python3-venv >/dev/null; python3 -m venv "$venv"; }
    "$venv/bin/pip" install -q --disable-pip-version-check -r tests/requirements.txt
    touch "$venv/.installed"
  fi
fi
