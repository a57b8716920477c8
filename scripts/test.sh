#!/usr/bin/env bash
# Runs every test suite against the release build and ends with one line
# "N passed, N failed". Usage: scripts/test.sh [rust|php|stubs|fuzz|wordpress ...]
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
so="$root/target/release/libcloste.so"
export CLOSTE_EMULATOR="$root/target/release/closte-emulator"
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(rust php stubs fuzz wordpress)
logdir=$(mktemp -d)
passed=0
failed=0

count() { # suite passed failed
  printf '%-10s %4d passed, %d failed\n' "$1" "$2" "$3"
  passed=$((passed + $2))
  failed=$((failed + $3))
}

rust() {
  local log="$logdir/rust.log"
  cargo test --release --locked -p closte-core -p closte-emulator 2>&1 | tee "$log" | grep -E '^(test |failures:|---- )' | grep -v ' ok$'
  local rc=${PIPESTATUS[0]} # cargo's status (read before any other command: "|| true" would reset it)
  local p f
  p=$(grep -Eo '[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    tail -30 "$log"
    f=1 # did not build or crashed
  fi
  count rust "$p" "$f"
}

php_tests() {
  local log="$logdir/php.log" runner
  runner=$(ls /usr/lib/php/*/build/run-tests.php 2>/dev/null | tail -1)
  if [ -z "$runner" ]; then echo "run-tests.php not found (php-dev missing?)"; count php 0 1; return; fi
  NO_INTERACTION=1 TEST_PHP_EXECUTABLE=$(command -v php) \
    php -n "$runner" -q -j2 --show-diff -n -d "extension=$so" "$root/tests" >"$log" 2>&1
  grep -E '^(FAIL|SKIP|BORK|LEAK)|^[0-9]+[+-] |^[0-9]+: ' "$log" | head -200
  local p f s
  p=$(sed -nE 's/^Tests passed *: *([0-9]+).*/\1/p' "$log" | head -1)
  f=$(sed -nE 's/^Tests failed *: *([0-9]+).*/\1/p' "$log" | head -1)
  s=$(sed -nE 's/^Tests skipped *: *([0-9]+).*/\1/p' "$log" | head -1)
  b=$(sed -nE 's/^Tests borked *: *([0-9]+).*/\1/p' "$log" | head -1)
  # A skipped test proves nothing: it counts as a failure here.
  f=$(( ${f:-0} + ${s:-0} + ${b:-0} ))
  if [ -z "$p" ]; then tail -40 "$log"; p=0; [ "$f" -eq 0 ] && f=1; fi
  count php "$p" "$f"
}

# A suite whose command prints "ok ..."/"FAIL ..." lines and ends with "N passed, N failed".
tallied() { # name command...
  local name=$1 out line
  shift
  out=$("$@" 2>&1)
  echo "$out" | grep -vE '^ok |^[0-9]+ passed, [0-9]+ failed$' || true
  line=$(echo "$out" | tail -1)
  if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    count "$name" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  else
    count "$name" 0 1
  fi
}

for suite in "${suites[@]}"; do
  case $suite in
    rust) rust ;;
    php) php_tests ;;
    stubs) tallied stubs php -n scripts/check-stubs.php "$so" ;;
    # Fixed seed, 3,000 calls (a few seconds); `make fuzz` runs a million.
    fuzz) tallied fuzz php -n -d "extension=$so" scripts/fuzz.php "${FUZZ_CALLS:-3000}" "${FUZZ_SEED:-20261125}" ;;
    wordpress) tallied wordpress scripts/test-wordpress.sh ;;
    *) echo "unknown suite $suite"; failed=$((failed + 1)) ;;
  esac
done
rm -rf "$logdir"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
