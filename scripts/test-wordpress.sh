#!/usr/bin/env bash
# The mu-plugin in a real WordPress multisite: Debian's WordPress core, a MariaDB server
# started here (own data directory and socket, stopped at the end), the built extension
# and the Closte emulator. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/deps.sh wordpress || { echo "0 passed, 1 failed"; exit 1; }

t=$(mktemp -d /tmp/closte-wp.XXXXXX)
sock="$t/mysql.sock"
cleanup() {
  for pid in ${web_pids[@]+"${web_pids[@]}"}; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  # For a failure's post-mortem: every web request with its time, and the PHP logs.
  mkdir -p "$root/target/wordpress-logs" 2>/dev/null &&
    cp "$t/nginx-access.log" "$t/php-fpm.log" "$t/logs/php-error.log" "$t/logs/emulator.log" "$root/target/wordpress-logs/" 2>/dev/null
  if [ -f "$t/mysql.pid" ]; then
    kill "$(cat "$t/mysql.pid")" 2>/dev/null
    for _ in $(seq 100); do [ -e "$t/mysql.pid" ] || break; sleep 0.1; done
  fi
  rm -rf "$t"
}
web_pids=()
trap cleanup EXIT

mariadb-install-db --no-defaults --datadir="$t/db" --user=root --auth-root-authentication-method=socket \
  --skip-test-db >"$t/install-db.log" 2>&1 || { cat "$t/install-db.log"; echo "0 passed, 1 failed"; exit 1; }
mariadbd --no-defaults --datadir="$t/db" --socket="$sock" --skip-networking --user=root \
  --pid-file="$t/mysql.pid" --log-error="$t/mysql.err" >>"$t/mysql.err" 2>&1 &
for _ in $(seq 300); do # poll until the server answers
  mariadb-admin --no-defaults --socket="$sock" -u root ping >/dev/null 2>&1 && break
  sleep 0.1
done
mariadb --no-defaults --socket="$sock" -u root -e "CREATE DATABASE wordpress; CREATE USER wp@localhost IDENTIFIED BY 'wp'; GRANT ALL ON wordpress.* TO wp@localhost;" \
  || { cat "$t/mysql.err"; echo "0 passed, 1 failed"; exit 1; }

mkdir -p "$t/wp-content/mu-plugins" "$t/future-content/mu-plugins" "$t/logs"
scripts/install-wordpress.sh --content-dir "$t/wp-content" >/dev/null
cp tests/wordpress/ultimo-double.php "$t/wp-content/mu-plugins/0-ultimo-double.php"
cp tests/wordpress/lab-plugin.php "$t/wp-content/mu-plugins/1-closte-test-lab.php"
# A second wp-content: the bridge next to a future plugin version it does not fit.
scripts/install-wordpress.sh --content-dir "$t/future-content" >/dev/null
cp tests/wordpress/ultimo-future.php "$t/future-content/mu-plugins/0-ultimo-future.php"

export CLOSTE_WP_DB_SOCKET="$sock" CLOSTE_WP_CONTENT="$t/wp-content" WU_LOG_DIR="$t/logs" CLOSTE_EMULATOR_LOG="$t/logs/emulator.log"
export CLOSTE_EMULATOR="$root/target/release/closte-emulator"
# The real Action Scheduler (3.8.2, kept in tests/vendor with its licence; scripts/vendor-tests.sh
# refreshes it): its claims, past-due handling and recurring rescheduling are what retries and
# the watcher meet. Without it the suite cannot prove them: a failure, never a quiet stand-in.
export CLOSTE_WP_ACTION_SCHEDULER="$root/tests/vendor/action-scheduler"
if [ -f "$CLOSTE_WP_ACTION_SCHEDULER/action-scheduler.php" ]; then
  echo "note: Action Scheduler: the real one, $(sed -n 's/^ \* Version: //p' "$CLOSTE_WP_ACTION_SCHEDULER/action-scheduler.php"), from tests/vendor/action-scheduler"
