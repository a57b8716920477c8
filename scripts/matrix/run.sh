#!/usr/bin/env bash
# The test matrix: the suites on every supported PHP / WordPress / MariaDB, each lane in a
# Debian root of its own under ~/.cache/closte/roots/<lane> (debootstrap when missing,
# reused when present), then a table and the usual "N passed, N failed" line.
#
# usage: scripts/matrix/run.sh [LANE[:SUITE,SUITE...]]...
#   lanes: debian12 (the host, as `make test`), debian13, unstable, next, zts; default: all.
#   debian12:php,stubs runs those suites of that lane only (rust php stubs fuzz wordpress
#   for debian12; php stubs fuzz wordpress for debian13, unstable and next; php stubs fuzz
#   threads for zts). The suite dist (not a default: `make dist-all`) makes the lane's PIE
#   zip with scripts/dist.sh, copies it to target/dist/ and installs it in the lane's root
#   the way PIE does (scripts/matrix/pie-install.sh); debian12 builds its zip on the host
#   and installs it in a Debian 12 root of its own (~/.cache/closte/roots/debian12).
# env: CLOSTE_MATRIX_HOME (~/.cache/closte), CLOSTE_MATRIX_MIRROR (the host's Debian mirror).
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
matrix=$repo/scripts/matrix
home=${CLOSTE_MATRIX_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/closte}
roots=$home/roots
logs=$home/matrix-logs
mkdir -p "$roots" "$logs" "$home/debootstrap" "$home/apt"

all_lanes=(debian12 debian13 unstable next zts)
declare -A default_suites=(
  [debian12]="rust php stubs fuzz wordpress"
  [debian13]="php stubs fuzz wordpress"
  [unstable]="php stubs fuzz wordpress"
  [next]="php stubs fuzz wordpress"
  [zts]="php stubs fuzz threads"
)
# Debian suite each root is made from; lanes on the same suite share downloaded packages.
declare -A lane_dist=([debian12]=bookworm [debian13]=trixie [unstable]=sid [next]=sid [zts]=trixie)
# The lane's PHP and php-config (its PHP and PHP_CONFIG inside the root; Debian's packages
# put several PHPs side by side, update-alternatives makes the lane's the default).
declare -A lane_php=(
  [debian12]=/usr/bin/php8.2 [debian13]=/usr/bin/php8.4 [unstable]=/usr/bin/php8.5 [next]=/usr/bin/php8.6 [zts]=/opt/php-zts/bin/php
)

say() { printf '\n=== %s\n' "$*"; }
now() { date +%s; }

# The Debian mirror the host's apt uses (first non-security "deb" source), else deb.debian.org.
host_mirror() {
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}' | grep -v security | grep '/debian/\?$' | head -1)
  [ -n "$m" ] || m=$(awk '$1 == "deb" && $2 !~ /security/ && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
  echo "${m:-http://deb.debian.org/debian}"
}
mirror=${CLOSTE_MATRIX_MIRROR:-$(host_mirror)}

need_host_tool() { # command package
  command -v "$1" >/dev/null 2>&1 && return
  echo "matrix: installing $2 on the host"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
}

# ---- chroot plumbing -------------------------------------------------------------------
mounted=() # mount points of the current lane, unmounted in reverse order

bind() { # source target
  mkdir -p "$2"
  mount --rbind "$1" "$2" || return 1
  mount --make-rslave "$2"
  mounted+=("$2")
}

# Stops every process whose root is inside $1 (only what this script started there), by pid.
stop_root_processes() {
  local r pid sig
  r=$(readlink -f "$1")
  for sig in TERM KILL; do
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
      [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$r" ] && kill -s "$sig" "$pid" 2>/dev/null
    done
    [ $sig = TERM ] && sleep 1
  done
}

leave_root() { # root
  [ -n "${1:-}" ] || return 0
  stop_root_processes "$1"
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}" 2>/dev/null
  done
  mounted=()
  # Nothing may stay mounted under a root (it would survive a rm -rf of the root).
  if grep -q "^$1/" <<<"$(findmnt -rn -o TARGET)"; then
    findmnt -rn -o TARGET | grep "^$1/" | sort -r | xargs -r -n1 umount -l
  fi
}

