#!/usr/bin/env bash
# make test-deb: installs the .deb from `make deb` with apt-get in a Debian 12 root that
# has no build tree and no Rust, and checks what a host would see: `php -m` and php-fpm
# load closte, the .ini lists every setting, a call reaches the Closte emulator (run on
# this host: the root shares its loopback), then remove disables it and purge leaves
# nothing under /etc/php or the extension directory.
#
# The root is made once with debootstrap (minbase) under ~/.cache/closte/roots/ and
# reused (CLOSTE_DEB_ROOT to use another). Prints ok/FAIL lines and `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

version=$(scripts/version.sh)
phpver=$("${PHP_CONFIG:-php-config}" --version | cut -d. -f1,2)
arch=$(dpkg --print-architecture)
deb=target/deb/php${phpver}-closte_${version}_${arch}.deb
emulator=target/release/closte-emulator
suite=bookworm
rootdir=${CLOSTE_DEB_ROOT:-$HOME/.cache/closte/roots/deb-$suite}

[ -f "$deb" ] || { echo "test-deb: $deb not found (make deb)" >&2; exit 1; }
[ -x "$emulator" ] || { echo "test-deb: $emulator not found (make build)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "test-deb: needs root (debootstrap, chroot, mounts)" >&2; exit 1; }

pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }

# The Debian mirror this host uses (deb822 sources or a sources.list line).
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
  awk '/^URIs:/{u=$2} /^Suites:/{if ($0 ~ /bookworm( |$)/ && u != "") {print u; exit}}')
[ -n "$mirror" ] || mirror=$(grep -hE '^deb .* bookworm .*main' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
  awk '{print $2; exit}')
mirror=${mirror:-http://deb.debian.org/debian}

# The root: once (about a minute), then reused.
if [ ! -x "$rootdir/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  echo "test-deb: debootstrap $suite into $rootdir ($mirror)"
  rm -rf "$rootdir.tmp"
  mkdir -p "$(dirname "$rootdir")"
  debootstrap --variant=minbase "$suite" "$rootdir.tmp" "$mirror" > "$(dirname "$rootdir")/debootstrap-$suite.log" 2>&1 ||
    { echo "test-deb: debootstrap failed (see $(dirname "$rootdir")/debootstrap-$suite.log)" >&2; exit 1; }
  mv "$rootdir.tmp" "$rootdir"
fi

mounted=()
emu_pid=""
cleanup() {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null || true
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  rm -f "$rootdir/tmp/$(basename "$deb")"
}
trap cleanup EXIT
for m in proc dev dev/pts; do
  mountpoint -q "$rootdir/$m" && continue
  case $m in proc) mount -t proc proc "$rootdir/proc" ;; *) mount --bind "/$m" "$rootdir/$m" ;; esac
  mounted+=("$rootdir/$m")
