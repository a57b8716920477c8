#!/usr/bin/env bash
# make dist-all: the PIE zips of every lane of the test matrix, each built in that lane's
# root against its PHP and installed there the way PIE installs it (the matrix's suite
# dist: scripts/matrix/run.sh, scripts/dist.sh, scripts/matrix/pie-install.sh), into
# target/dist/ with SHA256SUMS beside them: the release's assets (docs/packaging.md). The
# .deb of `make deb` (target/deb/, this version), when there, is copied beside them and
# listed in SHA256SUMS too.
#
# usage: scripts/dist-all.sh [LANE...]   (default: every lane; LANES= in make)
# Every lane: target/dist/ is emptied first, and holds the five zips and SHA256SUMS after.
# Some lanes: their zips are made anew, the others' stay; SHA256SUMS covers all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
all=(debian12 debian13 unstable next zts)
lanes=("$@")
out=target/dist
mkdir -p "$out"
if [ ${#lanes[@]} -eq 0 ]; then
  lanes=("${all[@]}")
  rm -f "$out"/php_closte-*.zip "$out"/php_closte-*.zip.sha256 "$out"/php*-closte_*.deb "$out/SHA256SUMS"
fi
version=$(scripts/version.sh)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
scripts/matrix/run.sh "${lanes[@]/%/:dist}" 2>&1 | tee "$log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -1)
passed=${line%% passed*}
failed=${line#*passed, }
failed=${failed%% failed}
[ -n "$line" ] || { passed=0 failed=1; }

ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

echo
shopt -s nullglob
zips=("$out"/php_closte-"$version"_*.zip)
if [ ${#lanes[@]} -eq ${#all[@]} ]; then
  if [ ${#zips[@]} -eq ${#all[@]} ]; then ok "${#zips[@]} zips for ${#all[@]} lanes"; else bad "${#zips[@]} zips for ${#all[@]} lanes"; fi
fi
rm -f "$out"/php_closte-*.zip.sha256 # make dist's, one per zip: SHA256SUMS replaces them
debs=(target/deb/php*-closte_"$version"_*.deb)
for deb in "${debs[@]}"; do cp "$deb" "$out/"; done
debs=("${debs[@]##*/}")
if [ ${#zips[@]} -gt 0 ]; then
  (cd "$out" && sha256sum "${zips[@]##*/}" ${debs[@]+"${debs[@]}"} >SHA256SUMS)
  if (cd "$out" && sha256sum --quiet -c SHA256SUMS); then ok "$out/SHA256SUMS"; else bad "$out/SHA256SUMS does not verify"; fi
fi
# Each zip: its size and the newest glibc symbol version closte.so needs (the oldest glibc
# it loads on: the glibc of the Debian release it was built on).
for zip in "${zips[@]}"; do
  glibc=$(unzip -p "$zip" closte.so | { t=$(mktemp); cat >"$t"; objdump -T "$t" | grep -oE 'GLIBC_[0-9.]+' | sort -uV | tail -1; rm -f "$t"; })
  printf '%-62s %5s KiB  needs %s\n' "${zip##*/}" "$(du -k "$zip" | cut -f1)" "${glibc:-?}"
done
for deb in ${debs[@]+"${debs[@]}"}; do printf '%-62s %5s KiB  (make deb)\n' "$deb" "$(du -k "$out/$deb" | cut -f1)"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
