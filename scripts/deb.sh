#!/usr/bin/env bash
# make deb: php<X.Y>-closte_<version>_<arch>.deb for the PHP of this system (php-config,
# or PHP_CONFIG), built the way Debian builds PHP extensions: dh-php's pkg-pecl.mk runs
# phpize, configure, make and make install, and dh_php installs
# /etc/php/<X.Y>/mods-available/closte.ini, enabled for every SAPI on install.
#
# The build tree (target/deb/build) holds the source as it is in this checkout, the
# crates vendored with `cargo vendor` and a .cargo/config.toml pointing at them: the
# package build itself runs offline. Cargo's output is cached in
# ~/.cache/closte/deb-target/php<X.Y> (CLOSTE_DEB_TARGET_DIR to change, empty for none).
# Output: target/deb/php<X.Y>-closte_<version>_<arch>.deb
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
# debhelper gives the build a HOME of its own: tell rustup and cargo where theirs are.
[ -d "$HOME/.rustup" ] && export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup}
[ -d "$HOME/.cargo" ] && export CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}

# Debian's packaging tools, once.
need=()
command -v dpkg-buildpackage >/dev/null 2>&1 || need+=(dpkg-dev)
command -v dh >/dev/null 2>&1 || need+=(debhelper)
[ -f /usr/share/dh-php/pkg-pecl.mk ] || need+=(dh-php)
command -v xml2 >/dev/null 2>&1 || need+=(xml2)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "deb: installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

php_config=${PHP_CONFIG:-php-config}
phpver=$("$php_config" --version | cut -d. -f1,2)
version=$(scripts/version.sh)
arch=$(dpkg --print-architecture)
pkgdir=target/deb/build/php-closte-$version
src=$pkgdir/closte-$version
deb=php${phpver}-closte_${version}_${arch}.deb

echo "deb: php${phpver}-closte $version ($arch), staging in $pkgdir"
rm -rf target/deb/build
mkdir -p "$src"

# The source as it is here: tracked and new files, not what .gitignore excludes.
git ls-files -z --cached --others --exclude-standard -- . ':!:debian' |
  tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$src"

# Crates from crates.io, vendored (the only step that may use the network).
mkdir -p "$src/.cargo"
(cd "$src" && cargo vendor --locked --versioned-dirs vendor 2>/dev/null > .cargo/config.toml)
grep -q 'directory = "vendor"' "$src/.cargo/config.toml" ||
  { echo "deb: cargo vendor did not write a source replacement" >&2; exit 1; }

# debian/: the project's, with this system's PHP and a changelog entry for the version.
cp -a debian "$pkgdir/debian"
maint=${DEBFULLNAME:-closte maintainers}" <"${DEBEMAIL:-closte@localhost}">"
sed -i -e "s|@MAINTAINER@|$maint|" -e "s|@PHP_VERSIONS@|$phpver|" "$pkgdir/debian/control.in"
cat > "$pkgdir/debian/changelog" <<CHANGELOG
php-closte ($version) unstable; urgency=medium

  * closte $version, see CHANGELOG.md.

 -- $maint  $(date -R)
CHANGELOG
(cd "$pkgdir" && /usr/share/dh-php/gen-control -a)

target_dir=${CLOSTE_DEB_TARGET_DIR-$HOME/.cache/closte/deb-target/php$phpver}
if [ -n "$target_dir" ]; then mkdir -p "$target_dir"; export CARGO_TARGET_DIR=$target_dir; else unset CARGO_TARGET_DIR; fi
export DH_PHP_VERSIONS_OVERRIDE=$phpver
# --no-pre-clean: the tree is new, and dh_clean would delete the vendored crates'
# Cargo.toml.orig files (it removes every *.orig), which their checksums cover.
(cd "$pkgdir" && dpkg-buildpackage -b -us -uc --no-pre-clean) > target/deb/build.log 2>&1 ||
  { tail -n 40 target/deb/build.log >&2; echo "deb: dpkg-buildpackage failed (target/deb/build.log)" >&2; exit 1; }

mv "target/deb/build/$deb" target/deb/
rm -f target/deb/build/*.buildinfo target/deb/build/*.changes
echo "deb: target/deb/$deb"
dpkg-deb -c "target/deb/$deb" | awk '{print "  " $6}' | grep -v '/$'