enter_root() { # root
  local r=$1
  bind /proc "$r/proc" && bind /sys "$r/sys" && bind /dev "$r/dev" || return 1
  cp -L /etc/resolv.conf "$r/etc/resolv.conf"
  bind "$home/apt/${lane_dist[$lane]}" "$r/var/cache/apt/archives" || return 1
  # The host's Rust toolchain and crate cache, read-write (cargo locks and caches there).
  bind "${CARGO_HOME:-$HOME/.cargo}" "$r/root/.cargo" && bind "${RUSTUP_HOME:-$HOME/.rustup}" "$r/root/.rustup"
}

# Runs a command in the root with a clean environment (plus the lane's PHP variables).
in_root() { # root command...
  local r=$1
  shift
  chroot "$r" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/root/.cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    CARGO_HOME=/root/.cargo RUSTUP_HOME=/root/.rustup CARGO_TARGET_DIR=/src/target \
    DEBIAN_FRONTEND=noninteractive ${lane_env[@]+"${lane_env[@]}"} "$@"
}

# ---- lanes -----------------------------------------------------------------------------
# Packages every chroot lane needs to build the extension (bindgen needs libclang).
# zip and unzip: the dist suite (scripts/dist.sh, scripts/matrix/pie-install.sh).
build_pkgs=(ca-certificates gcc libc6-dev clang libclang-dev pkg-config procps zip unzip)
wp_pkgs=(mariadb-server wordpress nginx-light chromium python3-venv fonts-dejavu-core)

# Writes the root's apt sources; prints the packages to install (and apt options) per lane.
lane_recipe() { # lane root
  local r=$2
  rm -f "$r/etc/apt/sources.list"
  case $1 in
    debian12)
      # Only for the dist suite's install test: Debian 12's own PHP, no build tools.
      printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" >"$r/etc/apt/sources.list.d/debian.sources"
      recipe_pkgs=(ca-certificates unzip php8.2-cli php8.2-dev php8.2-fpm)
      recipe_opts=()
      ;;
    debian13)
      printf 'Types: deb\nURIs: %s\nSuites: trixie trixie-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" >"$r/etc/apt/sources.list.d/debian.sources"
      recipe_pkgs=("${build_pkgs[@]}" php8.4-cli php8.4-dev php8.4-mysql php8.4-fpm "${wp_pkgs[@]}")
      recipe_opts=()
      ;;
    unstable | next)
      # The lane's PHP (8.5, 8.6) only from experimental; everything else, WordPress
      # included, from unstable.
      local v=${lane_php[$1]#/usr/bin/php}
      printf 'Types: deb\nURIs: %s\nSuites: sid experimental\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" >"$r/etc/apt/sources.list.d/debian.sources"
      rm -f "$r"/etc/apt/preferences.d/php8*
      printf 'Package: php%s*\nPin: release a=experimental\nPin-Priority: 500\n' "$v" >"$r/etc/apt/preferences.d/php${v/./}"
      recipe_pkgs=("${build_pkgs[@]}" "php$v-cli" "php$v-dev" "php$v-mysql" "php$v-fpm" "${wp_pkgs[@]}")
      recipe_opts=()
      ;;
    zts)
      printf 'Types: deb deb-src\nURIs: %s\nSuites: trixie trixie-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" >"$r/etc/apt/sources.list.d/debian.sources"
      recipe_pkgs=("${build_pkgs[@]}" make dpkg-dev libssl-dev xz-utils)
      recipe_opts=()
      ;;
  esac
}

