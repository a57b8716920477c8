#!/usr/bin/env bash
# Copies closte.so into PHP's extension directory and enables it: on Debian/Ubuntu
# through mods-available + phpenmod, elsewhere through the scan directory. The ini file
# lists every setting the built extension declares, with its default, commented out
# (`--print-ini` prints it; scripts/check-stubs.php compares it with ini_get_all()).
set -euo pipefail
cd "$(dirname "$0")/.."
so=$(realpath "${CLOSTE_SO:-target/release/libcloste.so}")
ini=$(php -n -d "extension=$so" scripts/closte-ini.php)
if [ "${1:-}" = "--print-ini" ]; then
  printf '%s\n' "$ini"
  exit 0
fi

ext_dir=$(php-config --extension-dir)
ini_dir=$(php -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')
php_ver=$(php -r 'echo PHP_MAJOR_VERSION.".".PHP_MINOR_VERSION;')
mods="/etc/php/$php_ver/mods-available"

if [ "${1:-}" = "--uninstall" ]; then
  if command -v phpdismod >/dev/null 2>&1 && [ -f "$mods/closte.ini" ]; then phpdismod -v "$php_ver" closte; fi
  rm -f "$ext_dir/closte.so" "$mods/closte.ini" "$ini_dir/20-closte.ini"
  echo "closte removed"
  exit 0
fi

install -m 0644 "$so" "$ext_dir/closte.so"
if command -v phpenmod >/dev/null 2>&1 && [ -d "$mods" ]; then
  printf '%s\n' "$ini" > "$mods/closte.ini"
  phpenmod -v "$php_ver" closte
  where="$mods/closte.ini (enabled with phpenmod for every SAPI)"
elif [ -n "$ini_dir" ] && [ -d "$ini_dir" ]; then
  printf '%s\n' "$ini" > "$ini_dir/20-closte.ini"
  where="$ini_dir/20-closte.ini"
else
  echo "installed $ext_dir/closte.so; add 'extension=closte.so' to your php.ini"
  exit 0
fi
echo "installed $ext_dir/closte.so and $where"
php -r 'echo "php sees closte ", phpversion("closte") ?: "NOT LOADED", PHP_EOL;'
echo "restart php-fpm (e.g. systemctl restart php$php_ver-fpm) so web requests load it"
