#!/usr/bin/env bash
# Builds tests/zts/embed.c against a thread-safe PHP with the embed SAPI (found through
# PHP_CONFIG, its CLI through PHP) and runs the multi-threaded test (tests/zts/run.php)
# with the release build of the extension. Ends with "N passed, N failed".
# The zts lane of scripts/matrix/run.sh runs it inside its root.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
php=${PHP:-php}
php_config=${PHP_CONFIG:-php-config}
target=${CARGO_TARGET_DIR:-$root/target}
so=$target/release/libcloste.so
bin=$target/zts-embed
libdir=$("$php_config" --prefix)/lib

if ! "$php" -n -r 'exit(PHP_ZTS ? 0 : 1);'; then
  echo "FAIL $php is not a thread-safe (ZTS) PHP"; echo "0 passed, 1 failed"; exit 1
fi
# shellcheck disable=SC2046 # php-config prints several flags
if ! gcc -O1 -g -Wall -Werror -o "$bin" tests/zts/embed.c $("$php_config" --includes) \
  -L"$libdir" -lphp -Wl,-rpath,"$libdir" -lpthread; then
  echo "FAIL tests/zts/embed.c did not build (is PHP built with --enable-embed?)"; echo "0 passed, 1 failed"; exit 1
fi
CLOSTE_EMULATOR=$target/release/closte-emulator exec "$php" -n -d "extension=$so" tests/zts/run.php "$bin" "$so"