# Makes (or reuses) the root of a lane and installs its packages.
setup_root() { # lane root
  local lane=$1 r=$2 dist=${lane_dist[$1]}
  if [ ! -f "$r/.closte-debootstrap-done" ]; then
    if [ -e "$r" ]; then
      grep -q "^$r/" <<<"$(findmnt -rn -o TARGET)" && { echo "matrix: $r has mounts; not removing it"; return 1; }
      rm -rf --one-file-system "$r"
    fi
    need_host_tool debootstrap debootstrap
    local t0
    t0=$(now)
    echo "matrix: debootstrap $dist into $r (from $mirror)"
    mkdir -p "$home/debootstrap/$dist"
    debootstrap --variant=minbase --cache-dir="$home/debootstrap/$dist" "$dist" "$r" "$mirror" \
      /usr/share/debootstrap/scripts/sid >"$logs/$lane-debootstrap.log" 2>&1 \
      || { tail -20 "$logs/$lane-debootstrap.log"; return 1; }
    touch "$r/.closte-debootstrap-done"
    echo "matrix: debootstrap took $(($(now) - t0))s"
  fi
  mkdir -p "$home/apt/$dist/partial" "$r/etc/apt/preferences.d" "$r/etc/dpkg/dpkg.cfg.d" "$r/src" "$r/root/.cache"
  # Services never start while packages install; dpkg skips fsync (the root is a cache).
  printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d" && chmod +x "$r/usr/sbin/policy-rc.d"
  echo force-unsafe-io >"$r/etc/dpkg/dpkg.cfg.d/closte-unsafe-io"
  printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\npath-include /usr/share/doc/*/copyright\n' \
    >"$r/etc/dpkg/dpkg.cfg.d/closte-nodoc"
  echo 'APT::Keep-Downloaded-Packages "true";' >"$r/etc/apt/apt.conf.d/99closte-keep"
  # Mirrors that serve a frozen snapshot of the archive: sid's and experimental's Release
  # files carry a Valid-Until date a week ahead, and a snapshot outlives it.
  echo 'Acquire::Check-Valid-Until "false";' >"$r/etc/apt/apt.conf.d/99closte-snapshot"
  enter_root "$r" || return 1
  lane_recipe "$lane" "$r"
  local stamp
  stamp=$(printf '%s\n' "${recipe_pkgs[@]}" "${recipe_opts[@]}" "$mirror" | sha1sum | cut -c1-12)
  if [ "$(cat "$r/.closte-packages" 2>/dev/null)" != "$stamp" ]; then
    echo "matrix: installing packages in $lane (log: $logs/$lane-apt.log)"
    local t1
    t1=$(now)
    { in_root "$r" apt-get update -q && in_root "$r" apt-get install -y -q --no-install-recommends "${recipe_opts[@]}" "${recipe_pkgs[@]}"; } \
      >"$logs/$lane-apt.log" 2>&1 || { tail -30 "$logs/$lane-apt.log"; return 1; }
    echo "$stamp" >"$r/.closte-packages"
    echo "matrix: packages took $(($(now) - t1))s"
  fi
  # The root trusts what the host trusts (a TLS-inspecting egress proxy's CA, say): pip
  # fetches Playwright over https from inside the root.
  if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    mkdir -p "$r/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$r/usr/local/share/ca-certificates/"
    in_root "$r" update-ca-certificates >/dev/null 2>&1
  fi
  if [ "$lane" = zts ]; then
    echo "matrix: PHP ZTS in /opt/php-zts (log: $logs/zts-php.log)"
    cp "$matrix/build-php-zts.sh" "$r/root/build-php-zts.sh"
    in_root "$r" bash /root/build-php-zts.sh >"$logs/zts-php.log" 2>&1 || { tail -30 "$logs/zts-php.log"; return 1; }
  fi
}

# PHP and PHP_CONFIG for in_root: the lane's PHP.
set_lane_env() { # lane
  local p=${lane_php[$1]}
  lane_env=(PHP="$p" PHP_CONFIG="${p%/php*}/php-config${p##*/php}")
}

# With several PHPs in a root (WordPress pulls in Debian's default one), php is the lane's.
use_lane_php() { # lane root
  case ${lane_php[$1]} in
    /usr/bin/php*)
      local x=${lane_php[$1]#/usr/bin/php}
      in_root "$2" bash -c "update-alternatives --set php /usr/bin/php$x && update-alternatives --set php-config /usr/bin/php-config$x && update-alternatives --set phpize /usr/bin/phpize$x" >/dev/null
      ;;
  esac
}

versions() { # root → "PHP|WordPress|MariaDB" as the root sees them
  in_root "$1" bash -c '
    php -n -r "echo PHP_VERSION, PHP_ZTS ? \" ZTS\" : \" NTS\";" 2>/dev/null || echo "?"
    printf "|"
    if [ -f /usr/share/wordpress/wp-includes/version.php ]; then php -n -r "include \"/usr/share/wordpress/wp-includes/version.php\"; echo \$wp_version;"; else printf -- "-"; fi
    printf "|"
    if command -v mariadbd >/dev/null; then mariadbd --version | grep -oE "[0-9]+\.[0-9]+\.[0-9]+-MariaDB" | head -1 | sed "s/-MariaDB//"; else echo -; fi' | tr -d '\n'
}