else
  echo "FAIL tests/vendor/action-scheduler/action-scheduler.php is missing (scripts/vendor-tests.sh restores it)"; echo "0 passed, 1 failed"; exit 1
fi
php_base=(php -n -d extension=mysqlnd -d extension=mysqli -d error_reporting=E_ALL -d sendmail_path=/bin/true -d log_errors=1 -d "error_log=$t/logs/php-error.log" -d display_errors=1)
ext=(-d "extension=$root/target/release/libcloste.so")
# How scenarios start PHP processes of their own (tests/wordpress/runner.php: a node's queue runner).
export CLOSTE_WP_PHP="${php_base[*]} ${ext[*]}"

passed=0
failed=0
tally() { # output of a scenario script
  echo "$1" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
  local line
  line=$(echo "$1" | tail -1)
  if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
  else
    failed=$((failed + 1))
  fi
}

# The console in a real browser: the network on php-fpm (the extension loaded in its
# workers, so fork safety is exercised for real) behind nginx, on a loopback port, both
# with their own config files; headless Chromium through Playwright; see browser.php.
# start_web sets web_port (nginx, Chromium's proxy) and web_key (the API key php-fpm has).
start_web() {
  [ -n "${web_port:-}" ] && return 0 # once per run: the browser test and the nodes scenario share it
  local fpm www port key i node
  fpm=$(ls /usr/sbin/php-fpm* 2>/dev/null | head -1)
  www="$t/www"
  mkdir -p "$www" "$t/nginx"
  # WordPress's own files, but our wp-config.php (Debian's reads /etc/wordpress).
  for f in /usr/share/wordpress/*; do [ "${f##*/}" = wp-config.php ] || ln -sfn "$f" "$www/"; done # -f: a second start_web relinks
  printf '<?php\nrequire %s;\n' "'$root/tests/wordpress/bootstrap.php'" >"$www/wp-config.php"
  printf "<?php\ndefine('ABSPATH', '%s/');\n" "$www" >"$t/prepend.php"
  cat >"$t/php-fpm.ini" <<INI
extension=mysqlnd
extension=mysqli
extension=$root/target/release/libcloste.so
auto_prepend_file=$t/prepend.php
error_reporting=E_ALL
log_errors=1
error_log=$t/logs/php-error.log
display_errors=0
sendmail_path=/bin/true
closte.max_retries=0
INI
  # Two web nodes: two pools (each its own workers, its own socket, CLOSTE_NODE in its
  # environment) on the one MariaDB, behind the one nginx, which spreads requests over both
  # (round robin) and sends a request with "X-Closte-Node: node-b" to that node alone (how
  # each node's runner loop is driven: tests/wordpress/runner.php --http).
  cat >"$t/php-fpm.conf" <<CONF
[global]
pid = $t/php-fpm.pid
error_log = $t/php-fpm.log
daemonize = no
CONF
  for node in node-a node-b; do
    cat >>"$t/php-fpm.conf" <<CONF
