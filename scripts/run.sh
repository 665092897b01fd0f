#!/usr/bin/env bash
# `make run`: migrate the local D1, load the demo AP once, then serve the PWA
# and the API on one address. Local data lives in .wrangler/state and is kept
# between runs; delete that folder to start again from the demo.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
port="${PORT:-8787}"
notify_port="${NOTIFY_PORT:-8025}"
state=.wrangler/state

wrangler d1 migrations apply DB --local --persist-to "$state" >/dev/null
if [ ! -f "$state/demo-seeded" ]; then
  echo "[run] loading the demo AP"
  seed=$(mktemp --suffix=.sql)
  cargo run --quiet -p lt-tests --bin demo-seed > "$seed"
  wrangler d1 execute DB --local --persist-to "$state" --file "$seed" >/dev/null
  rm -f "$seed"
  touch "$state/demo-seeded"
fi

# This machine's own VAPID key, kept with the data: browsers subscribed with it.
if [ ! -f "$state/vapid-private-key" ]; then
  cargo run --quiet -p lt-tests --bin demo-seed -- --vapid-key > "$state/vapid-private-key"
fi

sign_ins=$(cargo run --quiet -p lt-tests --bin demo-seed -- --sign-ins)
cat <<BANNER

  LearnTrek is starting on  http://127.0.0.1:$port

$sign_ins

  API description   http://127.0.0.1:$port/api/openapi.json
  Health            http://127.0.0.1:$port/api/health
  Emails and texts  http://127.0.0.1:$notify_port  (local GOV.UK Notify stand-in)
  Stop with Ctrl-C; your local data stays in $state.

BANNER
export LT_PREBUILT=1
node scripts/cron-ticker.mjs "http://127.0.0.1:$port" &
ticker=$!
# Emails go to a local GOV.UK Notify stand-in; read them at its address.
cargo run --quiet -p lt-tests --bin notify-receiver -- "$notify_port" &
receiver=$!
trap 'kill $ticker $receiver 2>/dev/null' EXIT
notify_vars=()
while IFS=$'\t' read -r name value; do
  notify_vars+=(--var "$name:$value")
done < <(cargo run --quiet -p lt-tests --bin notify-receiver -- --vars "http://127.0.0.1:$notify_port")
notify_vars+=(--var "VAPID_PRIVATE_KEY:$(cat "$state/vapid-private-key")")
notify_vars+=(--var "VAPID_SUBJECT:mailto:alerts@learntrek.example")
notify_vars+=(--var "APP_URL:http://127.0.0.1:$port")
# Both workers in one session: the main one (first: it gets the port and the
# vars) and the PDF worker its `PDF` service binding reaches.
wrangler dev -c wrangler.toml -c pdf/wrangler.toml --local --test-scheduled --ip 127.0.0.1 --port "$port" \
  --persist-to "$state" --show-interactive-dev-session=false "${notify_vars[@]}"
