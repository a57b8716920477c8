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
# The console's browser test: php-fpm behind nginx, Debian's Chromium, Python for Playwright.
if [ "${1:-}" = "wordpress" ]; then
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
  ls /usr/sbin/php-fpm* >/dev/null 2>&1 || need+=(php-fpm)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need+=(python3-venv)
fi
# make bench compares with PHP's own curl_multi.
if [ "${1:-}" = "bench" ]; then
  ls /usr/lib/php/*/curl.so >/dev/null 2>&1 || need+=(php-curl)
fi
command -v cargo >/dev/null 2>&1 || { echo "deps: cargo not found; install Rust (rustup) first" >&2; exit 1; }

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "deps: need root (or sudo) to install: ${need[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Playwright for Python (PyPI) in a virtualenv of its own; it drives Debian's Chromium,
# so its own browser download is never needed.
if [ "${1:-}" = "wordpress" ]; then
  venv=$("$(dirname "$0")/browser-venv.sh")
  if ! "$venv/bin/python" -c 'import playwright.sync_api' >/dev/null 2>&1; then
    echo "deps: installing Playwright for Python into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check 'playwright==1.65.2'
  fi
fi
