#!/usr/bin/env bash
# make demo: starts the Closte emulator on loopback and runs examples/demo.php against it
# with the freshly built extension.
set -euo pipefail
cd "$(dirname "$0")/.."
emu=target/release/closte-emulator
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

# Runs the emulator with the given arguments; sets $url to where it says it listens.
run() {
  local out="$work/emulator-${#pids[@]}.out"
  "$emu" "$@" > "$out" &
  pids+=($!)
  url=""
  for _ in $(seq 200); do # poll for the first line; no fixed sleep
    url=$(sed -n 's/^listening on //p' "$out")
    [ -n "$url" ] && break
    sleep 0.05
  done
  [ -n "$url" ] || { echo "the emulator ($1) did not start" >&2; exit 1; }
}

# Starts the API emulator with extra arguments.
start() {
  run --listen 127.0.0.1:0 --api-key "$key" "$@"
}

"$emu" make-certs "$work/certs"
key="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
start --tls-cert "$work/certs/valid.pem" --tls-key "$work/certs/valid.key"
tls_valid=$url
start --tls-cert "$work/certs/wrong-host.pem" --tls-key "$work/certs/wrong-host.key"
tls_wrong=$url
cat > "$work/zone.txt" <<'ZONE'
shop.example.com      300 A     198.51.100.7
www.shop.example.com   60 CNAME shop.example.com
moved.example.com     300 A     203.0.113.9
ipv6.example.com      300 AAAA  2001:db8::7
proxied.example.com   300 A     104.16.132.229
stray.example.com     300 A     198.51.100.7
stray.example.com     300 AAAA  2001:db8::66
shop.example.org      300 A     198.51.100.7
example.org           300 CAA   0 issue "sectigo.com"
ZONE
run dns --zone "$work/zone.txt"
dns=${url#udp://}
start
echo "Closte emulator: $url (TLS test servers: $tls_valid, $tls_wrong; DNS: $dns)"
echo
CLOSTE_DEMO_KEY="$key" CLOSTE_DEMO_URL="$url/api/client" CLOSTE_DEMO_CERTS="$work/certs" \
  CLOSTE_DEMO_DNS="$dns" CLOSTE_DEMO_TLS_VALID="${tls_valid##*:}" CLOSTE_DEMO_TLS_WRONG="${tls_wrong##*:}" \
  php -n -d "extension=$PWD/target/release/libcloste.so" examples/demo.php