[$node]
user = root
group = root
listen = $t/php-fpm-$node.sock
pm = static
pm.max_children = 2
clear_env = no
env[CLOSTE_NODE] = $node
CONF
  done
  port=$(php -n -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo parse_url("tcp://" . stream_socket_get_name($s, false), PHP_URL_PORT);')
  cat >"$t/nginx.conf" <<CONF
user root;
worker_processes 1;
daemon off;
pid $t/nginx.pid;
error_log $t/nginx-error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  # Every request with its time (bench/console.php reads the slowest of a run).
  log_format timed '\$request_time \$status "\$request" \$http_x_closte_node';
  access_log $t/nginx-access.log timed;
  client_body_temp_path $t/nginx/body;
  fastcgi_temp_path $t/nginx/fastcgi;
  proxy_temp_path $t/nginx/proxy;
  uwsgi_temp_path $t/nginx/uwsgi;
  scgi_temp_path $t/nginx/scgi;
  upstream nodes {
    server unix:$t/php-fpm-node-a.sock;
    server unix:$t/php-fpm-node-b.sock;
  }
  map \$http_x_closte_node \$node {
    node-a unix:$t/php-fpm-node-a.sock;
    node-b unix:$t/php-fpm-node-b.sock;
    default nodes;
  }
  server {
    listen 127.0.0.1:$port;
    server_name example.test;
    root $www;
    index index.php;
    location /wp-content/ { alias $t/wp-content/; }
    location / { try_files \$uri \$uri/ /index.php?\$args; }
    location ~ \.php\$ {
      try_files \$uri =404;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass \$node;
    }
  }
}
CONF
  key="ck_live_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  CLOSTE_WP_KEY="$key" CLOSTE_WP_PUBLIC_IP=198.51.100.7 PHP_INI_SCAN_DIR= \
    "$fpm" -R -c "$t/php-fpm.ini" -y "$t/php-fpm.conf" -F >"$t/php-fpm.out" 2>&1 &
  web_pids+=($!)
  /usr/sbin/nginx -c "$t/nginx.conf" -p "$t/nginx/" >"$t/nginx.out" 2>&1 &
  web_pids+=($!)
  # Poll until WordPress answers through nginx on each node (which also warms both pools).
  local up=0
  for node in node-a node-b; do
    up=0
    for i in $(seq 300); do
      php -n -r 'exit(@file_get_contents("http://example.test/wp-login.php", false, stream_context_create(["http" => ["proxy" => "tcp://127.0.0.1:" . $argv[1], "request_fulluri" => true, "timeout" => 5, "header" => "X-Closte-Node: " . $argv[2]]])) === false ? 1 : 0);' "$port" "$node" && { up=1; break; }
      sleep 0.1
    done
    [ "$up" = 1 ] || break
  done
  if [ "$up" != 1 ]; then
    echo "FAIL nginx/php-fpm did not answer (node $node)"
    cat "$t/php-fpm.out" "$t/nginx.out" "$t/nginx-error.log" 2>/dev/null | tail -20
    return 1
  fi
  web_port=$port
  web_key=$key
}

# Stops the web stack: the next start_web begins with fresh php-fpm workers, so nothing a
# scenario left on the nodes (a worker it stalled, a runner request still running) reaches
# the next one.
stop_web() {
  for pid in ${web_pids[@]+"${web_pids[@]}"}; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  web_pids=()
  web_port=
}

# The refresh on the two web nodes: each node's runner loop over HTTP, a worker killed, a
# runner dying in Action Scheduler's cleanup race (tests/wordpress/nodes.php).
nodes_test() {
  start_web || { failed=$((failed + 1)); return; }
  tally "$(CLOSTE_WP_KEY="$web_key" CLOSTE_WP_PROXY_PORT="$web_port" CLOSTE_WP_FPM_LOG="$t/php-fpm.log" \
    CLOSTE_WP_PHP="${php_base[*]} ${ext[*]}" "${php_base[@]}" "${ext[@]}" tests/wordpress/nodes.php 2>&1)"
  echo "$web_key" >>"$t/logs/key.txt"
}

browser_test() {
  start_web || { failed=$((failed + 1)); return; }
  mkdir -p "$root/target"
  local out before=$failed
  out="$(CLOSTE_WP_KEY="$web_key" CLOSTE_WP_PROXY_PORT="$web_port" CLOSTE_WP_PYTHON="$(scripts/browser-venv.sh)/bin/python" \
    CLOSTE_WP_PHP="${php_base[*]} ${ext[*]}" CLOSTE_WP_SCREENSHOT="$root/target/wordpress-console.png" "${php_base[@]}" "${ext[@]}" tests/wordpress/browser.php 2>&1)"
  tally "$out"
  if [ "$failed" -gt "$before" ]; then # what the web stack did, for the post-mortem
    echo "note: the slowest web requests of the run (seconds, status, request, node):"
    sort -rn "$t/nginx-access.log" 2>/dev/null | head -5 | sed 's/^/note:   /'
    echo "note: the last lines of php-fpm's log:"
    tail -5 "$t/php-fpm.log" 2>/dev/null | sed 's/^/note:   /'
  fi
  echo "$web_key" >>"$t/logs/key.txt" # the check below covers this key too
}


