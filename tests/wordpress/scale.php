<?php
/*
 * The console at scale (CLI, real MariaDB, the real Action Scheduler 3.8.2 and its queue
 * runner in processes of their own, the emulator, the DNS server, a TLS lab): N domain
 * records (10,000; CLOSTE_SCALE_N) inserted in SQL. Refresh only enqueues; the plan reads
 * Closte's aliases once and writes chunks of 500; two runners take chunks at once; one is
 * killed in the middle of a chunk (after its DNS batch), Action Scheduler marks its action
 * failed after its timeout, and the sweep runs the chunk again: every name checked, the
 * table complete, certificates asked exactly once per name. Then the views' counts against
 * the lab's truth and the rows they list, search, sort, pagination, EXPLAIN (index, no
 * filesort), CSV = the view, bulk Retry and Re-check now, and 403 for a subscriber from
 * the page, the progress endpoint and the actions.
 * Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 */

require __DIR__ . '/scenario.inc';

$n = (int) (getenv('CLOSTE_SCALE_N') ?: 10000);
$certs = closte_certs();
$tls = closte_tls_server($certs, 'wildcard'); // *.example.test: valid for every name
$wrong = closte_tls_server($certs, 'valid'); // valid.example.test: the wrong host for any other

// The lab's truth, by rule: which names have DNS wrong, a wrong certificate, no alias, a waiting stage.
$name = fn (int $i) => "s$i.example.test";
$truth = ['dns' => [], 'certificate' => [], 'missing' => [], 'waiting' => [], 'expiring' => [], 'attention' => [], 'all' => []];
$zone = '';
$targets = [];
$records = [];
for ($i = 1; $i <= $n; $i++) {
    $d = $name($i);
    $dns_wrong = $i % 250 === 7;
    $cert_wrong = $i % 400 === 13;
    $missing = $i % 1000 === 99;
    $waiting = $i % 100 === 50;
    $zone .= "$d 300 A " . ($dns_wrong ? '203.0.113.9' : '198.51.100.7') . "\n";
    $targets[$d] = '127.0.0.1:' . parse_url(($cert_wrong ? $wrong : $tls)->url, PHP_URL_PORT);
    $records[] = [$d, $waiting ? 'checking-dns' : 'done'];
    $truth['all'][] = $d;
    $dns_wrong && $truth['dns'][] = $d;
    $cert_wrong && $truth['certificate'][] = $d;
    $missing && $truth['missing'][] = $d;
    $waiting && $truth['waiting'][] = $d;
    if ($missing || (!$waiting && ($dns_wrong || $cert_wrong))) {
        $truth['attention'][] = $d;
    }
}
$dns = new ClosteDns($zone);
$ssl_log = tempnam(sys_get_temp_dir(), 'closte-ssl-log-');
register_shutdown_function(fn () => @unlink($ssl_log));
[$t, $emu] = Scenario::start(['public_ip' => true, 'ini' => ['max_retries' => 0], 'action_scheduler' => 'real', 'reset' => true,
    'test_lab' => ['ca_file' => "$certs/ca.pem", 'targets' => $targets, 'nameservers' => [$dns->addr], 'ssl_log' => $ssl_log]]);
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'never']);
\WP_Ultimo\Models\Domain::double_insert($records);
Closte\add_domains(array_values(array_diff($truth['all'], $truth['missing'])), ['concurrency' => 32]);
// An install upgraded from 0.3.0 (no tables; its status snapshot in a site transient and a copy
// of the certificate alerts in a network option): every table comes on the first use, the
// leftovers go, the version is set.
$table = new Closte_Native_Status_Table();
$tables = [$table->name(), $table->runs_name(), $table->run_chunks_name(), $table->run_aliases_name(), $wpdb->base_prefix . 'closte_claims',
    (new Closte_Native_Wanted())->name(), (new Closte_Native_Watched())->name()];
foreach ($tables as $gone) {
    $wpdb->query("DROP TABLE IF EXISTS $gone");
}
delete_network_option(null, Closte_Native_Status_Table::SCHEMA_OPTION);
set_site_transient('closte_native_status', ['checked_at' => 1]);
update_network_option(null, Closte_Native_Reconcile::ALERTS_OPTION, ['at' => 1, 'alerts' => []]);
$has = fn () => [count(array_filter($tables, fn ($name) => $wpdb->get_var($wpdb->prepare('SHOW TABLES LIKE %s', $name)) === $name)),
    get_site_transient('closte_native_status'), get_network_option(null, Closte_Native_Reconcile::ALERTS_OPTION, false), (int) get_network_option(null, Closte_Native_Status_Table::SCHEMA_OPTION)];
