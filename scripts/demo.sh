#!/usr/bin/env bash
# make demo: starts the Closte emulator on loopback and runs examples/demo.php against it
# with the freshly built extension.
set -euo pipefail
cd "$(dirname "$0")/.."
emu=target/release/closte-emulator
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

"$emu" make-certs "$work/certs"
key="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
"$emu" --listen 127.0.0.1:0 --api-key "$key" > "$work/emulator.out" &
pid=$!
url=""
for _ in $(seq 200); do # poll for the first line; no fixed sleep
  url=$(sed -n 's/^listening on //p' "$work/emulator.out")
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "the emulator did not start" >&2; exit 1; }
echo "Closte emulator: $url"
echo
CLOSTE_DEMO_KEY="$key" CLOSTE_DEMO_URL="$url/api/client" CLOSTE_DEMO_CERTS="$work/certs" \
  php -n -d "extension=$PWD/target/release/libcloste.so" examples/demo.php
