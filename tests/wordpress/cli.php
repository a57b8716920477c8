<?php
/*
 * `wp closte` on the real WP-CLI (2.12, tests/vendor/wp-cli) against the
 * real multisite: MariaDB, the Closte emulator, the DNS server and the TLS lab of
 * tests/wordpress/lab.inc. Every command runs as its own `wp` process (php -n with the
 * extension, as the other scenarios), with its exit status, stdout and stderr checked:
 * every command and format, --format=json equal to the table's rows, --dry-run sending
 * nothing but the list read (the emulator's log), the removal refused without --yes when
 * stdin is not a terminal (and asked on a terminal), `wp help closte` listing every
 * subcommand, one error line without the extension or the key, and the key never printed.
 * Without WP-CLI it fails, saying so.
 * Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 */

$root = dirname(__DIR__, 2);
$wp_bin = realpath("$root/tests/vendor/wp-cli/wp") ?: null;
if ($wp_bin === null) {
    echo "FAIL wp closte: WP-CLI is not in tests/vendor/wp-cli (scripts/vendor-tests.sh restores it)\n";
    echo "0 passed, 1 failed\n";
    exit(1);
}

require __DIR__ . '/scenario.inc';

[$t, $emu, $lab] = Scenario::start(['lab' => true]);
closte_test_forget_watcher();
ClosteLab::map_domains();
$t->run_queue('wu_add_domain');
Closte\add_domain('orphan.example.net'); // an alias no domain claims
Closte\remove_domain('expired.example.test'); // an alias lost on Closte's side
$log = fn () => (string) @file_get_contents(getenv('WU_LOG_DIR') . '/integration-closte.log');
$since = fn (int $from) => array_slice($emu->requests(), $from);
$paths = fn (int $from) => array_column($since($from), 'path');
$listed = function (): array {
    $names = array_column(Closte\list_domains(), 'domain');
    sort($names);
    return $names;
};

// The wp-config.php WP-CLI reads (WP_CONFIG_PATH): the scenarios' own bootstrap.php, whose
// `require ABSPATH . 'wp-settings.php'` WP-CLI strips and runs itself, as with any wp-config.php.
$work = sys_get_temp_dir() . '/closte-wp-cli-' . getmypid();
@mkdir($work);
file_put_contents("$work/wp-config.php", file_get_contents(__DIR__ . '/bootstrap.php'));
register_shutdown_function(function () use ($work) {
    @unlink("$work/wp-config.php");
    @unlink("$work/public-dns.php");
    @rmdir($work);
});
$core = rtrim(getenv('CLOSTE_WP_CORE') ?: '/usr/share/wordpress', '/');
$libcloste = "$root/target/release/libcloste.so";
$first = (string) @file_get_contents($wp_bin, false, null, 0, 200);
$by_php = str_starts_with($first, '<?php') || (bool) preg_match('/^#!.*\bphp\b/', strtok($first, "\n") ?: '');
$outputs = ''; // everything every run printed: the key must be in none of it

/**
 * One `wp` run: ['code' => exit status, 'out' => stdout, 'err' => stderr]. $o: 'ext' (load
 * the extension, default true), 'env' (name => value, null unsets), 'stdin' (text; stdin
 * is a pipe, never a terminal), 'tty' (run under script(1), so stdin is a terminal).
 */
