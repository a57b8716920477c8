#!/usr/bin/env bash
# make dist: the PIE pre-packaged binary of the built module, for the PHP it was built
# against (PHP / PHP_CONFIG, as for `make build`):
#   target/dist/php_closte-<version>_php<X.Y>-<arch>-linux-<libc>[-debug][-zts].zip
# holding closte.so, the name PIE looks for in a release's assets
# (download-url-method "pre-packaged-binary" in composer.json).
set -euo pipefail
cd "$(dirname "$0")/.."

so=${1:-target/release/libcloste.so}
php=${PHP:-php}
version=$(scripts/version.sh)
[ -f "$so" ] || { echo "dist: $so not found (make build)" >&2; exit 1; }

# What the module says about itself, loaded into the PHP it was built for.
facts=$("$php" -n -d extension="$PWD/$so" -r '
  if (!extension_loaded("closte")) { exit(1); }
  echo phpversion("closte"), " ", PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION, " ",
       PHP_ZTS ? "zts" : "nts", " ", PHP_DEBUG ? "debug" : "release", " ", PHP_INT_SIZE;') ||
  { echo "dist: $so does not load into $php (built for another PHP? set PHP and PHP_CONFIG)" >&2; exit 1; }
read -r got phpver ts debug intsize <<<"$facts"
[ "$got" = "$version" ] || { echo "dist: the module reports $got, Cargo.toml says $version (make build)" >&2; exit 1; }
[ "$intsize" = 8 ] || { echo "dist: only 64-bit builds are packaged" >&2; exit 1; }

case $(uname -s) in Linux) os=linux ;; *) echo "dist: Linux only" >&2; exit 1 ;; esac
case $(uname -m) in
  x86_64|amd64) arch=x86_64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac
# Not a pipe: grep -q's early exit would fail it under pipefail.
if grep -qi musl <<<"$(ldd --version 2>&1)"; then libc=musl; else libc=glibc; fi
suffix=""
[ "$debug" = debug ] && suffix+="-debug"
[ "$ts" = zts ] && suffix+="-zts"

name="php_closte-${version}_php${phpver}-${arch}-${os}-${libc}${suffix}.zip"
out=target/dist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
install -m 0644 "$so" "$work/closte.so"
strip --strip-unneeded "$work/closte.so" 2>/dev/null || true
rm -f "$out/$name"
(cd "$work" && zip -q -X "$OLDPWD/$out/$name" closte.so)
echo "$out/$name ($(du -k "$out/$name" | cut -f1) KiB; PHP $phpver $ts)"
(cd "$out" && sha256sum "$name" > "$name.sha256")
