#!/usr/bin/env bash
# make test-phpize: the standard PHP build, as PIE, dh-php and docker-php-ext-install run
# it, in a copy of this checkout (target/phpize/src: tracked and new files, nothing
# ignored): configure's clear errors (no cargo, rustc too old, no libclang), then
# `phpize && ./configure --enable-closte && make && make install INSTALL_ROOT=...`, and
# that the project's own targets survive configure, distclean and `phpize --clean`.
# Cargo builds into ~/.cache/closte/phpize-target (kept between runs; this checkout's
# target/ is left to `make build`, whose PHP/PHP_CONFIG-less builds would otherwise
# alternate with these); COLD=1 uses a fresh one.
# Prints ok/FAIL lines and `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"

pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
expect_fail() { # what, pattern, command...
  local what=$1 pattern=$2; shift 2
  if out=$("$@" 2>&1); then bad "$what: configure succeeded"; return; fi
  if grep -q "$pattern" <<<"$out"; then ok "$what: $(grep -m1 'error:' <<<"$out" | sed 's/^configure: //')"; else bad "$what: no '$pattern' in: $(tail -n 3 <<<"$out")"; fi
}

version=$(scripts/version.sh)
phpize=${PHPIZE:-phpize}
php_config=${PHP_CONFIG:-php-config}
work=$repo/target/phpize
rm -rf "$work"
mkdir -p "$work/src" "$work/stage"
git ls-files -z --cached --others --exclude-standard |
  tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$work/src"
cd "$work/src"
sum() { sha256sum project.mk GNUmakefile 2>/dev/null; }
before=$(sum)

if "$phpize" > "$work/phpize.log" 2>&1; then ok "phpize"; else bad "phpize (see $work/phpize.log)"; fi

fake=$work/fake-bin
mkdir -p "$fake"
printf '#!/bin/sh\necho "rustc 1.80.0 (051478957 2024-07-21)"\n' > "$fake/rustc"
chmod +x "$fake/rustc"
expect_fail "no cargo" "cargo not found" env -u CARGO PATH=/usr/bin:/bin HOME=/nonexistent ./configure --with-php-config="$php_config"
expect_fail "rustc too old" "too old" env RUSTC="$fake/rustc" ./configure --with-php-config="$php_config"
expect_fail "no libclang" "libclang not found" env LIBCLANG_PATH=/nonexistent ./configure --with-php-config="$php_config"

if [ "${COLD:-0}" = 1 ]; then export CARGO_TARGET_DIR=$work/cargo-target; else export CARGO_TARGET_DIR=$HOME/.cache/closte/phpize-target; fi
if ./configure --enable-closte --with-php-config="$php_config" > "$work/configure.log" 2>&1; then ok "./configure --enable-closte"; else bad "./configure (see $work/configure.log)"; fi
if [ "$before" = "$(sum)" ]; then ok "configure left project.mk and GNUmakefile alone"; else bad "configure changed project.mk or GNUmakefile"; fi
start=$(date +%s)
if make > "$work/make.log" 2>&1; then ok "make ($(($(date +%s) - start)) s)"; else bad "make (see $work/make.log)"; fi
got=$("$("$php_config" --php-binary)" -n -d extension="$PWD/modules/closte.so" -r 'echo phpversion("closte");' 2>&1)
if [ "$got" = "$version" ]; then ok "modules/closte.so loads, version $got"; else bad "modules/closte.so: '$got'"; fi
if make install INSTALL_ROOT="$work/stage" > "$work/install.log" 2>&1; then ok "make install INSTALL_ROOT=$work/stage"; else bad "make install (see $work/install.log)"; fi
extdir=$("$php_config" --extension-dir)
staged=$(cd "$work/stage" && find . -type f | sort)
if [ "$staged" = ".$extdir/closte.so" ]; then ok "staged exactly $extdir/closte.so"; else bad "staged: $staged"; fi
if grep -q 'cargo build' "$work/install.log"; then bad "make install ran cargo again"; else ok "make install did not run cargo (up to date)"; fi
demo_out=$(make -n demo 2>&1); if grep -q scripts/demo.sh <<<"$demo_out"; then ok "configured tree: project targets (make demo) still reachable"; else bad "configured tree: make demo not found: $(tail -n 3 <<<"$demo_out")"; fi

make distclean > /dev/null 2>&1
if [ ! -e Makefile ] && [ ! -e config.status ] && grep -q scripts/demo.sh <<<"$(make -n demo 2>/dev/null)"; then
  ok "make distclean: back to the project's targets"
else
  bad "make distclean left Makefile/config.status or lost the project's targets"
fi
"$phpize" --clean > /dev/null 2>&1
if [ "$before" = "$(sum)" ] && [ ! -e configure ]; then ok "phpize --clean: project.mk and GNUmakefile intact"; else bad "phpize --clean changed project.mk or GNUmakefile"; fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