results=() # "lane|php|wp|mariadb|passed|failed|seconds"

# Reads the "N passed, N failed" line a suite run ended with.
tally_log() { # log → "passed failed" (0 1 when there is no such line)
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1)
  if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
  else
    echo "0 1"
  fi
}

run_host_lane() { # suites...
  local log="$logs/debian12.log" p=0 f=0 tp tf v suites=() dist=0 s
  for s in "$@"; do if [ "$s" = dist ]; then dist=1; else suites+=("$s"); fi; done
  say "debian12 (the host): ${*}"
  if ! cargo build --release --locked --workspace >"$logs/debian12-build.log" 2>&1; then
    tail -30 "$logs/debian12-build.log"
    results+=("debian12|?|?|?|0|1")
    return
  fi
  : >"$log"
  if [ ${#suites[@]} -gt 0 ]; then
    scripts/test.sh "${suites[@]}" 2>&1 | tee "$log"
    read -r p f < <(tally_log "$log")
  fi
  if [ $dist = 1 ]; then
    host_dist "$log"
    p=$((p + tp)); f=$((f + tf))
  fi
  v=$(php -n -r 'echo PHP_VERSION, PHP_ZTS ? " ZTS" : " NTS";')"|"
  v+=$( [ -f /usr/share/wordpress/wp-includes/version.php ] && php -n -r 'include "/usr/share/wordpress/wp-includes/version.php"; echo $wp_version;' || printf -- -)"|"
  v+=$(command -v mariadbd >/dev/null && mariadbd --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+-MariaDB' | head -1 | sed 's/-MariaDB//' || printf -- -)
  results+=("debian12|$v|$p|$f")
}

run_root_lane() { # lane suites...
  local lane=$1
  shift
  local r=$roots/$lane log=$logs/$lane.log p=0 f=0 tp tf v="?|?|?" suites=() threads=0 dist=0 s
  for s in "$@"; do
    case $s in threads) threads=1 ;; dist) dist=1 ;; *) suites+=("$s") ;; esac
  done
  set_lane_env "$lane"
  say "$lane: root $r; suites: $*"
  : >"$log"
  if ! setup_root "$lane" "$r"; then
    echo "FAIL $lane: the root could not be set up (logs in $logs)" | tee -a "$log"
    leave_root "$r"
    results+=("$lane|$v|0|1")
    return
  fi
  use_lane_php "$lane" "$r"
  v=$(versions "$r")
  echo "matrix: $lane has PHP, WordPress, MariaDB: $v"
  copy_checkout "$r"
  # axe-core (npm) for the browser test: the roots have no npm, the host has; the copy is
  # the host's cache, installed there first when missing.
  local axe=$home/axe-core
  if [ ! -f "$axe/node_modules/axe-core/axe.min.js" ] && command -v npm >/dev/null 2>&1; then
    npm install --prefix "$axe" --no-audit --no-fund --no-save axe-core@4 >/dev/null 2>&1 || echo "matrix: npm could not install axe-core"
  fi
  if [ -d "$axe/node_modules" ]; then
    mkdir -p "$r/root/.cache/closte"
    rsync -a --delete "$axe/" "$r/root/.cache/closte/axe-core/"
  fi
  echo "matrix: building the extension for $lane (log: $logs/$lane-build.log)"
  local t2
  t2=$(now)
  if ! in_root "$r" bash -c 'cd /src && cargo build --release --locked --workspace' >"$logs/$lane-build.log" 2>&1; then
    tail -30 "$logs/$lane-build.log" | tee -a "$log"
    leave_root "$r"
    results+=("$lane|$v|0|1")
    return
  fi
  echo "matrix: build took $(($(now) - t2))s"
  if [ ${#suites[@]} -gt 0 ]; then
    in_root "$r" bash -c 'cd /src && exec scripts/test.sh "$@"' test "${suites[@]}" 2>&1 | tee -a "$log"
    read -r tp tf < <(tally_log "$log")
    p=$((p + tp)); f=$((f + tf))
  fi
  if [ $threads = 1 ]; then
    in_root "$r" bash -c 'cd /src && exec tests/zts/run.sh' 2>&1 | tee "$log.threads"
    read -r tp tf < <(tally_log "$log.threads")
    printf '%-10s %4d passed, %d failed\n' threads "$tp" "$tf" | tee -a "$log"
    p=$((p + tp)); f=$((f + tf))
  fi
  if [ $dist = 1 ]; then
    local zip
    zip=$(in_root "$r" bash -c 'cd /src && scripts/dist.sh' 2>&1 | tee -a "$log" | tail -1 | cut -d' ' -f1)
    if [[ $zip == target/dist/*.zip ]] && [ -f "$r/src/$zip" ]; then
      mkdir -p "$repo/target/dist"
      cp "$r/src/$zip" "$repo/target/dist/"
      pie_install_in_root "$r" "$zip" "$log"
    else
      echo "FAIL $lane: scripts/dist.sh made no zip" | tee -a "$log"
      tp=0 tf=1
    fi
    p=$((p + tp)); f=$((f + tf))
  fi
  leave_root "$r"
  results+=("$lane|$v|$p|$f")
}

# The checkout as it is now (uncommitted changes too) into the root's /src; target/ stays
# in the root, so the lane's build is incremental and its own.
copy_checkout() { # root
  need_host_tool rsync rsync
  rsync -a --delete --exclude=/target --exclude=/.git "$repo/" "$1/src/"
}

# Installs a zip (a path under the root's /src) the way PIE does, in the root; appends the
# output to log; sets tp and tf (passed, failed).
pie_install_in_root() { # root zip log
  in_root "$1" bash -c 'cd /src && exec scripts/matrix/pie-install.sh "$1"' pie-install "$2" 2>&1 | tee "$3.dist"
  read -r tp tf < <(tally_log "$3.dist")
  printf '%-10s %4d passed, %d failed\n' dist "$tp" "$tf" | tee -a "$3"
}

# debian12's zip: made on the host from the host's build, installed in a Debian 12 root
# (PHP 8.2 from Debian's archive, nothing else) the way PIE does. Sets tp and tf.
host_dist() { # log
  local zip r=$roots/debian12
  zip=$(scripts/dist.sh 2>&1 | tee -a "$1" | tail -1 | cut -d' ' -f1)
  tp=0 tf=1
  if ! [[ $zip == target/dist/*.zip ]] || [ ! -f "$zip" ]; then
    echo "FAIL debian12: scripts/dist.sh made no zip" | tee -a "$1"
    return
  fi
  echo "matrix: $zip; installed in $r"
  current_root=$r
  set_lane_env debian12
  if setup_root debian12 "$r"; then
    copy_checkout "$r"
    mkdir -p "$r/src/target/dist"
    cp "$zip" "$r/src/target/dist/"
    pie_install_in_root "$r" "$zip" "$1"
  else
    echo "FAIL debian12: the root could not be set up (logs in $logs)" | tee -a "$1"
  fi
  leave_root "$r"
  current_root=""
  lane_env=()
}

# ---- main ------------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || { echo "matrix: needs root (debootstrap, chroot, mount)"; echo "0 passed, 1 failed"; exit 1; }
requested=("$@")
[ ${#requested[@]} -eq 0 ] && requested=("${all_lanes[@]}")
current_root=""
trap 'leave_root "$current_root"' EXIT
trap 'exit 130' INT TERM

for spec in "${requested[@]}"; do
  lane=${spec%%:*}
  if [ -z "${default_suites[$lane]:-}" ]; then
    echo "matrix: unknown lane $lane (lanes: ${all_lanes[*]})"
    results+=("$lane|?|?|?|0|1|0")
    continue
  fi
  read -r -a suites <<<"${default_suites[$lane]}"
  [[ $spec == *:* ]] && IFS=, read -r -a suites <<<"${spec#*:}"
  start=$(now)
  if [ "$lane" = debian12 ]; then
    run_host_lane "${suites[@]}"
  else
    current_root=$roots/$lane
    run_root_lane "$lane" "${suites[@]}"
    current_root=""
  fi
  results[-1]+="|$(($(now) - start))"
done

passed=0
failed=0
echo
printf '%-9s %-12s %-10s %-8s %7s %7s %7s\n' lane PHP WordPress MariaDB passed failed time
for row in "${results[@]}"; do
  IFS='|' read -r l php wp db p f secs <<<"$row"
  printf '%-9s %-12s %-10s %-8s %7s %7s %6ss\n' "$l" "$php" "$wp" "$db" "$p" "$f" "${secs:-0}"
  passed=$((passed + p)); failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