$before_upgrade = $has();
$none = Closte_Native_Refresh::run(); // its first use installs
$t->same('0.3.0 → schema ' . Closte_Native_Status_Table::SCHEMA . ': every table created on the first use, the snapshot and the alerts copy gone, the version set',
    [[0, ['checked_at' => 1], ['at' => 1, 'alerts' => []], 0], [count($tables), false, false, Closte_Native_Status_Table::SCHEMA], null], [$before_upgrade, $has(), $none]);
closte_test_forget();
$actions = $wpdb->base_prefix . 'actionscheduler_actions';
// The runners run every due action of the group: what earlier scenarios left waits no more.
$wpdb->query("UPDATE $actions SET status = 'canceled' WHERE status IN ('pending', 'in-progress')");
wp_set_current_user(1);

// The click only enqueues.
$sent = count($emu->requests());
$dns->stats(true);
$r = $t->action('refresh');
$t->same('Refresh: the click answers at once with a notice, and sends nothing', [302, 'info', [], 0],
    [$r['status'], $r['notice']['type'] ?? null, array_slice($emu->requests(), $sent), $dns->stats()['queries']]);
$t->same('Refresh: one plan action enqueued, in the closte-native group', 1, count(array_filter($t->pending(Closte_Native_Refresh::HOOK), fn ($a) => $a[2] === 'closte-native')));
$run = Closte_Native_Refresh::run();
$t->run_queue(Closte_Native_Refresh::HOOK);
$chunks = (int) ceil($n / 500);
$steps = array_map(fn ($a) => json_decode($a, true), $wpdb->get_col($wpdb->prepare("SELECT args FROM $actions WHERE hook = %s AND status = 'complete' AND args LIKE %s ORDER BY action_id",
    Closte_Native_Refresh::HOOK, '[' . $run['id'] . '%')));
// Each step reads PLAN_RECORDS records, the first PLAN_OVERLAP of them read by the step before.
$chain = [[$run['id']]];
for ($at = Closte_Native_Refresh::PLAN_RECORDS; $at < $n; $at += Closte_Native_Refresh::PLAN_RECORDS - Closte_Native_Refresh::PLAN_OVERLAP) {
    $chain[] = [$run['id'], $at, $at];
}
$t->same(sprintf('plan: a chain of steps of %s records each (%d steps), each step one action', number_format(Closte_Native_Refresh::PLAN_RECORDS), count($chain)), $chain, $steps);
$pending = array_map(fn ($a) => $a[0], $t->pending(Closte_Native_Refresh::CHUNK_HOOK));
$t->same("plan: one list read at Closte, then $chunks chunk actions of 500 names", [['/getdomains'], array_map(fn ($c) => [$run['id'], $c, 1], range(0, $chunks - 1))],
    [array_column(array_slice($emu->requests(), $sent), 'path'), $pending]);
$sizes = $wpdb->get_col('SELECT COUNT(*) FROM ' . $table->name() . ' GROUP BY chunk ORDER BY chunk');
$t->same('plan: every name is a row, 500 to a chunk, before any check', [$n, array_fill(0, $chunks, (string) 500), 0],
    [(int) $wpdb->get_var('SELECT COUNT(*) FROM ' . $table->name()), $sizes, $dns->stats()['queries']]);
$progress = (new Closte_Native_Refresh())->progress();
$t->same('progress: "0 of N checked, 0 runners" before any runner', sprintf('0 of %s checked, 0 runners', number_format($n)), $progress['text']);

