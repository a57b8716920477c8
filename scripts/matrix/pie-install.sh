#!/usr/bin/env bash
# Installs a PIE zip (scripts/dist.sh) the way `pie install` installs a pre-packaged binary,
# checks that the PHP loads it, then removes every trace again. Runs as root inside a lane's
# root (scripts/matrix/run.sh, suite dist), with the lane's PHP in PHP (default php).
#
# usage: scripts/matrix/pie-install.sh ZIP [PHPT]
#
# What PIE does (src/Installing in php/pie): closte.so from the zip into the extension_dir
# of the target PHP, then the first INI approach that fits that PHP:
#   - phpenmod present and a scan dir: /etc/php/X.Y/mods-available/closte.ini with
#     `extension=closte`, then `phpenmod -v X.Y -s ALL closte` (Debian's and Ubuntu's PHP);
#   - a scan dir: <scan dir>/20-closte.ini (20: composer.json's priority);
#   - else the loaded php.ini, with the lines appended.
# A PHP with neither a scan dir nor a php.ini (the zts lane's /opt/php-zts) gets the php.ini
# it looks for, empty, as an admin would create it; it is removed afterwards.
# Then: php -m lists closte, php --ri closte reports the zip's version, php-fpm (when there)
# loads it, and one phpt (default tests/extension_001.phpt) passes through run-tests.php
# with the PHP's own configuration, no -d extension. Ends with `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
zip=${1:?usage: pie-install.sh ZIP [PHPT]}
phpt=${2:-tests/extension_001.phpt}
php=${PHP:-php}

pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }
# Whether a PHP binary lists closte in -m. Not a pipe: grep -q's early exit would fail it
# under pipefail when the binary is still writing.
loads() { grep -qx closte <<<"$("$1" -m 2>&1)"; }

name=$(basename "$zip")
version=${name#php_closte-}
version=${version%%_php*}
phpver=$("$php" -n -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')
extdir=$("$php" -r 'echo ini_get("extension_dir");')
scandir=$("$php" -r 'echo (string) PHP_CONFIG_FILE_SCAN_DIR;')
loaded_ini=$("$php" -r 'echo (string) php_ini_loaded_file();')
inidir=$("$php" -r 'echo PHP_CONFIG_FILE_PATH;')

if loads "$php"; then
  bad "$php already loads closte before the install (a leftover?); not touching it"
  finish
fi

# What this run creates, removed on exit whatever happens.
created=()
ini_backup=""
undo() {
  local f
  if [ -n "${mods_ini:-}" ] && command -v phpdismod >/dev/null; then
    phpdismod -v "$phpver" -s ALL closte 2>/dev/null
    rm -f /var/lib/php/modules/"$phpver"/*/*/closte # phpenmod's and phpdismod's state
  fi
  for f in ${created[@]+"${created[@]}"}; do rm -f "$f"; done
  [ -n "${new_extdir:-}" ] && rmdir "$new_extdir" 2>/dev/null
  [ -n "$ini_backup" ] && mv -f "$ini_backup" "$loaded_ini"
  return 0
}
trap undo EXIT

# 1. The binary, from the zip into the extension directory.
work=$(mktemp -d)
created+=("$work/closte.so")
if unzip -q -o "$zip" closte.so -d "$work" && [ "$(unzip -Z1 "$zip")" = closte.so ]; then
  ok "$name holds closte.so, and only it"
else
  bad "$name: no closte.so inside (unzip -l: $(unzip -Z1 "$zip" 2>&1 | tr '\n' ' '))"
  finish
fi
# A PHP without shared extensions (the zts lane's, --disable-all) has no such directory
# yet: it is made, as `make install` makes it, and removed again.
if [ ! -d "$extdir" ]; then
  mkdir -p "$extdir" && new_extdir=$extdir
fi
if install -m 0644 "$work/closte.so" "$extdir/closte.so"; then
  created+=("$extdir/closte.so")
else
  bad "could not install closte.so into $extdir"
  finish
fi
rmdir "$work" 2>/dev/null
echo "note: PHP $phpver: extension_dir $extdir; scan dir '${scandir}'; php.ini '${loaded_ini}'"

# 2. Enabled as PIE enables it: the lines it writes.
pie_lines=$(printf '\n; PIE automatically added this to enable the closte-native/closte extension\n; priority=20\nextension=closte\n')
how=""
if command -v phpenmod >/dev/null && [ -n "$scandir" ] && [ -d "/etc/php/$phpver/mods-available" ]; then
  mods_ini=/etc/php/$phpver/mods-available/closte.ini
  echo "$pie_lines" >"$mods_ini" && created+=("$mods_ini")
  phpenmod -v "$phpver" -s ALL closte && how="$mods_ini + phpenmod -v $phpver -s ALL closte"
elif [ -n "$scandir" ] && [ -d "${scandir%%:*}" ]; then
  f=${scandir%%:*}/20-closte.ini
  echo "$pie_lines" >"$f" && created+=("$f") && how=$f
else
  if [ -z "$loaded_ini" ]; then
    loaded_ini=$inidir/php.ini
    mkdir -p "$inidir" && : >"$loaded_ini" && created+=("$loaded_ini")
    echo "note: this PHP reads no php.ini and has no scan dir: created an empty $loaded_ini first"
  else
    ini_backup=$(mktemp) && cp -p "$loaded_ini" "$ini_backup"
  fi
  echo "$pie_lines" >>"$loaded_ini" && how="appended to $loaded_ini"
fi
if [ -n "$how" ]; then ok "enabled by an INI file: $how"; else bad "could not enable closte the way PIE does"; finish; fi

# 3. The PHP loads it, with nothing but its own configuration.
if loads "$php"; then ok "$php -m lists closte"; else bad "$php -m does not list closte: $("$php" -m 2>&1 | head -3)"; fi
warnings=$("$php" -r '' 2>&1)
if [ -z "$warnings" ]; then ok "$php starts without a warning"; else bad "$php starts with: $warnings"; fi
ri=$("$php" --ri closte 2>&1)
got=$(awk -F' => ' '$1 == "Version" {print $2}' <<<"$ri")
if [ "$got" = "$version" ]; then ok "php --ri closte: Version $got"; else bad "php --ri closte: Version '$got', expected $version: $(head -5 <<<"$ri")"; fi
fpm=$(command -v "php-fpm$phpver" || true)
if [ -n "$fpm" ]; then
  if loads "$fpm"; then ok "php-fpm$phpver -m lists closte"; else bad "php-fpm$phpver -m does not list closte"; fi
fi

# 4. One phpt through run-tests.php, the PHP under test with its own configuration.
runner=$(ls /usr/lib/php/*/build/run-tests.php /usr/lib/php/zts/build/run-tests.php 2>/dev/null | tail -1)
if [ -z "$runner" ]; then
  bad "run-tests.php not found (php-dev)"
else
  log=$(mktemp)
  NO_INTERACTION=1 TEST_PHP_EXECUTABLE=$(command -v "$php") "$php" -n "$runner" -q "$phpt" >"$log" 2>&1
  if grep -qE '^Tests passed *: *1 ' "$log"; then
    ok "run-tests.php $phpt passes with the installed closte"
  else
    bad "run-tests.php $phpt: $(grep -E '^(FAIL|SKIP|BORK)|^Tests' "$log" | tr '\n' ' ')"
  fi
  rm -f "$log"
fi

# 5. Uninstalled: the PHP is as it was.
undo
trap - EXIT
if loads "$php"; then bad "closte still loaded after removing it"; else ok "removed: closte.so and the INI file gone, $php as before"; fi
finish