$run = function (array $args, array $o = []) use ($wp_bin, $by_php, $core, $libcloste, $emu, $lab, $work, &$outputs): array {
    $php = [PHP_BINARY, '-n', '-d', 'extension=mysqlnd', '-d', 'extension=mysqli'];
    if ($o['ext'] ?? true) {
        array_push($php, '-d', "extension=$libcloste");
    }
    array_push($php, '-d', 'error_reporting=E_ALL', '-d', 'display_errors=stderr', '-d', 'log_errors=1', '-d', 'error_log=' . ini_get('error_log'),
        '-d', 'sendmail_path=/bin/true', '-d', 'memory_limit=256M', '-d', 'closte.api_url=' . $emu->api, '-d', 'closte.max_retries=0',
        '-d', 'closte.nameservers=' . $lab->dns->addr, '-d', 'closte.ssl_timeout=2', '-d', 'closte.dns_timeout=2');
    $cmd = array_merge($by_php ? array_merge($php, [$wp_bin]) : [$wp_bin], ['--allow-root', "--path=$core", '--url=http://example.test/'], $args);
    $env = getenv();
    foreach (['WP_CONFIG_PATH' => "$work/wp-config.php", 'PAGER' => 'cat', 'SHELL_PIPE' => '0', 'WP_CLI_CACHE_DIR' => "$work/cache",
        'WP_CLI_CONFIG_PATH' => "$work/none.yml", 'WP_CLI_PHP' => PHP_BINARY, 'WP_CLI_PHP_ARGS' => implode(' ', array_map('escapeshellarg', array_slice($php, 1))),
        'TERM' => 'dumb', 'COLUMNS' => '400'] + ($o['env'] ?? []) as $k => $v) {
        if ($v === null) {
            unset($env[$k]);
        } else {
            $env[$k] = $v;
        }
    }
    if (!empty($o['tty'])) {
        $cmd = ['script', '-qec', implode(' ', array_map('escapeshellarg', $cmd)), '/dev/null'];
    }
    $p = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
    fwrite($pipes[0], (string) ($o['stdin'] ?? ''));
    fclose($pipes[0]);
    $out = $err = '';
    stream_set_blocking($pipes[1], false);
    stream_set_blocking($pipes[2], false);
    $deadline = microtime(true) + 120;
    while (!feof($pipes[1]) || !feof($pipes[2])) {
        $r = array_filter([$pipes[1], $pipes[2]], fn ($s) => !feof($s));
        $none = null;
        if (microtime(true) > $deadline) {
            proc_terminate($p, 9);
            $err .= "\n(killed after 120 s)";
            break;
        }
        if (stream_select($r, $none, $none, 1) > 0) {
            foreach ($r as $s) {
                $chunk = (string) fread($s, 65536);
                $s === $pipes[1] ? $out .= $chunk : $err .= $chunk;
            }
        }
    }
    fclose($pipes[1]);
    fclose($pipes[2]);
    $code = proc_close($p);
    $outputs .= $out . $err;
    wp_cache_flush(); // what the run wrote is read from the database, not this process's cache
    // WP-CLI colours its "Success:"/"Warning:"/"Error:" prefixes (no posix extension under php -n: no tty test).
    $plain = fn (string $s) => (string) preg_replace('/\e\[[0-9;]*m/', '', $s);
    // WP-CLI's framework deprecates itself on newer PHP (8.6: spl_object_hash() in
    // class-wp-cli.php on every run): those lines stay in $outputs, where they are counted
    // at the end, but not in what the checks below read.
    $theirs = fn (string $s) => (string) preg_replace('#^(PHP )?Deprecated: .* in /\S*/vendor/wp-cli/\S* on line \d+\R?#m', '', $s);
    return ['code' => $code, 'out' => $theirs($plain($out)), 'err' => $theirs($plain($err)), 'raw' => $out];
};
$show = fn (array $r) => json_encode(['code' => $r['code'], 'out' => mb_substr($r['out'], 0, 1500), 'err' => mb_substr($r['err'], 0, 1500)], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
$json = fn (array $r) => json_decode($r['out'], true);
$strip = fn (string $s) => preg_replace('/\e\[[0-9;]*[A-Za-z]/', '', $s);
/** The rows of WP-CLI's ASCII table (header => cell), every value a string. */
$table_rows = function (string $out) use ($strip): array {
    $lines = array_values(array_filter(explode("\n", $strip($out)), fn ($l) => str_starts_with($l, '|')));
    if ($lines === []) {
        return [];
    }
    $cells = fn ($l) => array_map('trim', explode('|', trim(trim($l), '|')));
    $head = $cells(array_shift($lines));
    return array_map(fn ($l) => array_combine($head, $cells($l)), $lines);
};
$as_strings = fn (?array $rows) => array_map(fn ($r) => array_map('strval', $r), (array) $rows);
$no_php_noise = fn (array $r) => !preg_match('/PHP (Fatal|Parse|Warning|Notice|Deprecated)|^(Warning|Notice|Deprecated|Fatal error): .* in \//m', $r['err'] . $r['out']);

// Help: `wp help closte` lists every subcommand; each has its options and examples.
$subcommands = ['check', 'doctor', 'refresh', 'retry', 'status', 'sync', 'watch'];
$r = $run(['help', 'closte']);
preg_match_all('/^\s{2}(\w+)\s{2,}/m', $strip(explode('SUBCOMMANDS', $r['out'])[1] ?? ''), $m);
$t->same('help: `wp help closte` lists every subcommand', [0, $subcommands], [$r['code'], $m[1]]);
$r = $run(['help', 'closte', 'sync']);
$help = $strip($r['out']);
$t->check('help: `wp help closte sync` is complete: synopsis, description, every option, examples with a cron line',
    $r['code'] === 0 && str_contains($help, 'wp closte sync [--dry-run] [--remove-unlisted] [--yes]') && str_contains($help, 'OPTIONS')
    && str_contains($help, '--dry-run') && str_contains($help, '--remove-unlisted') && str_contains($help, '--yes') && str_contains($help, 'stdin is not a terminal')
    && str_contains($help, 'EXAMPLES') && str_contains($help, '0 3 * * * wp') && str_contains($help, 'refused when no mapped domain is found'), $show($r));
$complete = [];
foreach ($subcommands as $sub) {
    $r = $run(['help', 'closte', $sub]);
    $h = $strip($r['out']);
    if ($r['code'] !== 0 || !str_contains($h, 'EXAMPLES') || !str_contains($h, "wp closte $sub") || ($sub !== 'watch' && !str_contains($h, 'OPTIONS'))) {
        $complete[] = $sub;
    }
}
$t->same('help: every subcommand has OPTIONS (watch has none) and EXAMPLES', [], $complete);
$r = $run(['help', 'closte', 'status']);
$t->check('help: status names its views and formats', str_contains($strip($r['out']), '[--view=<view>]') && str_contains($r['out'], 'certificate') && str_contains($r['out'], 'count'), $show($r));

// status before any refresh: an empty list, and a note on stderr.
$r = $run(['closte', 'status', '--format=json']);
$t->check('status before any refresh: [] on stdout, "Nothing checked yet" on stderr, exit 0',
    $r['code'] === 0 && trim($r['out']) === '[]' && str_contains($r['err'], 'Nothing checked yet'), $show($r));

// refresh: queued (sends nothing), or inline with a progress bar and a summary.
$sent = count($emu->requests());
$r = $run(['closte', 'refresh']);
$queued = Closte_Native_Refresh::run();
$t->check('refresh: queued through Action Scheduler, nothing sent, exit 0', $r['code'] === 0 && str_contains($r['out'], 'Refresh queued')
    && $queued !== null && empty($queued['planned']) && count($t->pending(Closte_Native_Refresh::HOOK)) >= 1 && $since($sent) === [], $show($r));
$sent = count($emu->requests());
$lab->dns->stats(true);
$r = $run(['closte', 'refresh', '--inline']);
$inline = Closte_Native_Refresh::run();
$names = $wpdb->get_col('SELECT name FROM ' . (new Closte_Native_Status_Table())->name() . ' ORDER BY name');
$t->check('refresh --inline: a progress bar, the summary, exit 0', $r['code'] === 0 && str_contains($r['out'], 'Checking DNS and certificates')
    && str_contains($r['out'], '8 names checked in') && str_contains($r['out'], '1 missing on Closte') && str_contains($r['out'], 'orphan.example.net')
    && str_contains($r['out'], 'Success: Refreshed'), $show($r));
$t->same('refresh --inline: one list read to Closte, one DNS batch, every name in the table, the run finished',
    [['/getdomains'], 16, 8, true, 'wp-cli'], [$paths($sent), $lab->dns->stats()['addresses'], count($names), !empty($inline['finished_at']), $inline['source'] ?? null]);
$left = 0;
foreach ([Closte_Native_Refresh::HOOK, Closte_Native_Refresh::CHUNK_HOOK, Closte_Native_Refresh::SWEEP_HOOK] as $hook) {
    $left += count(array_filter($t->pending($hook), fn ($p) => (int) ($p[0][0] ?? 0) === (int) $inline['id']));
}
$t->same('refresh --inline: none of its own work is left in the queue', 0, $left);
// refresh --inline while the reconcile's run is queued: it takes that run over, adds included.
(new Closte_Native_Reconcile())->run(); // queued, not run yet
$sent = count($emu->requests());
$r = $run(['closte', 'refresh', '--inline']);
$took = Closte_Native_Refresh::run();
$t->same('refresh --inline during the reconcile: it takes the run over with its adds (the missing alias added, once), and finishes',
    [0, 'wp-cli', true, 'daily', ['expired.example.test'], true],
    [$r['code'], $took['source'], $took['add_missing'], $took['why'], array_column(array_column(array_filter($since($sent), fn ($x) => $x['path'] === '/adddomainalias'), 'form'), 'domain'), !empty($took['finished_at'])]);
Closte\remove_domain('expired.example.test'); // missing again, as the status checks below expect
(new Closte_Native_Status())->refresh_aliases();

// status: every format, the same rows.
$r = $run(['closte', 'status']);
$table = $table_rows($r['out']);
$t->check('status (table): one row per name; the last check\'s time on stderr, never in the data on stdout', $r['code'] === 0 && count($table) === 8 && str_contains($r['err'], 'Last checked')
    && !str_contains($r['out'], 'Last checked'), $show($r));
$r = $run(['closte', 'status', '--format=json']);
$rows = $json($r);
$t->check('status --format=json: JSON only on stdout (the last check\'s time on stderr), exit 0', $r['code'] === 0 && is_array($rows) && count($rows) === 8
    && str_starts_with(trim($r['err']), 'Last checked'), $show($r));
$t->same('status: --format=json equals the table\'s rows', $table, $as_strings($rows));
$byname = array_column((array) $rows, null, 'name');
$t->same('status: the columns, in order', ['name', 'domain', 'site', 'stage', 'on_closte', 'dns', 'certificate', 'days_left'], array_keys($rows[0] ?? []));
$t->same('status: what each row says, as the console does', [
    ['yes', 'ok', 'valid'], ['missing', 'ok', 'expired'], ['yes', 'points_elsewhere', 'timeout'], ['yes', 'ok', 'expiring'], ['yes', 'ok', 'hostname_mismatch'], ['bücher.example', 'yes'],
], [
    array_values(array_intersect_key($byname['valid.example.test'] ?? [], array_flip(['on_closte', 'dns', 'certificate']))),
    array_values(array_intersect_key($byname['expired.example.test'] ?? [], array_flip(['on_closte', 'dns', 'certificate']))),
    array_values(array_intersect_key($byname['silent.example.test'] ?? [], array_flip(['on_closte', 'dns', 'certificate']))),
    array_values(array_intersect_key($byname['expiring.example.test'] ?? [], array_flip(['on_closte', 'dns', 'certificate']))),
    array_values(array_intersect_key($byname['wronghost.example.test'] ?? [], array_flip(['on_closte', 'dns', 'certificate']))),
    [$byname['www.xn--bcher-kva.example']['domain'] ?? null, $byname['www.xn--bcher-kva.example']['on_closte'] ?? null],
]);
$r = $run(['closte', 'status', '--format=csv']);
$csv = array_map('str_getcsv', array_values(array_filter(explode("\n", $r['out']), 'strlen')));
$head = array_shift($csv);
// WP-CLI writes a cell that starts with = + - @ with a leading ' (no formula in a spreadsheet).
$t->same('status --format=csv: a header and the same rows (-1 as \'-1)', [0, $as_strings($rows)],
    [$r['code'], array_map(fn ($l) => array_combine((array) $head, array_map(fn ($c) => preg_replace('/^\'(?=[=+\-@])/', '', $c), $l)), $csv)]);
$r = $run(['closte', 'status', '--format=yaml']);
preg_match_all('/^\s*-?\s*name: (\S+)$/m', $r['out'], $ym);
$t->same('status --format=yaml: the same names', [0, array_column((array) $rows, 'name')], [$r['code'], array_map(fn ($n) => trim($n, '"\''), $ym[1])]);
$r = $run(['closte', 'status', '--format=count']);
$t->same('status --format=count: the number alone on stdout (the last check\'s time on stderr)', [0, '8', true], [$r['code'], trim($r['out']), str_starts_with($r['err'], 'Last checked')]);

// Views: the console's, by the names the issue gives them.
$status_table = new Closte_Native_Status_Table();
$views = [];
foreach (['all', 'attention', 'dns', 'certificate', 'expiring', 'missing', 'waiting'] as $view) {
    [$expect] = $status_table->page($view, '', 'name', 'asc', 1000, 1);
    $r = $run(['closte', 'status', "--view=$view", '--format=json', '--fields=name']);
    $views[$view] = [$r['code'], array_column((array) $json($r), 'name') === array_column($expect, 'name'), count($expect)];
}
$t->check('status --view: each of the seven views holds the console\'s rows of that view', array_column($views, 1) === array_fill(0, 7, true)
    && array_column($views, 0) === array_fill(0, 7, 0) && $views['missing'][2] === 1 && $views['dns'][2] === 1 && $views['all'][2] === 8, json_encode($views));
$r = $run(['closte', 'status', '--view=missing', '--format=count']);
$t->same('status --view=missing --format=count', '1', trim($r['out']));
$r = $run(['closte', 'status', '--view=nonsense']);
$t->check('status --view=nonsense: refused by the synopsis, exit 1', $r['code'] === 1 && str_contains($r['err'], 'view') && $r['out'] === '', $show($r));
$r = $run(['closte', 'status', 'bücher.example', 'valid.example.test', '--fields=name,twin_of,on_closte,dns_points', '--format=json']);
$t->same('status <domain>...: a domain brings its www. twin; --fields picks the columns', [0, [
    ['name' => 'xn--bcher-kva.example', 'twin_of' => '', 'on_closte' => 'yes', 'dns_points' => '198.51.100.7'],
    ['name' => 'www.xn--bcher-kva.example', 'twin_of' => 'bücher.example', 'on_closte' => 'yes', 'dns_points' => '198.51.100.7'],
    ['name' => 'valid.example.test', 'twin_of' => '', 'on_closte' => 'yes', 'dns_points' => '198.51.100.7'],
]], [$r['code'], $json($r)]);
$wpdb->query('UPDATE ' . $status_table->name() . " SET add_error = 'Closte answered HTTP 503' WHERE name = 'valid.example.test'");
$r = $run(['closte', 'status', 'valid.example.test', '--fields=name,add_error', '--format=json']);
$wpdb->query('UPDATE ' . $status_table->name() . " SET add_error = NULL WHERE name = 'valid.example.test'");
$t->same('status --fields=add_error: why the reconcile could not add the name', [['name' => 'valid.example.test', 'add_error' => 'Closte answered HTTP 503']], $json($r));
// The new DNS reasons in words, with the next step: the same words as the console's and the domain log's.
$words = [];
foreach (['proxied', 'partly_elsewhere', 'caa_forbids'] as $reason) {
    $wpdb->query($wpdb->prepare('UPDATE ' . $status_table->name() . " SET dns_ok = 0, dns_reason = %s, dns_error = 'the check said so' WHERE name = 'silent.example.test'", $reason));
    $a = $run(['closte', 'status', 'silent.example.test', '--fields=name,dns,dns_next_step', '--format=json']);
    $b = $run(['closte', 'status', 'silent.example.test']);
    $words[$reason] = [$json($a), str_contains($b['err'], "silent.example.test: DNS $reason. " . Closte_Native_Dns_Stage::next_step($reason))];
}
$wpdb->query('UPDATE ' . $status_table->name() . " SET dns_reason = 'points_elsewhere', dns_error = 'silent.example.test points to 203.0.113.9; Closte expects 198.51.100.7' WHERE name = 'silent.example.test'");
$t->same('status: proxied, partly_elsewhere and caa_forbids say what they mean and the next step (field dns_next_step; a line under the table)', [
    'proxied' => [[['name' => 'silent.example.test', 'dns' => 'proxied', 'dns_next_step' => Closte_Native_Dns_Stage::next_step('proxied')]], true],
    'partly_elsewhere' => [[['name' => 'silent.example.test', 'dns' => 'partly_elsewhere', 'dns_next_step' => Closte_Native_Dns_Stage::next_step('partly_elsewhere')]], true],
    'caa_forbids' => [[['name' => 'silent.example.test', 'dns' => 'caa_forbids', 'dns_next_step' => Closte_Native_Dns_Stage::next_step('caa_forbids')]], true],
], $words);
$t->check('status: the words name Cloudflare, the stray records and CAA', str_contains(Closte_Native_Dns_Stage::next_step('proxied'), '"DNS only"')
    && str_contains(Closte_Native_Dns_Stage::next_step('partly_elsewhere'), 'AAAA') && str_contains(Closte_Native_Dns_Stage::next_step('caa_forbids'), 'letsencrypt.org'));
$r = $run(['closte', 'status', 'www.xn--bcher-kva.example', '--format=json', '--fields=name']);
$t->same('status www.<domain>: only that name', [['name' => 'www.xn--bcher-kva.example']], $json($r));
$r = $run(['closte', 'status', 'nosuch.example.test', '--format=json']);
$t->check('status of a name that is not mapped: [] on stdout, a warning on stderr, exit 1', $r['code'] === 1 && trim($r['out']) === '[]'
    && str_contains($r['err'], 'nosuch.example.test: not in the status table'), $show($r));
$r = $run(['closte', 'status', '--fields=name,apikey']);
$t->check('status --fields with an unknown field: one error line, exit 1', $r['code'] === 1 && $r['out'] === '' && str_contains($r['err'], 'Unknown field: apikey'), $show($r));

// check: live, now; one row per name; exit 1 when a name is not ready.
$sent = count($emu->requests());
$r = $run(['closte', 'check', 'valid.example.test', 'silent.example.test', 'bad..name', '--format=json']);
$checked = array_column((array) $json($r), null, 'name');
$t->check('check: one row per name, live verdicts, exit 1 as two are not ready', $r['code'] === 1 && count($checked) === 3
    && ($checked['valid.example.test']['dns'] ?? '') === 'ok' && ($checked['valid.example.test']['certificate'] ?? '') === 'valid'
    && ($checked['silent.example.test']['dns'] ?? '') === 'points_elsewhere' && ($checked['silent.example.test']['certificate'] ?? '') === 'timeout'
    && str_contains($checked['silent.example.test']['detail'] ?? '', 'points to 203.0.113.9')
    && ($checked['bad..name']['dns'] ?? '') === 'invalid' && str_contains($r['err'], '2 of 3 names not ready') && $since($sent) === [], $show($r));
$r2 = $run(['closte', 'check', 'valid.example.test', 'silent.example.test', 'bad..name']);
$t->same('check: --format=json equals the table\'s rows', $table_rows($r2['out']), $as_strings($json($r)));
$r = $run(['closte', 'check', 'valid.example.test', 'xn--bcher-kva.example', '--dns', '--format=json']);
$t->same('check --dns: DNS columns only, exit 0 when every name is right', [0, [['name' => 'valid.example.test', 'dns' => 'ok', 'points_to' => '198.51.100.7', 'detail' => ''],
    ['name' => 'xn--bcher-kva.example', 'dns' => 'ok', 'points_to' => '198.51.100.7', 'detail' => '']]], [$r['code'], $json($r)]);
$r = $run(['closte', 'check', 'expiring.example.test', '--ssl', '--format=json']);
$row = $json($r)[0] ?? [];
$t->check('check --ssl: certificate columns only; an expiring certificate is valid, "expiring"', $r['code'] === 0
    && array_keys($row) === ['name', 'certificate', 'days_left', 'expires', 'subject', 'issuer', 'detail'] && $row['certificate'] === 'expiring' && $row['days_left'] < 14, $show($r));
$valid_port = parse_url($lab->servers['valid']->url, PHP_URL_PORT);
$r1 = $run(['closte', 'check', 'valid.example.test', '--ssl', '--format=json']);
$r = $run(['closte', 'check', 'valid.example.test', '--ssl', '--connect-to=127.0.0.1:' . parse_url($lab->servers['expired']->url, PHP_URL_PORT), '--format=json']);
$t->same('check --connect-to: the certificate of the host given (the expired server), over the filters\' target', [0, 'valid', 1, 'expired'],
    [$r1['code'], $json($r1)[0]['certificate'] ?? null, $r['code'], $json($r)[0]['certificate'] ?? null]);
foreach (['csv', 'yaml', 'count'] as $format) {
    $r = $run(['closte', 'check', 'valid.example.test', "--format=$format"]);
    $ok[$format] = $r['code'] === 0 && str_contains($r['out'], $format === 'count' ? '1' : 'valid.example.test') && $r['err'] === '';
}
$t->same('check: csv, yaml and count', ['csv' => true, 'yaml' => true, 'count' => true], $ok);

// doctor: every check of a domain, pass or fail and the next step; exit 1 when one fails.
// The certificate "through public DNS" is the SSL stage's (closte_native_check_ssl_options):
// here a --require'd file sends it to the lab's server for each name, as public DNS would.
file_put_contents("$work/public-dns.php", '<?php WP_CLI::add_wp_hook("closte_native_check_ssl_options", function ($o, $name) { $lab = get_network_option(null, "closte_test_lab", []);'
    . ' return isset($lab["targets"][$name]) ? ["connect_to" => [$name => $lab["targets"][$name]], "ca_file" => $lab["ca_file"], "timeout" => 2] + $o : $o; }, 10, 2);');
require_once WPMU_PLUGIN_DIR . '/closte-native/app/class-closte-native-doctor.php'; // loaded by WP-CLI runs only
$sent = count($emu->requests());
$r = $run(['closte', 'doctor', 'valid.example.test', "--require=$work/public-dns.php", '--format=json']);
$rows = (array) $json($r);
$t->check('doctor on a healthy domain: every check passes (scheduled is information), exit 0, JSON only on stdout', $r['code'] === 0 && $r['err'] === ''
    && array_column($rows, 'check') === Closte_Native_Doctor::CHECKS && array_unique(array_column(array_slice($rows, 0, -1), 'status')) === ['pass']
    && ($rows[8]['status'] ?? '') === 'info', $show($r));
$by = array_column($rows, null, 'check');
$t->check('doctor: what each check saw, in words (record and stage, the ledger\'s claim, A record, CAA, the certificate both ways)',
    str_contains($by['record']['detail'] ?? '', 'valid.example.test on site') && str_contains($by['record']['detail'] ?? '', 'stage done')
    && str_contains($by['ledger']['detail'] ?? '', 'claimed by valid.example.test') && str_contains($by['dns']['detail'] ?? '', 'A 198.51.100.7; Closte expects 198.51.100.7')
    && str_contains($by['caa']['detail'] ?? '', 'no CAA record') && str_contains($by['certificate_closte']['detail'] ?? '', 'valid, issued by')
    && str_contains($by['certificate_public']['detail'] ?? '', 'valid, issued by'), json_encode($by));
$t->same('doctor: sends Closte nothing but one list read', ['/getdomains'], $paths($sent));
$r = $run(['closte', 'doctor', 'valid.example.test', "--require=$work/public-dns.php"]);
$t->check('doctor (table): one row per check and a success line, exit 0', $r['code'] === 0 && count($table_rows($r['out'])) === 9 && str_contains($r['out'], 'Success: Every check passed'), $show($r));
$r = $run(['closte', 'doctor', 'expired.example.test', 'valid.example.test', "--require=$work/public-dns.php", '--format=json']);
$rows = (array) $json($r);
$bad = array_column(array_filter($rows, fn ($x) => $x['domain'] === 'expired.example.test' && $x['status'] === 'fail'), null, 'check');
$t->check('doctor on a broken domain (missing on Closte, its certificate expired): those checks fail with the next step, the healthy one passes, exit 1',
    $r['code'] === 1 && array_keys($bad) === ['alias', 'certificate_closte', 'certificate_public']
    && str_contains($bad['alias']['next_step'] ?? '', 'wp closte retry expired.example.test') && str_contains($bad['certificate_closte']['detail'] ?? '', '(expired)')
    && ($bad['certificate_closte']['next_step'] ?? '') === Closte_Native_Ssl_Stage::next_step('expired')
    && array_filter($rows, fn ($x) => $x['domain'] === 'valid.example.test' && $x['status'] === 'fail') === []
    && str_contains($r['err'], '1 of 2 domains have a failing check: expired.example.test'), $show($r));
$r = $run(['closte', 'doctor', 'nosuch.example.test', 'bad..name', '--format=json']);
$rows = array_values(array_filter((array) $json($r), fn ($x) => $x['check'] === 'record'));
$t->check('doctor on a name no record maps, and on an invalid name: the record check fails and says what to do, exit 1', $r['code'] === 1
    && str_contains($rows[0]['detail'] ?? '', 'no domain record maps this name') && str_contains($rows[1]['detail'] ?? '', 'not a valid domain name'), $show($r));

// sync: --dry-run sends nothing (only the list read); the removal asks first.
$before = $listed();
$sent = count($emu->requests());
$r = $run(['closte', 'sync', '--dry-run']);
$t->check('sync --dry-run: says what it would add, exit 0', $r['code'] === 0 && str_contains($r['out'], 'would add expired.example.test')
    && !str_contains($r['out'], 'would remove') && str_contains($r['out'], 'Dry run, nothing sent: 1 to add, 7 already on Closte'), $show($r));
$r = $run(['closte', 'sync', '--dry-run', '--remove-unlisted']);
$t->check('sync --dry-run --remove-unlisted: what it would add and remove, no question', $r['code'] === 0 && str_contains($r['out'], 'would add expired.example.test')
    && str_contains($r['out'], 'would remove orphan.example.net') && str_contains($r['out'], '1 unclaimed to remove') && !str_contains($r['out'], '[y/n]'), $show($r));
$t->same('sync --dry-run: the emulator saw only the list reads, Closte\'s aliases are unchanged', [['/getdomains', '/getdomains'], $before], [$paths($sent), $listed()]);
$sent = count($emu->requests());
$r = $run(['closte', 'sync', '--remove-unlisted'], ['stdin' => "y\n"]);
$t->check('sync --remove-unlisted without --yes, stdin not a terminal: refused with one error line, exit 1, even with "y" piped in', $r['code'] === 1
    && str_contains($r['err'], 'stdin is not a terminal') && str_contains($r['err'], '--yes') && substr_count(trim($r['err']), "\n") === 0, $show($r));
$t->same('sync refused: nothing changed (only the list read)', [['/getdomains'], $before], [$paths($sent), $listed()]);
if (is_executable('/usr/bin/script')) {
    $sent = count($emu->requests());
    $r = $run(['closte', 'sync', '--remove-unlisted'], ['tty' => true, 'stdin' => "n\n"]);
    $t->check('sync --remove-unlisted on a terminal: WP_CLI::confirm asks, "n" changes nothing', str_contains($r['out'], 'unclaimed orphan.example.net') && str_contains($r['out'], 'Remove the 1 alias listed above from Closte (no mapped domain claims it)? [y/n]')
        && $paths($sent) === ['/getdomains'] && $listed() === $before, $show($r));
}
$sent = count($emu->requests());
$r = $run(['closte', 'sync']);
$t->check('sync: adds the missing alias, exit 0', $r['code'] === 0 && str_contains($r['out'], 'added expired.example.test')
    && str_contains($r['out'], 'Success: Sync: 1 added, 7 already on Closte, 0 failed.'), $show($r));
$t->same('sync: one list read to find what is missing, add_domains\' own read and its one add, no removal; the table\'s On Closte column from those (no third read)',
    [['/getdomains', '/getdomains', '/adddomainalias'], 'expired.example.test', '1'],
    [$paths($sent), $since($sent)[2]['form']['domain'] ?? null, $wpdb->get_var('SELECT on_closte FROM ' . $status_table->name() . " WHERE name = 'expired.example.test'")]);
$before = $listed();
$sent = count($emu->requests());
$r = $run(['closte', 'sync', '--remove-unlisted', '--yes']);
$after = $listed();
$t->check('sync --remove-unlisted --yes: the unclaimed alias printed, then removed, every mapped name kept, exit 0', $r['code'] === 0
    && strpos($r['out'], 'unclaimed orphan.example.net') < strpos($r['out'], 'removed orphan.example.net')
    && $after === array_values(array_diff($before, ['orphan.example.net'])) && str_contains($r['out'], '1 unclaimed removed'), $show($r));
$t->same('sync --remove-unlisted --yes: one delete, of that alias', ['orphan.example.net'], array_column(array_column(array_filter($since($sent), fn ($x) => $x['path'] === '/deletedomainalias'), 'form'), 'domain'));
$sent = count($emu->requests());
$emu->fault(['path' => 'adddomainalias', 'domain' => 'valid.example.test', 'status' => 503]);
Closte\remove_domain('valid.example.test');
$r = $run(['closte', 'sync']);
$t->check('sync: a failure is a warning with why, and exit 1', $r['code'] === 1 && str_contains($r['err'], 'valid.example.test:') && str_contains($r['err'], 'temporary')
    && str_contains($r['err'], '0 added, 7 already on Closte, 1 failed'), $show($r));
$emu->reset();
Closte\add_domain('orphan.example.net');
foreach (array_keys(CLOSTE_LAB_DOMAINS) as $d) {
    Closte\add_domain($d);
}
Closte\add_domain('www.xn--bcher-kva.example');

// retry: re-sends now; a failure schedules a retry; a later retry supersedes it.
Closte\remove_domain('valid.example.test');
$emu->fault(['path' => 'adddomainalias', 'domain' => 'valid.example.test', 'status' => 503]);
$sent = count($emu->requests());
$r = $run(['closte', 'retry', 'valid.example.test']);
$pending = array_values(array_filter($t->pending(Closte_Native_Events::RETRY_HOOK), fn ($p) => ($p[0][1] ?? '') === 'valid.example.test'));
$t->check('retry: Closte did not take it: says so, a retry is scheduled, exit 1', $r['code'] === 1 && str_contains($r['err'], 'Closte did not take valid.example.test yet')
    && str_contains($r['err'], 'attempt 2 of 8 is scheduled') && !str_contains($r['err'], 'Try again') && count($pending) === 1 && $paths($sent) === ['/adddomainalias'], $show($r));
$r = $run(['closte', 'status', 'valid.example.test', '--fields=name,on_closte', '--format=json']);
$t->same('status: a pending retry shows, with its attempt', [['name' => 'valid.example.test', 'on_closte' => 'retry pending, attempt 2 of 8']], $json($r));
$sent = count($emu->requests());
$r = $run(['closte', 'retry', 'valid.example.test']);
$t->check('retry: on Closte now, exit 0', $r['code'] === 0 && str_contains($r['out'], 'Re-sent valid.example.test: on Closte.')
    && str_contains($r['out'], 'Success: Re-sent 1 domain: 1 name on Closte, 0 not.') && (new Closte_Native_Wanted())->all() === [], $show($r));
$sent = count($emu->requests());
$t->run_queue(Closte_Native_Events::RETRY_HOOK);
$t->check('retry: the retry it superseded is dropped when its time comes, nothing sent', $since($sent) === [] && str_contains($log(), 'add valid.example.test: retry dropped, superseded'), json_encode($since($sent)));
Closte\remove_domain('expiring.example.test');
$sent = count($emu->requests());
$r = $run(['closte', 'retry', '--all-missing']);
$t->check('retry --all-missing: one list read decides, the missing domain re-sent, exit 0', $r['code'] === 0 && str_contains($r['out'], 'Re-sent expiring.example.test: on Closte.')
    && $paths($sent) === ['/getdomains', '/adddomainalias', '/getdomains'], $show($r));
$r = $run(['closte', 'retry', '--all-missing']);
$t->check('retry --all-missing with nothing missing: says so, exit 0', $r['code'] === 0 && str_contains($r['out'], 'Nothing missing'), $show($r));
$r = $run(['closte', 'retry', 'nosuch.example.test']);
$t->check('retry of a name that is not mapped: a warning, nothing sent, exit 1', $r['code'] === 1 && str_contains($r['err'], 'nosuch.example.test is not a mapped domain'), $show($r));
$r = $run(['closte', 'retry']);
$t->check('retry with neither domains nor --all-missing: one error line, exit 1', $r['code'] === 1 && str_contains($r['err'], '--all-missing') && $r['out'] === '', $show($r));
$r = $run(['closte', 'retry', 'www.xn--bcher-kva.example']);
$t->check('retry of a www. twin: its domain, both names re-sent', $r['code'] === 0 && str_contains($r['out'], 'Re-sent bücher.example (xn--bcher-kva.example): on Closte.')
    && str_contains($r['out'], 'Re-sent 1 domain: 2 names on Closte, 0 not.'), $show($r));

// watch: one tick now.
$r = $run(['closte', 'watch']);
$tick = Closte_Native_Watcher::last_tick();
$t->check('watch: one tick over the waiting domains, its report, exit 0', $r['code'] === 0 && (bool) preg_match('/3 domains \(4 names\) checked in/', $r['out'])
    && ($tick['domains'] ?? null) === 3 && str_contains($r['out'], 'Success: Watcher tick done.'), $show($r));

// Without the key, without the extension: one error line, exit 1, for every subcommand.
$lines = [];
foreach ([['status'], ['refresh'], ['sync'], ['check', 'valid.example.test'], ['doctor', 'valid.example.test'], ['retry', '--all-missing'], ['watch']] as $args) {
    $a = $run(array_merge(['closte'], $args), ['env' => ['CLOSTE_WP_KEY' => null]]);
    $b = $run(array_merge(['closte'], $args), ['ext' => false]);
    $lines[$args[0]] = [$a['code'], $a['out'], substr_count(rtrim($a['err']), "\n"), str_contains($a['err'], 'Error: Closte (native) is inactive: the constant CLOSTE_CLIENT_API_KEY is not defined'),
        $b['code'], $b['out'], substr_count(rtrim($b['err']), "\n"), str_contains($b['err'], 'Error: Closte (native) is inactive: the closte PHP extension is not loaded')];
}
$t->same('without the key or the extension: one clear error line on stderr, nothing on stdout, exit 1 (every subcommand)',
    array_fill_keys(['status', 'refresh', 'sync', 'check', 'doctor', 'retry', 'watch'], [1, '', 0, true, 1, '', 0, true]), $lines);

// No mapped domain: the removal is refused, nothing sent; the watcher has nothing to do.
\WP_Ultimo\Models\Domain::double_reset();
$before = $listed();
$sent = count($emu->requests());
$r = $run(['closte', 'sync', '--remove-unlisted', '--yes']);
$t->check('sync --remove-unlisted with no mapped domain: refused, nothing changed (only the list read), exit 1', $r['code'] === 1 && str_contains($r['err'], 'no mapped domain was found')
    && $paths($sent) === ['/getdomains'] && $listed() === $before, $show($r));
$r = $run(['closte', 'watch']);
$t->check('watch with nothing waiting: says so, exit 0', $r['code'] === 0 && str_contains($r['out'], 'Nothing is waiting'), $show($r));
$r = $run(['closte', 'status', '--format=json', '--debug']);
$t->check('--debug: WP-CLI\'s own debug lines on stderr, the JSON alone on stdout', $r['code'] === 0 && is_array($json($r)) && str_contains($r['err'], 'Debug'), $show($r));

$t->check('the key is never printed (stdout and stderr of every run)', $outputs !== '' && !str_contains($outputs, $emu->key) && !str_contains($outputs, substr($emu->key, 8)));
// WP-CLI's own vendored libraries (mustache, on PHP 8.4+) raise deprecations that are not
// ours to fix: deprecations about files under the WP-CLI framework are left out, and counted.
$lines = preg_split('/\R/', $outputs);
$theirs = preg_grep('#Deprecated.*/vendor/wp-cli/#', $lines);
$ours = implode("\n", array_diff_key($lines, $theirs));
if ($theirs !== []) {
    echo 'note: ', count($theirs), " line(s) about WP-CLI's own vendored code, e.g. ", substr((string) reset($theirs), 0, 160), "\n";
}
$t->check('no PHP error, warning, notice or deprecation in any run\'s output (our code)', !preg_match('/PHP (Fatal|Parse|Warning|Notice|Deprecated)|^(Warning|Notice|Deprecated|Fatal error): .* in \//m', $ours),
    (string) (preg_match('/.*(PHP (Fatal|Parse|Warning|Notice|Deprecated)|^(Warning|Notice|Deprecated|Fatal error): .* in \/).*/m', $ours, $mm) ? $mm[0] : ''));
// Leave no work of this script in the queue for the scenarios after it.
foreach ([Closte_Native_Refresh::HOOK, Closte_Native_Refresh::CHUNK_HOOK, Closte_Native_Refresh::SWEEP_HOOK, Closte_Native_Events::RETRY_HOOK, Closte_Native_Watcher::HOOK] as $hook) {
    Closte_Native_Queue::action_scheduler() ? as_unschedule_all_actions($hook) : wp_unschedule_hook($hook);
}
// scripts/test-wordpress.sh checks that no log holds a key of key.txt (one per line, none empty).
$keys = rtrim((string) @file_get_contents(getenv('WU_LOG_DIR') . '/key.txt'));
file_put_contents(getenv('WU_LOG_DIR') . '/key.txt', ($keys === '' ? '' : "$keys\n") . $emu->key . "\n");
$t->finish();