out=$(CLOSTE_WP_INSTALLING=1 "${php_base[@]}" tests/wordpress/install.php 2>&1)
if [ "$out" = "installed" ]; then echo "ok multisite installed"; passed=$((passed + 1)); else echo "FAIL install: $out"; failed=$((failed + 1)); fi

# make bench: the console's refresh and render for N domains at a given RTT (no test).
if [ "${1:-}" = "--bench-console" ]; then
  start_web || exit 1
  CLOSTE_WP_KEY="$web_key" CLOSTE_WP_PROXY_PORT="$web_port" CLOSTE_WP_PYTHON="$(scripts/browser-venv.sh)/bin/python" CLOSTE_WP_ACCESS_LOG="$t/nginx-access.log" \
    CLOSTE_WP_PHP="${php_base[*]} ${ext[*]}" "${php_base[@]}" "${ext[@]}" bench/console.php "${2:-500}"
  exit $?
fi

# make bench: the refresh's plan at N domain records (default 100,000), a process a step (no test).
if [ "${1:-}" = "--bench-plan" ]; then
  CLOSTE_WP_PHP="${php_base[*]} ${ext[*]}" "${php_base[@]}" "${ext[@]}" bench/plan.php "${2:-100000}"
  exit $?
fi

# make bench: time to padlock, Ultimate Multisite alone vs with the watcher (a simulated
# clock), and one watcher tick for 1,000 waiting domains at 20 ms RTT (measured); no test.
if [ "${1:-}" = "--bench-padlock" ]; then
  "${php_base[@]}" "${ext[@]}" bench/padlock.php "${2:-20}"
  exit $?
fi

# make bench: wp closte sync --dry-run at 40 and 400 sites, each record on a site of its own (no test).
if [ "${1:-}" = "--bench-sites" ]; then
  CLOSTE_WP_PHP="${php_base[*]} ${ext[*]}" "${php_base[@]}" "${ext[@]}" bench/sites.php
  exit $?
fi

# CLOSTE_WP_ONLY=name runs one scenario (tests/wordpress/name.php), or "browser", or "nodes" (both on nginx + php-fpm).
if [ -n "${CLOSTE_WP_ONLY:-}" ]; then
  if [ "$CLOSTE_WP_ONLY" = browser ]; then browser_test; elif [ "$CLOSTE_WP_ONLY" = nodes ]; then nodes_test; else tally "$("${php_base[@]}" "${ext[@]}" "tests/wordpress/$CLOSTE_WP_ONLY.php" 2>&1)"; fi
  grep -E 'PHP (Fatal|Parse|Warning|Notice|Recoverable|Core|Compile|User)|closte-native|Closte\\|libcloste|tests/wordpress|mu-plugins' "$t/logs/php-error.log" 2>/dev/null | head -20
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit
fi

