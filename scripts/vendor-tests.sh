#!/usr/bin/env bash
# Refreshes the third-party code the tests load, kept in tests/vendor/ (no registry this
# project reaches serves it): the real Action Scheduler and the WP-CLI framework with the
# three libraries it needs at run time. Each comes from its upstream release tag, tests and
# docs left out, licences kept. Usage: scripts/vendor-tests.sh [SRC_DIR]
#   SRC_DIR (optional): a folder holding clones already made (action-scheduler, wp-cli,
#   php-cli-tools, mustache, spyc); without it they are cloned from GitHub at the tags below.
# tests/vendor/wp-cli/vendor/autoload.php (a PSR-0 autoloader in place of Composer's) and
# tests/vendor/wp-cli/wp (the launcher) are the project's own and kept as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
AS_TAG=3.8.2
WPCLI_TAG=v2.12.0
CLI_TOOLS_TAG=v0.13.0
MUSTACHE_TAG=v2.14.2
SPYC_TAG=0.6.3
src=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
get() { # name url tag
  if [ -n "$src" ]; then cp -a "$src/$1" "$tmp/$1"; else git clone -q --depth 1 --branch "$3" "$2" "$tmp/$1"; fi
  rm -rf "$tmp/$1/.git" "$tmp/$1/tests" "$tmp/$1/.github" "$tmp/$1/docs"
}
get action-scheduler https://github.com/woocommerce/action-scheduler.git "$AS_TAG"
get wp-cli https://github.com/wp-cli/wp-cli.git "$WPCLI_TAG"
get php-cli-tools https://github.com/wp-cli/php-cli-tools.git "$CLI_TOOLS_TAG"
get mustache https://github.com/bobthecow/mustache.php.git "$MUSTACHE_TAG"
get spyc https://github.com/mustangostang/spyc.git "$SPYC_TAG"
rsync -a --delete "$tmp/action-scheduler/" tests/vendor/action-scheduler/
v=tests/vendor/wp-cli/vendor
rsync -a --delete "$tmp/wp-cli/" "$v/wp-cli/wp-cli/"
rsync -a --delete "$tmp/php-cli-tools/" "$v/wp-cli/php-cli-tools/"
rsync -a --delete "$tmp/mustache/" "$v/mustache/mustache/"
cp "$tmp/spyc/Spyc.php" "$v/wp-cli/mustangostang-spyc/Spyc-upstream.php" # Spyc.php: the namespaced alias WP-CLI's fork has
cp "$tmp/spyc/COPYING" "$v/wp-cli/mustangostang-spyc/COPYING"
echo "tests/vendor refreshed: Action Scheduler $AS_TAG, WP-CLI $WPCLI_TAG (php-cli-tools $CLI_TOOLS_TAG, mustache $MUSTACHE_TAG, spyc $SPYC_TAG); review git diff tests/vendor"
