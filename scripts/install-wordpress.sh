#!/usr/bin/env bash
# Installs the closte-native must-use plugin: make install-wordpress WP=/path/to/wordpress
# (or --content-dir DIR for a wp-content that lives elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--content-dir" ]; then
  content=${2:?--content-dir needs a directory}
else
  wp=${1:-}
  [ -n "$wp" ] || { echo "usage: make install-wordpress WP=/path/to/wordpress" >&2; exit 2; }
  [ -f "$wp/wp-settings.php" ] || [ -d "$wp/wp-content" ] || { echo "$wp does not look like a WordPress root" >&2; exit 2; }
  content="$wp/wp-content"
fi
# The plugin's folder is replaced whole: an upgrade leaves no file of an older layout behind.
rm -rf "$content/mu-plugins/closte-native"
for dir in $(cd wordpress && find closte-native -type d); do
  mkdir -p "$content/mu-plugins/$dir"
done
install -m 0644 wordpress/closte-native.php "$content/mu-plugins/closte-native.php"
for f in $(cd wordpress && find closte-native -name '*.php'); do
  install -m 0644 "wordpress/$f" "$content/mu-plugins/$f"
done
echo "installed $content/mu-plugins/closte-native.php"