// Two runners (web nodes) at once; node-a dies in the middle of its third chunk.
$php = preg_split('/\s+/', trim((string) getenv('CLOSTE_WP_PHP')));
$marker = tempnam(sys_get_temp_dir(), 'closte-stall-');
unlink($marker);
$spawn = fn (string $ctx, array $env) => proc_open(array_merge($php, [__DIR__ . '/runner.php', $ctx, '--until-idle']), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env + getenv());
$a = $spawn('node-a', ['CLOSTE_TEST_STALL' => $marker, 'CLOSTE_TEST_STALL_AFTER' => '2']);
$b = $spawn('node-b', []);
$seen = null;
// Until node-a reaches its third chunk (a state in the database, not a server).
$t->wait(function () use ($marker, $a, &$seen) {
    $seen ??= preg_match('/^[\d,]+ of [\d,]+ checked, [12] runners?$/', (new Closte_Native_Refresh())->progress()['text']) ? (new Closte_Native_Refresh())->progress()['text'] : null;
    return is_file($marker) || !proc_get_status($a)['running'];
}, 300, 0.02);
$stalled = is_file($marker) ? array_filter(explode("\n", (string) file_get_contents($marker))) : [];
$progress_mid = (new Closte_Native_Refresh())->progress();
proc_terminate($a, 9); // SIGKILL: the worker dies, its action stays in-progress
proc_close($a);
$t->check('node-a died in the middle of a chunk (after its DNS batch)', count($stalled) === 500, 'stalled on ' . count($stalled) . ' names');
$t->check('progress while running: "X of N checked, R runners"', $seen !== null || (bool) preg_match('/checked, \d runners?$/', $progress_mid['text']), json_encode([$seen, $progress_mid]));
proc_close($b); // node-b runs until nothing is due, then exits
wp_cache_flush();
$victim = $wpdb->get_row("SELECT * FROM $actions WHERE hook = 'closte_native_refresh_chunk' AND status = 'in-progress'", ARRAY_A);
$t->check('node-b took every other chunk; the dead worker\'s chunk is left in-progress', $victim !== null
    && $table->unfinished_chunks((int) $run['id']) === [(int) json_decode($victim['args'], true)[1]], json_encode([$victim, $table->unfinished_chunks((int) $run['id'])]));
