#!/usr/bin/env bash
# Installs the system packages the build and tests need, only those missing.
set -euo pipefail

need=()
command -v php >/dev/null 2>&1 || need+=(php-cli)
command -v php-config >/dev/null 2>&1 || need+=(php-dev)
command -v clang >/dev/null 2>&1 || need+=(clang)
# bindgen (through ext-php-rs) loads libclang at build time.
ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 || need+=(libclang-dev)
# The WordPress test needs a database server, WordPress core and PHP's mysqli.
if [ "${1:-}" = "wordpress" ]; then
  command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server)
  [ -f /usr/share/wordpress/wp-settings.php ] || need+=(wordpress)
  ls /usr/lib/php/*/mysqli.so >/dev/null 2>&1 || need+=(php-mysql)
fi
# make bench compares with PHP's own curl_multi.
if [ "${1:-}" = "bench" ]; then
  ls /usr/lib/php/*/curl.so >/dev/null 2>&1 || need+=(php-curl)
fi
command -v cargo >/dev/null 2>&1 || { echo "deps: cargo not found; install Rust (rustup) first" >&2; exit 1; }

[ ${#need[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "deps: need root (or sudo) to install: ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
