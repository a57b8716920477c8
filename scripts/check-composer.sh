#!/usr/bin/env bash
# composer validate --strict for composer.json. The php-ext section (and its list form of
# download-url-method) needs Composer 2.9.5 or newer; Debian 12's composer (2.5) rejects
# it, so an older host composer is replaced by Debian unstable's, in a minbase root made
# once with debootstrap under ~/.cache/closte/roots/composer-sid and reused.
set -euo pipefail
cd "$(dirname "$0")/.."

need=2.9.5
have=$(composer --version 2>/dev/null | sed -n 's/^Composer version \([0-9.]*\).*/\1/p' || true)
if [ -n "$have" ] && php -r "exit(version_compare('$have', '$need', '>=') ? 0 : 1);"; then
  echo "composer $have (host)"
  COMPOSER_ALLOW_SUPERUSER=1 composer validate --strict composer.json
  exit
fi

[ "$(id -u)" -eq 0 ] || { echo "check-composer: composer ${have:-missing} is older than $need; as root this makes a Debian unstable root for a newer one" >&2; exit 1; }
root=${CLOSTE_COMPOSER_ROOT:-$HOME/.cache/closte/roots/composer-sid}
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
if [ ! -x "$root/usr/bin/apt-get" ]; then
  command -v debootstrap >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  echo "check-composer: debootstrap sid into $root"
  rm -rf "$root.tmp"; mkdir -p "$(dirname "$root")"
  debootstrap --variant=minbase sid "$root.tmp" "$mirror" > "$root.log" 2>&1 || { echo "debootstrap failed: $root.log" >&2; exit 1; }
  mv "$root.tmp" "$root"
fi
mounted=()
cleanup() { for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done; rm -rf "$root/tmp/closte-composer"; }
trap cleanup EXIT
for m in proc dev; do
  mountpoint -q "$root/$m" && continue
  if [ $m = proc ]; then mount -t proc proc "$root/proc"; else mount --bind /dev "$root/dev"; fi
  mounted+=("$root/$m")
done
run() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root COMPOSER_ALLOW_SUPERUSER=1 DEBIAN_FRONTEND=noninteractive "$@"; }
if ! run sh -c 'command -v composer' >/dev/null; then
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # The archive here is a snapshot: its unstable Release file may be past Valid-Until.
  echo 'Acquire::Check-Valid-Until "false";' > "$root/etc/apt/apt.conf.d/99closte-snapshot"
  run sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends composer' >/dev/null
fi
mkdir -p "$root/tmp/closte-composer"
cp composer.json "$root/tmp/closte-composer/"
echo "composer $(run composer --version 2>/dev/null | sed -n 's/^Composer version \([0-9.]*\).*/\1/p') (Debian unstable, $root)"
run sh -c 'cd /tmp/closte-composer && composer validate --strict 2>/dev/null'