$logs = $wpdb->get_results("SELECT l.message, COUNT(*) AS n FROM {$wpdb->base_prefix}actionscheduler_logs l JOIN $actions a ON a.action_id = l.action_id
    WHERE a.hook = 'closte_native_refresh_chunk' AND l.message LIKE 'action started via %' GROUP BY l.message", ARRAY_A);
$by = array_column($logs, 'n', 'message');
$t->check('both nodes\' runners took chunks (Action Scheduler\'s log: started via node-a, via node-b)', ((int) ($by['action started via node-a'] ?? 0)) >= 3 && ((int) ($by['action started via node-b'] ?? 0)) >= 1, json_encode($by));

// Action Scheduler's own recovery: a running action older than its failure period is
// marked failed by the next runner's cleanup (never retried by it). The sweep then
// enqueues the chunk again. Time is moved in the tables, not waited for.
$wpdb->query($wpdb->prepare("UPDATE $actions SET last_attempt_gmt = UTC_TIMESTAMP() - INTERVAL 20 MINUTE, last_attempt_local = NOW() - INTERVAL 20 MINUTE WHERE action_id = %d", $victim['action_id'] ?? 0));
$wpdb->query("UPDATE $actions SET scheduled_date_gmt = UTC_TIMESTAMP() - INTERVAL 1 SECOND, scheduled_date_local = NOW() - INTERVAL 1 SECOND WHERE hook = 'closte_native_refresh_sweep' AND status = 'pending'");
$c = $spawn('node-b', []);
proc_close($c);
wp_cache_flush(); // this process's cache of the options the runners changed
$t->same("the dead worker's action is marked failed by Action Scheduler; the sweep ran the chunk again (attempt 2), complete",
    ['failed', 'complete'], [$wpdb->get_var($wpdb->prepare("SELECT status FROM $actions WHERE action_id = %d", $victim['action_id'] ?? 0)),
        $wpdb->get_var($wpdb->prepare("SELECT status FROM $actions WHERE hook = 'closte_native_refresh_chunk' AND args = %s", wp_json_encode([(int) $run['id'], (int) json_decode($victim['args'] ?? '[0,0]', true)[1], 2])))]);
$log = (string) @file_get_contents(getenv('WU_LOG_DIR') . '/integration-closte.log');
$t->check('the re-run is logged', str_contains($log, 'had no worker left (its action failed or vanished): enqueued again, attempt 2'));
$run = Closte_Native_Refresh::run();
$t->same('the run is finished and every name is checked in it', [true, $n, 0],
    [!empty($run['finished_at']), (int) $wpdb->get_var($wpdb->prepare('SELECT COUNT(*) FROM ' . $table->name() . ' WHERE checked_run = %d AND dns_checked_at IS NOT NULL AND cert_checked_at IS NOT NULL', $run['id'])),
        (int) $wpdb->get_var('SELECT COUNT(*) FROM ' . $table->name() . ' WHERE dns_ok IS NULL OR cert_valid IS NULL')]);
$asked = array_filter(explode("\n", (string) file_get_contents($ssl_log)));
$t->same('TLS lab: every name\'s certificate asked exactly once', [$n, $n], [count($asked), count(array_unique($asked))]);
$t->same('DNS server: every name asked once (A and AAAA), the killed chunk\'s names twice (its DNS batch ran before it died)', 2 * ($n + 500), $dns->stats()['addresses']);
$t->same('Closte: one list read for the whole refresh', ['/getdomains'], array_column(array_slice($emu->requests(), $sent), 'path'));
$t->check('progress when done: "Last checked … N names in … s"', (bool) preg_match('/^Last checked .* UTC\): ' . preg_quote(number_format($n), '/') . ' names in [\d.]+ s\.$/', (new Closte_Native_Refresh())->progress()['text']),
    (new Closte_Native_Refresh())->progress()['text']);

// The views: counts against the lab's truth, and each view lists exactly its count's rows.
$counts = $table->counts();
$t->same('views: counts equal the lab\'s truth', array_map('count', ['all' => $truth['all'], 'attention' => $truth['attention'], 'dns' => $truth['dns'], 'certificate' => $truth['certificate'],
    'expiring' => $truth['expiring'], 'missing' => $truth['missing'], 'waiting' => $truth['waiting']]), $counts);
$list = function (string $view, string $s = '', string $orderby = 'name', string $order = 'asc', int $per = 1000) use ($table): array {
    $out = [];
    for ($p = 1;; $p++) {
        [$rows, $total] = $table->page($view, $s, $orderby, $order, $per, $p);
        $out = array_merge($out, array_column($rows, 'name'));
        if (count($rows) < $per) {
            return [$out, $total];
        }
    }
};
$ok = true;
foreach ($truth as $view => $names) {
    [$listed, $total] = $list($view);
    $a1 = $listed;
    sort($a1);
    $b1 = $names;
    sort($b1);
    if ($a1 !== $b1 || $total !== count($names) || $total !== $counts[$view]) {
        $ok = false;
        echo "view $view: listed " . count($listed) . ", total $total, truth " . count($names) . "\n";
    }
}
$t->check('views: each lists exactly the names of the truth, as many as its count', $ok);
[$asc] = $list('dns');
[$desc] = $list('dns', '', 'name', 'desc');
[$paged] = $list('dns', '', 'name', 'asc', 7);
$t->check('sort and pagination: descending is ascending reversed; pages of 7 add up to the same list, no row twice', $asc === array_reverse($desc) && $paged === $asc && count(array_unique($paged)) === count($truth['dns']));
[$found] = $list('all', 's1234.');
$t->same('search: by domain', $n >= 1234 ? ['s1234.example.test'] : [], $found);
[$none] = $list('all', 'no-such-site');
$t->same('search: nothing found for a name no domain or site holds', [], $none);

// One indexed query with LIMIT per page: EXPLAIN shows the index and no filesort.
$explain = function (string $view, string $orderby, string $order) use ($wpdb, $table): array {
    $e = $wpdb->get_row('EXPLAIN ' . $table->select_sql($view, '', $orderby, $order, 50, 100), ARRAY_A);
    return [(string) $e['key'], str_contains((string) $e['Extra'], 'filesort')];
};
foreach ([['attention', 'name', 'asc', 'f_attention'], ['missing', 'name', 'desc', 'f_missing'], ['dns', 'name', 'asc', 'f_dns'], ['waiting', 'name', 'asc', 'f_waiting'],
    ['all', 'name', 'asc', 'domain'], ['all', 'site', 'asc', 'site'], ['all', 'stage', 'desc', 'stage'], ['all', 'expires', 'asc', 'cert_expires']] as [$view, $by, $order, $key]) {
    $t->same("EXPLAIN: view $view sorted by $by $order uses index $key, no filesort", [$key, false], $explain($view, $by, $order));
}

// The page: 50 rows by default, from one page query; memory does not grow with N.
$before = memory_get_usage();
$started = microtime(true);
$_GET = $_REQUEST = ['view' => 'attention'];
$page = $t->console_page();
$_GET = $_REQUEST = [];
$ms = (microtime(true) - $started) * 1000;
$rows = Harness::table_rows($page);
$t->check('page: the Needs attention view, 50 rows, its count in the view links', count($rows) === min(50, count($truth['attention'])) && array_diff(array_keys($rows), $truth['attention']) === []
    && str_contains($page, 'Needs attention <span class="count">(' . count($truth['attention']) . ')'), count($rows) . ' rows');
$t->check(sprintf('page: rendered in %.0f ms, %.1f MB more memory (bounded, not N rows)', $ms, (memory_get_usage() - $before) / 1048576), $ms < 10000 && memory_get_usage() - $before < 16 * 1048576);

// CSV export = the view.
$out = fopen('php://memory', 'w+');
$written = (new Closte_Native_Console())->export($out, ['view' => 'dns', 's' => '', 'orderby' => 'name', 'order' => 'asc']);
rewind($out);
$csv = [];
while (($line = fgetcsv($out)) !== false) {
    $csv[] = $line;
}
$t->same('CSV: the header, then the view\'s rows in its order', [Closte_Native_Console::CSV_COLUMNS, $asc, count($asc)], [$csv[0] ?? null, array_column(array_slice($csv, 1), 0), $written]);
$t->same('CSV: a DNS verdict as the table holds it', ['0', 'points_elsewhere', '203.0.113.9'], array_slice($csv[1] ?? [], 7, 3) === [] ? null : [$csv[1][7], $csv[1][8], $csv[1][10]]);

// Bulk Retry and Re-check now.
$picked = array_slice($truth['missing'], 0, 3);
sort($picked);
$sent = count($emu->requests());
$r = $t->action('bulk', ['bulk' => 'retry', 'names' => $picked]);
$added = array_column(array_column(array_filter(array_slice($emu->requests(), $sent), fn ($x) => $x['path'] === '/adddomainalias'), 'form'), 'domain');
sort($added);
$t->same('bulk Retry: exactly the ticked names sent to Closte, the Missing view down by them', [$picked, count($truth['missing']) - count($picked), 'success'],
    [$added, $table->counts()['missing'], $r['notice']['type'] ?? null]);
// The admin comes back to the view, search, sort and page the bulk action was posted from:
// the page's bulk form carries them, the redirect goes to them.
$_GET = $_REQUEST = ['view' => 'dns', 's' => 'example', 'orderby' => 'site', 'order' => 'desc', 'paged' => '2'];
$form = $t->console_page();
$_GET = $_REQUEST = [];
preg_match_all('#<input type="hidden" name="closte_(view|s|orderby|order|paged)" value="([^"]*)">#', $form, $m);
$t->same('bulk: the table\'s form carries the view, search, sort and page', ['view' => 'dns', 's' => 'example', 'orderby' => 'site', 'order' => 'desc', 'paged' => '2'],
    array_combine($m[1], $m[2]));
$dns->stats(true);
$r = $t->action('bulk', ['bulk' => 'recheck', 'names' => array_slice($truth['dns'], 0, 2),
    'closte_view' => 'dns', 'closte_s' => 'a b&c', 'closte_orderby' => 'site', 'closte_order' => 'desc', 'closte_paged' => '2']);
parse_str((string) parse_url((string) ($r['location'] ?? ''), PHP_URL_QUERY), $back);
$t->same('bulk: after the action the admin is back on that view, search, sort and page', ['page' => Closte_Native_Console::SLUG, 'view' => 'dns', 's' => 'a b&c', 'orderby' => 'site', 'order' => 'desc', 'paged' => '2'], $back);
$t->same('bulk Re-check now: one DNS batch for the ticked names, said in a notice', [4, 'Re-checked 2 names: DNS and certificate.'], [$dns->stats()['addresses'], $r['notice']['message'] ?? null]);

// A subscriber: 403 from the page, the progress endpoint and every action, nothing sent.
$uid = username_exists('scale-subscriber') ?: wp_create_user('scale-subscriber', 'subscriber-password', 'scale-subscriber@example.test');
add_user_to_blog(1, $uid, 'subscriber');
$console = new Closte_Native_Console();
$_REQUEST['_wpnonce'] = wp_create_nonce(Closte_Native_Console::PROGRESS_ACTION);
$admin = $t->request(fn () => $console->progress(), true);
$t->check('progress endpoint: a network admin gets the progress as JSON', $admin['status'] === 200 && str_contains($admin['body'], '"state":"done"'), json_encode($admin));
wp_set_current_user($uid);
$_REQUEST['_wpnonce'] = wp_create_nonce(Closte_Native_Console::PROGRESS_ACTION);
$sub = $t->request(fn () => $console->progress(), true);
$_REQUEST = [];
$page = $t->request(fn () => $console->render());
$sent = count($emu->requests());
$statuses = [];
foreach (Closte_Native_Console::ACTIONS as $action) {
    $statuses[$action] = $t->action($action, ['names' => $picked, 'bulk' => 'retry', 'domain' => $picked[0], 'confirm' => 'remove'])['status'];
}
$t->same('a subscriber: 403 from the progress endpoint, the page and every action; nothing sent, nothing queued', [403, 403, array_fill_keys(Closte_Native_Console::ACTIONS, 403), [], []],
    [$sub['status'], $page['status'], $statuses, array_slice($emu->requests(), $sent), $t->pending(Closte_Native_Refresh::HOOK)]);
wp_set_current_user(1);

// After a console action the On Closte column comes from one list read (set_aliases): at
// 10,000 rows only the rows whose answer changed are written (MariaDB's Handler_update
// counts row writes; rewriting every row, as before, was 2 per row), and the aliases no row
// claims come back. From an unknown state (the list could not be read) every row is set.
$on = fn (int $v) => $wpdb->get_col($wpdb->prepare('SELECT name FROM ' . $table->name() . ' WHERE on_closte = %d ORDER BY name', $v));
$listed_before = $on(1);
$gone = $wpdb->get_col('SELECT name FROM ' . $table->name() . ' WHERE on_closte = 1 AND wanted = 1 AND invalid IS NULL ORDER BY name LIMIT 3'); // removed on Closte's side
$back = $wpdb->get_col('SELECT name FROM ' . $table->name() . ' WHERE f_missing = 1 ORDER BY name LIMIT 2'); // added on Closte's side
$missing_view = $table->counts()['missing'];
$list = array_merge(['stray1.example.net'], array_values(array_diff($listed_before, $gone)), $back, ['stray2.example.net']);
$writes = fn () => (int) $wpdb->get_row("SHOW SESSION STATUS LIKE 'Handler_update'", ARRAY_N)[1];
$w0 = $writes();
$strays = $table->set_aliases($list);
$written = $writes() - $w0;
$expect_listed = array_values(array_diff(array_merge($listed_before, $back), $gone));
sort($expect_listed);
$t->same('set_aliases: the changed rows flip, the others keep theirs, the Missing view follows, the unclaimed aliases come back in the list\'s order',
    [$expect_listed, $missing_view - 2 + 3, ['stray1.example.net', 'stray2.example.net']],
    [$on(1), $table->counts()['missing'], $strays]);
$t->check("set_aliases: 5 rows changed of $n, $written row writes (not one per row)", $written > 0 && $written <= 4 * 5, (string) $written);
$table->set_aliases(null);
$unknown = (int) $wpdb->get_var('SELECT COUNT(*) FROM ' . $table->name() . ' WHERE on_closte IS NULL');
$table->set_aliases($list);
$t->same('set_aliases: an unknown list makes every row unknown; the next list read sets every row again', [(int) $wpdb->get_var('SELECT COUNT(*) FROM ' . $table->name()), $expect_listed, 0],
    [$unknown, $on(1), (int) $wpdb->get_var('SELECT COUNT(*) FROM ' . $table->name() . ' WHERE on_closte IS NULL')]);

// The run record: each process writes only its own fields. Two finishers: exactly one wins;
// a chunk's attempts counted by the database; a later write of another field (a sweep's
// attempt, the unclaimed list) leaves finished_at as it was.
$runs = new Closte_Native_Runs();
$rid = $runs->start('test');
$first = Closte_Native_Refresh::run();
$wins = [$runs->finish($rid, 1.0), $runs->finish($rid, 2.0)];
$attempts = [$runs->attempt($rid, 3), $runs->attempt($rid, 3), $runs->attempt($rid, 4)];
$runs->unclaimed($rid, ['x.example.net'], 1);
$after = Closte_Native_Refresh::run();
$t->same('runs: a new run is the current one; of two finishers one wins; attempts 2, 3 (and 2 for another chunk); finished_at survives later writes',
    [$rid, null, [true, false], [2, 3, 2], true, 1.0, ['x.example.net']],
    [$first['id'], $first['finished_at'], $wins, $attempts, $after['finished_at'] !== null, $after['elapsed_ms'], $after['unclaimed']]);
$t->same('runs: the current run and the one before it are kept', 2, (int) $wpdb->get_var('SELECT COUNT(*) FROM ' . $table->runs_name()));
// An older run's last plan step removes older rows only: a newer run's rows stay.
$table->upsert([['name' => 'newer.example.test', 'domain' => 'newer.example.test', 'run' => $rid + 1], ['name' => 'older.example.test', 'domain' => 'older.example.test', 'run' => $rid - 1]]);
$table->delete_other_runs($rid);
$t->same('runs: delete_other_runs keeps a newer run\'s rows', ['newer.example.test'], $wpdb->get_col('SELECT name FROM ' . $table->name() . " WHERE name IN ('newer.example.test', 'older.example.test')"));
$wpdb->query('DELETE FROM ' . $table->name() . " WHERE name = 'newer.example.test'");

// Remove unclaimed's comparison reads the records in one consistent snapshot: a record
// deleted by another process while the walk is at page 3 (one it had read) does not shift
// the later pages, so no record goes unread and no claimed alias looks unclaimed.
$domains_t = \WP_Ultimo\Models\Domain::double_table();
$first = $wpdb->get_row("SELECT * FROM $domains_t ORDER BY id LIMIT 1", ARRAY_A);
$aliases_now = Closte\list_domain_names();
$unclaimed_before = (new Closte_Native_Inventory())->compare($aliases_now)['unclaimed'];
$other = new wpdb(DB_USER, DB_PASSWORD, DB_NAME, DB_HOST); // another process's connection
$deleted = false;
$meddle = function ($q) use (&$deleted, $other, $domains_t, $first) {
    if (!$deleted && str_contains($q, "FROM $domains_t") && str_contains($q, 'LIMIT 500 OFFSET 1000')) {
        $deleted = (bool) $other->query($other->prepare("DELETE FROM $domains_t WHERE id = %d", $first['id']));
    }
    return $q;
};
add_filter('query', $meddle);
$during = (new Closte_Native_Inventory())->compare($aliases_now);
remove_filter('query', $meddle);
$other->insert($domains_t, $first); // put back
$t->same('compare: a record deleted mid-walk by another connection makes no claimed alias look unclaimed (one snapshot)', [true, $unclaimed_before],
    [$deleted, $during['unclaimed']]);

// A plan step whose worker died: the sweep enqueues it again from where the last step
// stopped; every name is planned once, each chunk enqueued once. Steps of 2,000 records.
$small = fn () => 2000;
add_filter('closte_native_plan_records', $small);
$rid = Closte_Native_Refresh::start('test');
$wpdb->query($wpdb->prepare("UPDATE $actions SET status = 'canceled' WHERE hook = %s AND status = 'pending'", Closte_Native_Refresh::HOOK));
Closte_Native_Queue::schedule(Closte_Native_Refresh::SWEEP_HOOK, [$rid - 1], 60); // an older run's sweep, still pending
do_action(Closte_Native_Refresh::HOOK, $rid); // the first step, here (its action's handler, in this process)
$planning = $t->console_page();
$t->check('a page shown between plan steps says so, polls, and offers a Reload link', (bool) preg_match('/id="closte-native-progress" data-state="planning"[^>]*>Reading the domain records: [\d,]+ names so far\./', $planning)
    && str_contains($planning, 'closte-native-reload') && str_contains($planning, 'closte_native_progress'), substr($planning, (int) strpos($planning, 'closte-native-progress') - 20, 400));
$sweeps = fn () => count(array_filter(Closte_Native_Queue::waiting(Closte_Native_Refresh::SWEEP_HOOK, true), fn ($a) => (int) ($a[0] ?? 0) === $rid));
$sweeps_after_plan = $sweeps();
$next = $wpdb->get_row($wpdb->prepare("SELECT action_id, args FROM $actions WHERE hook = %s AND status = 'pending' AND args LIKE %s", Closte_Native_Refresh::HOOK, '[' . $rid . ',%'), ARRAY_A);
// The second step's worker wrote its rows and enqueued its chunks, then died before saving
// where it stopped: its rows stay, what it would have enqueued after them does not.
$mark = (int) $wpdb->get_var("SELECT MAX(action_id) FROM $actions");
do_action(Closte_Native_Refresh::HOOK, $rid, 2000, 2000);
$wpdb->query($wpdb->prepare('UPDATE ' . $table->runs_name() . ' SET plan_offset = 2000, total = 2000 WHERE id = %d', $rid));
$wpdb->query($wpdb->prepare("DELETE FROM $actions WHERE action_id > %d", $mark)); // its chunks and next step: never enqueued
$wpdb->query($wpdb->prepare("UPDATE $actions SET status = 'failed' WHERE action_id = %d", $next['action_id'] ?? 0)); // Action Scheduler marked it failed
$sweeper = new Closte_Native_Refresh();
$sweeper->sweep($rid);
$sweeps_after_sweep = $sweeps();
// The pending sweep starts (no longer pending): the sweep it runs schedules the next one.
$wpdb->query($wpdb->prepare("UPDATE $actions SET status = 'in-progress' WHERE hook = %s AND status = 'pending' AND args = %s", Closte_Native_Refresh::SWEEP_HOOK, wp_json_encode([$rid])));
$sweeper->sweep($rid);
$t->same('sweep: the run has its own pending sweep despite an older run\'s, never two, and a running sweep schedules the next', [1, 1, 1],
    [$sweeps_after_plan, $sweeps_after_sweep, $sweeps()]);
$restarted_early = count($wpdb->get_col($wpdb->prepare("SELECT action_id FROM $actions WHERE hook = %s AND status = 'pending' AND args LIKE %s", Closte_Native_Refresh::HOOK, '[' . $rid . ',%')));
$wpdb->query($wpdb->prepare('UPDATE ' . $table->runs_name() . ' SET plan_at = plan_at - %d WHERE id = %d', Closte_Native_Refresh::SWEEP_EVERY, $rid));
$sweeper->sweep($rid);
$again = $wpdb->get_col($wpdb->prepare("SELECT args FROM $actions WHERE hook = %s AND status = 'pending' AND args LIKE %s", Closte_Native_Refresh::HOOK, '[' . $rid . ',%'));
$t->same('plan step died: no restart while the last step is fresh, then the sweep enqueues it again from record 2,000', [0, [wp_json_encode([$rid, 2000, 2000])]], [$restarted_early, $again]);
$t->run_queue(Closte_Native_Refresh::HOOK);
remove_filter('closte_native_plan_records', $small);
$chunk_args = array_map(fn ($a) => json_decode($a, true), $wpdb->get_col($wpdb->prepare("SELECT args FROM $actions WHERE hook = %s AND args LIKE %s ORDER BY action_id", Closte_Native_Refresh::CHUNK_HOOK, '[' . $rid . ',%')));
$t->same('plan step died: every name planned once, 500 to a chunk, each chunk enqueued once, the plan done',
    [$n, array_fill(0, $chunks, (string) 500), array_map(fn ($c) => [$rid, $c, 1], range(0, $chunks - 1)), true, $n],
    [(int) $wpdb->get_var($wpdb->prepare('SELECT COUNT(*) FROM ' . $table->name() . ' WHERE run = %d', $rid)),
        $wpdb->get_col($wpdb->prepare('SELECT COUNT(*) FROM ' . $table->name() . ' WHERE run = %d GROUP BY chunk ORDER BY chunk', $rid)), $chunk_args,
        Closte_Native_Refresh::run()['planned'], Closte_Native_Refresh::run()['total']]);
$log = (string) @file_get_contents(getenv('WU_LOG_DIR') . '/integration-closte.log');
$t->check('plan step died: the restart is logged', str_contains($log, "refresh: the plan of run $rid had no worker left (its action failed or vanished): enqueued again from record 2000"));
$wpdb->query($wpdb->prepare("UPDATE $actions SET status = 'canceled' WHERE status = 'pending' AND args LIKE %s", '[' . $rid . '%'));
// And the older run's sweep this test scheduled: due in a minute, it would run in the next scenario's queue.
$wpdb->query($wpdb->prepare("UPDATE $actions SET status = 'canceled' WHERE status = 'pending' AND hook = %s AND args = %s", Closte_Native_Refresh::SWEEP_HOOK, wp_json_encode([$rid - 1])));
delete_network_option(null, 'closte_test_lab'); // its emulator ends with this script
$t->finish();
