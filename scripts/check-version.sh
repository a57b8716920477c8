#!/usr/bin/env bash
# One version everywhere: Cargo.toml's [package] version is the only place it is written;
# this checks everything that shows it agrees. Prints ok/FAIL lines and `N passed, N failed`.
#   - the built module: `php --ri closte` "Version" (CARGO_PKG_VERSION);
#   - composer.json: no "version" field (PIE and Packagist take it from the git tag);
#     when HEAD is tagged, the tag is v<version>;
#   - the .deb of `make deb` and the PIE zips of `make dist`, when built;
#   - the mu-plugin header (Version: in wordpress/closte-native.php);
#   - CHANGELOG.md has a section for it.
set -uo pipefail
cd "$(dirname "$0")/.."

pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
same() { if [ "$2" = "$version" ]; then ok "$1: $2"; else bad "$1: '${2}', Cargo.toml says $version"; fi; }

version=$(scripts/version.sh) || exit 1
if [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then ok "Cargo.toml [package] version: $version"; else bad "Cargo.toml version '$version' is not semver"; fi

so=${1:-target/release/libcloste.so}
if [ -f "$so" ]; then
  same "php --ri closte ($so)" "$(${PHP:-php} -n -d extension="$PWD/$so" --ri closte 2>/dev/null | awk -F' => ' '$1 == "Version" {print $2}')"
else
  bad "php --ri closte: $so not built (make build)"
fi

if php -r 'exit(array_key_exists("version", json_decode(file_get_contents("composer.json"), true, 512, JSON_THROW_ON_ERROR)) ? 1 : 0);'; then
  ok "composer.json carries no version (PIE takes it from the git tag v$version)"
else
  same "composer.json version" "$(php -r 'echo json_decode(file_get_contents("composer.json"), true)["version"];')"
fi
if tag=$(git describe --tags --exact-match HEAD 2>/dev/null); then same "git tag at HEAD (without v)" "${tag#v}"; fi

header=$(sed -n 's/^[ *]*Version: *\([^ ]*\).*/\1/p' wordpress/closte-native.php | head -n 1)
same "wordpress/closte-native.php header Version" "$header"

if grep -q "^## \[$version\]" CHANGELOG.md 2>/dev/null; then ok "CHANGELOG.md has ## [$version]"; else bad "CHANGELOG.md has no ## [$version] section"; fi

shopt -s nullglob
for deb in target/deb/php*-closte_*.deb; do
  same "$(basename "$deb") Version" "$(dpkg-deb -f "$deb" Version)"
done
for zip in target/dist/php_closte-*.zip; do
  z=$(basename "$zip"); z=${z#php_closte-}
  same "$(basename "$zip") name" "${z%%_php*}"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