done
cp /etc/resolv.conf "$rootdir/etc/resolv.conf"
in_root() { chroot "$rootdir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

# The archive's updates, as a host has them; PHP itself installed once (php-cli, php-fpm).
cat > "$rootdir/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb ${mirror%/debian}/debian-security $suite-security main
SOURCES
if ! in_root dpkg -s "php$phpver-cli" "php$phpver-fpm" >/dev/null 2>&1; then
  echo "test-deb: installing php$phpver-cli and php$phpver-fpm into the root"
  in_root apt-get update -qq >/dev/null
  in_root apt-get install -y -qq --no-install-recommends "php$phpver-cli" "php$phpver-fpm" >/dev/null
fi
# A package left by an interrupted run is purged first.
in_root dpkg -s "php$phpver-closte" >/dev/null 2>&1 && in_root apt-get purge -y -qq "php$phpver-closte" >/dev/null

echo "test-deb: $deb in $rootdir"
check "the root has no Rust (cargo, rustc)" in_root sh -c '! command -v cargo && ! command -v rustc && ! test -d /root/.cargo'
check "the root has no build tree ($repo)" test ! -e "$rootdir$repo"

# Install with apt-get, which resolves the package's dependencies from the archive.
cp "$deb" "$rootdir/tmp/"
if in_root sh -c "cd /tmp && apt-get install -y -qq --no-install-recommends ./$(basename "$deb")" > /tmp/closte-test-deb-install.log 2>&1; then
  ok "apt-get install ./$(basename "$deb")"
else
  bad "apt-get install ./$(basename "$deb") (see /tmp/closte-test-deb-install.log)"
  echo "$pass passed, $fail failed"
  exit 1
fi

extdir=$(in_root php-config$phpver --extension-dir 2>/dev/null || in_root php -r 'echo ini_get("extension_dir");')
check "closte.so installed in $extdir" test -f "$rootdir$extdir/closte.so"
check "/etc/php/$phpver/mods-available/closte.ini installed" test -f "$rootdir/etc/php/$phpver/mods-available/closte.ini"
for sapi in cli fpm; do
  check "enabled for $sapi (conf.d/20-closte.ini)" test -L "$rootdir/etc/php/$phpver/$sapi/conf.d/20-closte.ini"
done
check "php -m lists closte" sh -c "chroot '$rootdir' php -m | grep -qx closte"
check "php-fpm$phpver -m lists closte" sh -c "chroot '$rootdir' php-fpm$phpver -m | grep -qx closte"
check "php-fpm$phpver -t accepts the configuration" in_root "php-fpm$phpver" -t
got=$(in_root php --ri closte | awk -F' => ' '$1 == "Version" {print $2}')
if [ "$got" = "$version" ]; then ok "php --ri closte: Version $got"; else bad "php --ri closte: Version '$got', expected $version"; fi

# Every INI setting the module declares is in closte.ini (commented, with its default).
missing=$(in_root php -r '
  $ini = file_get_contents("/etc/php/'"$phpver"'/mods-available/closte.ini");
  foreach (ini_get_all("closte") as $k => $v) {
    $line = rtrim(";$k = " . $v["global_value"]);
    if (!preg_match("/^" . preg_quote($line, "/") . "\$/m", $ini)) echo "$k ";
  }')
if [ -z "$missing" ]; then ok "closte.ini lists every setting with its default"; else bad "closte.ini lacks: $missing"; fi

# A smoke call: the emulator runs on this host, the root's php reaches it over loopback.
key="ck_live_$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
emu_out=$(mktemp)
"$emulator" --listen 127.0.0.1:0 --api-key "$key" > "$emu_out" 2>/dev/null &
emu_pid=$!
url=""
for _ in $(seq 200); do
  url=$(sed -n 's#^listening on \(https\?://[^ ]*\).*#\1#p' "$emu_out" | head -n 1)
  [ -n "$url" ] && break
  sleep 0.05
done
rm -f "$emu_out"
if [ -z "$url" ]; then
  bad "the emulator did not start"
else
  smoke=$(in_root php -d "closte.api_url=$url/api/client" -r '
    define("CLOSTE_CLIENT_API_KEY", "'"$key"'");
    Closte\add_domain("smoke.example.com");
    $names = array_map(fn ($d) => $d["domain"] ?? $d["name"] ?? json_encode($d), Closte\list_domains());
    echo in_array("smoke.example.com", $names, true) ? "listed" : "missing: " . json_encode($names);' 2>&1 || true)
  if [ "$smoke" = listed ]; then ok "add_domain + list_domains against the emulator ($url)"; else bad "smoke call: $smoke"; fi
fi

# Remove: disabled everywhere, the module gone; purge: nothing left.
in_root apt-get remove -y -qq "php$phpver-closte" >/dev/null 2>&1 && ok "apt-get remove" || bad "apt-get remove"
check "after remove: php -m does not list closte" sh -c "! chroot '$rootdir' php -m | grep -qx closte"
check "after remove: no conf.d symlinks" sh -c "! find '$rootdir/etc/php' -path '*conf.d*' -name '*closte*' | grep -q ."
check "after remove: closte.so gone" test ! -e "$rootdir$extdir/closte.so"
in_root apt-get purge -y -qq "php$phpver-closte" >/dev/null 2>&1 && ok "apt-get purge" || bad "apt-get purge"
left=$(find "$rootdir/etc/php" "$rootdir$extdir" "$rootdir/usr/share/doc" -name '*closte*' 2>/dev/null | sed "s#^$rootdir##")
if [ -z "$left" ]; then ok "after purge: nothing named closte under /etc/php, $extdir, /usr/share/doc"; else bad "after purge, left: $left"; fi
check "after purge: dpkg knows no php$phpver-closte" sh -c "! chroot '$rootdir' dpkg -s php$phpver-closte"
# What the package pulled in goes too, so the next run proves the dependencies again.
in_root apt-get autoremove --purge -y -qq >/dev/null 2>&1 || true

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
