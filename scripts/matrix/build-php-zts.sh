#!/usr/bin/env bash
# Runs inside the zts lane's root (Debian 13): builds PHP 8.4 thread-safe (ZTS), with the
# CLI and the embed SAPI (libphp.so, for tests/zts), from Debian's source package, into
# /opt/php-zts; then points php, php-config and run-tests.php there. Does nothing when
# that build is present and was made with these options.
set -euo pipefail
prefix=/opt/php-zts
# --disable-all, then what the tests use: openssl (https to the TLS emulator in
# tests/server.inc), pcntl and posix (fork_001), ctype, filter, tokenizer. json, pcre,
# hash, random, Reflection and SPL are always built.
configure=(--prefix="$prefix" --enable-zts --enable-embed --disable-all --enable-cli
  --disable-cgi --disable-phpdbg --without-pear --with-openssl --enable-pcntl --enable-posix
  --enable-ctype --enable-filter --enable-tokenizer)
stamp=$(printf '%s\n' "${configure[@]}" | sha1sum | cut -c1-12)

if [ -x "$prefix/bin/php" ] && [ "$(cat "$prefix/.closte-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "PHP ZTS present: $("$prefix/bin/php" -n -v | head -1)"
else
  work=/usr/src/php-zts
  rm -rf "$work"
  mkdir -p "$work"
  cd "$work"
  apt-get update -q
  if ! apt-get source -q --download-only php8.4; then
    # A mirror that lags behind its own index (a partial snapshot) may not hold the source
    # the index names: then a php8.4 source it does hold, fetched by .dsc and checked by
    # dpkg-source against the checksums in it.
    dsc=${CLOSTE_ZTS_PHP_DSC:-pool/main/p/php8.4/php8.4_8.4.24-1~deb13u1.dsc}
    mirror=$(sed -n 's/^URIs: //p' /etc/apt/sources.list.d/debian.sources | head -1)
    echo "apt-get source failed; fetching $mirror/$dsc"
    rm -f ./*.dsc ./*.tar.*
    /usr/lib/apt/apt-helper download-file "$mirror/$dsc" "$work/${dsc##*/}"
    for f in $(awk '/^Files:/ {p = 1; next} /^[^ ]/ {p = 0} p {print $3}' "${dsc##*/}"); do
      /usr/lib/apt/apt-helper download-file "$mirror/${dsc%/*}/$f" "$work/$f"
    done
  fi
  # Upstream's release tree as Debian ships it; Debian's patches are for Debian's layout.
  dpkg-source --skip-patches -x php8.4_*.dsc src
  cd src
  ./configure "${configure[@]}"
  make -j"$(nproc)"
  make install
  cp run-tests.php "$prefix/lib/php/run-tests.php"
  echo "$stamp" >"$prefix/.closte-stamp"
  cd /
  rm -rf "$work"
fi

for tool in php php-config phpize; do ln -sf "$prefix/bin/$tool" "/usr/local/bin/$tool"; done
# scripts/test.sh looks for run-tests.php where Debian's php-dev puts it.
mkdir -p /usr/lib/php/zts/build
ln -sf "$prefix/lib/php/run-tests.php" /usr/lib/php/zts/build/run-tests.php
"$prefix/bin/php" -n -r 'if (!PHP_ZTS) { fwrite(STDERR, "not a ZTS build\n"); exit(1); } echo PHP_VERSION, " ZTS\n";'
test -f "$prefix/lib/libphp.so"