tally "$("${php_base[@]}" "${ext[@]}" tests/wordpress/signatures.php 2>&1)"
tally "$("${php_base[@]}" "${ext[@]}" tests/wordpress/scenarios.php 2>&1)"
tally "$("${php_base[@]}" "${ext[@]}" tests/wordpress/cron.php 2>&1)"
tally "$("${php_base[@]}" "${ext[@]}" tests/wordpress/console.php 2>&1)"
# The claims ledger: nothing removes an alias a domain or the network needs, nothing adds back a name nobody maps.
tally "$("${php_base[@]}" "${ext[@]}" tests/wordpress/ledger.php 2>&1)"
# The console at 10,000 names: queued refresh in chunks on two runner processes (one killed), views, EXPLAIN, CSV.
tally "$("${php_base[@]}" "${ext[@]}" tests/wordpress/scale.php 2>&1)"
# Time to padlock: the watcher, against the real Action Scheduler (a note and no test with the stand-in).
tally "$("${php_base[@]}" "${ext[@]}" tests/wordpress/watcher.php 2>&1)"
# Ultimate Multisite's events (closte_domain_live / _attention, once per change) and the stored expiry verdict.
tally "$("${php_base[@]}" "${ext[@]}" tests/wordpress/events.php 2>&1)"
# wp closte on the real WP-CLI (2.12, tests/vendor/wp-cli) against this lab; without it, a failure.
tally "$("${php_base[@]}" "${ext[@]}" tests/wordpress/cli.php 2>&1)"
# The DNS stage with CLOSTE_PUBLIC_IP_ADDRESS defined, defined but not an IP, and undefined.
tally "$(CLOSTE_WP_PUBLIC_IP=198.51.100.7 "${php_base[@]}" "${ext[@]}" tests/wordpress/dns.php 2>&1)"
tally "$(CLOSTE_WP_PUBLIC_IP=closte-lb.example.com "${php_base[@]}" "${ext[@]}" tests/wordpress/dns.php 2>&1)"
tally "$("${php_base[@]}" "${ext[@]}" tests/wordpress/dns.php 2>&1)"
tally "$(CLOSTE_WP_MODE=noext "${php_base[@]}" tests/wordpress/absent.php 2>&1)"
tally "$(CLOSTE_WP_MODE=nokey "${php_base[@]}" "${ext[@]}" tests/wordpress/absent.php 2>&1)"
tally "$(CLOSTE_WP_MODE=old "${php_base[@]}" "${ext[@]}" -d 'disable_functions=closte\list_domain_names' tests/wordpress/absent.php 2>&1)"

tally "$(CLOSTE_WP_CONTENT="$t/future-content" "${php_base[@]}" "${ext[@]}" tests/wordpress/future.php 2>&1)"
# The control: declaring the provider against that plugin is the fatal error the guard avoids.
out=$(CLOSTE_WP_CONTENT="$t/future-content" CLOSTE_WP_FORCE_PROVIDER=1 "${php_base[@]}" -d log_errors=0 "${ext[@]}" tests/wordpress/future.php 2>&1)
if [[ $out == *"Fatal error"*"Closte_Native_Host_Provider::detect() must be compatible"* ]]; then
  echo "ok future: without the guard the provider would be a fatal error"; passed=$((passed + 1))
else
  echo "FAIL future: expected the unguarded provider to be fatal, got: $out"; failed=$((failed + 1))
fi

nodes_test
stop_web
browser_test

# No log line anywhere holds the key.
if [ -s "$t/logs/key.txt" ] && ! grep -rqF -f "$t/logs/key.txt" --exclude=key.txt "$t/logs"; then
  echo "ok no log holds the key ($(ls "$t/logs" | grep -vc key.txt) log files)"; passed=$((passed + 1))
else
  echo "FAIL the key is in a log (or the scenarios did not run)"; failed=$((failed + 1))
fi
# Under E_ALL: any error, warning or notice fails, and so does a deprecation raised by our
# code (the must-use plugin, the extension, the tests); WordPress core's own deprecations
# on a newer PHP, and those of WP-CLI's framework (tests/vendor/wp-cli: on PHP 8.6 its
# spl_object_hash() call), are counted and shown, not ours to fix.
log="$t/logs/php-error.log"
ours=$(grep -E 'PHP (Fatal|Parse|Warning|Notice|Recoverable|Core|Compile|User)|closte-native|Closte\\|libcloste|tests/wordpress|mu-plugins' "$log" 2>/dev/null || true)
theirs=$(grep -c 'PHP Deprecated' "$log" 2>/dev/null || true)
if [ -n "$ours" ]; then
  echo "FAIL PHP logged errors, warnings, notices or deprecations from our code:"; echo "$ours" | head -40; failed=$((failed + 1))
else
  echo "ok no PHP error, warning, notice or deprecation from the plugin or the extension (E_ALL)"; passed=$((passed + 1))
fi
if [ "${theirs:-0}" -gt 0 ]; then
  echo "note: $theirs deprecation line(s) not from our code (WordPress core, WP-CLI's vendored framework), e.g.:"; grep 'PHP Deprecated' "$log" | grep -v -E 'closte-native|Closte\\|libcloste|tests/wordpress|mu-plugins' | sort | uniq | head -3
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
