<?php
/*
 * The refresh on two web nodes (scripts/test-wordpress.sh start_web: two php-fpm pools,
 * node-a and node-b, each its own workers, on the one MariaDB, behind the one nginx), each
 * node running its own Action Scheduler runner loop over HTTP (tests/wordpress/runner.php
 * --http: every request runs the real Action Scheduler 3.8.2 queue runner in that node's
 * pool, tests/wordpress/lab-plugin.php). N names (5,000; CLOSTE_NODES_N), one domain record each.
 *   1. A refresh checks each name exactly once (request counts at the emulator, the DNS
 *      server and the TLS lab), both nodes' runners taking chunks.
 *   2. A refresh where node-a's worker is killed (SIGKILL) in the middle of its first chunk of the run,
 *      after its DNS batch: the other chunks go on; then the two nodes' runners clean up the
 *      same dead action at the same moment (held together just before Action Scheduler's
 *      UPDATE that marks it failed), and one of them dies inside Action Scheduler
 *      ("Unidentified action …: we were unable to mark this action as having failed");
 *      the sweep still runs the chunk again: every name checked, the table complete.
 *   3. The daily reconcile with 600 names missing on Closte: each posted exactly once, by
 *      the chunks of both nodes, the rows and counts say so.
 * Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 */

require __DIR__ . '/scenario.inc';

$n = (int) (getenv('CLOSTE_NODES_N') ?: 5000);
$port = (int) getenv('CLOSTE_WP_PROXY_PORT');
$certs = closte_certs();
$tls = closte_tls_server($certs, 'wildcard');
$names = [];
$zone = '';
$targets = [];
for ($i = 1; $i <= $n; $i++) {
    $names[] = $d = "n$i.example.test";
    $zone .= "$d 300 A 198.51.100.7\n";
    $targets[$d] = '127.0.0.1:' . parse_url($tls->url, PHP_URL_PORT);
}
$dns = new ClosteDns($zone);
// The emulator with the key the php-fpm pools have.
[$t, $emu] = Scenario::start(['emulator_key' => getenv('CLOSTE_WP_KEY'), 'ini' => ['max_retries' => 0], 'action_scheduler' => 'real', 'reset' => true]);
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'never']);
\WP_Ultimo\Models\Domain::double_insert($names);
Closte\add_domains($names, ['concurrency' => 32]);
$work = sys_get_temp_dir() . '/closte-nodes-' . bin2hex(random_bytes(4));
mkdir($work);
register_shutdown_function(function () use ($work) {
    foreach (glob("$work/{,*/}*", GLOB_BRACE) ?: [] as $f) {
        is_dir($f) ? @rmdir($f) : @unlink($f);
    }
    foreach (glob("$work/*") ?: [] as $f) {
        @rmdir($f);
    }
    @rmdir($work);
});
$lab = ['api_url' => $emu->api, 'ca_file' => "$certs/ca.pem", 'targets' => $targets, 'nameservers' => [$dns->addr], 'ssl_log' => "$work/ssl.log",
    'runner_token' => bin2hex(random_bytes(16)), 'deaths' => "$work/deaths.log",
    // Armed when the directory exists (a file, not the option: a runner request that read
    // the option before it changed must still meet the barrier).
    'barrier' => "$work/barrier",
    // Armed when the directory exists: the first chunk a node starts waits for the other node's first (lab-plugin.php).
    'spread' => "$work/spread"];
update_network_option(null, 'closte_test_lab', $lab);
register_shutdown_function(fn () => delete_network_option(null, 'closte_test_lab')); // its servers end with this script, even on a fatal error
closte_test_forget();
$table = new Closte_Native_Status_Table();
$actions = $wpdb->base_prefix . 'actionscheduler_actions';
$wpdb->query("UPDATE $actions SET status = 'canceled' WHERE status IN ('pending', 'in-progress')");
wp_set_current_user(1);

// Each node's runner loop, over HTTP through nginx to that node's pool.
$php = preg_split('/\s+/', trim((string) getenv('CLOSTE_WP_PHP')));
$loops = [];
foreach (['node-a', 'node-b'] as $node) {
    $loops[$node] = proc_open(array_merge($php, [__DIR__ . '/runner.php', $node, '--http', (string) $port]), [1 => ['file', "$work/$node.out", 'w'], 2 => ['file', "$work/$node.err", 'w']],
        $pipes, null, ['CLOSTE_TEST_RUNNER_TOKEN' => $lab['runner_token']] + getenv());
}
register_shutdown_function(function () use (&$loops) {
    foreach ($loops as $p) {
        proc_terminate($p, 9);
        proc_close($p);
    }
});
$run_started_via = function (int $id) use ($wpdb, $actions): array {
    $rows = $wpdb->get_results($wpdb->prepare("SELECT a.action_id, l.message FROM {$wpdb->base_prefix}actionscheduler_logs l JOIN $actions a ON a.action_id = l.action_id
        WHERE a.hook = %s AND a.args LIKE %s AND l.message LIKE 'action started via %%'", Closte_Native_Refresh::CHUNK_HOOK, '[' . $id . ',%'), ARRAY_A);
    $by = [];
    foreach ($rows as $r) {
        $by[substr($r['message'], strlen('action started via '))][] = (int) $r['action_id'];
    }
    ksort($by);
    return $by;
};
$checked = fn (int $id) => (int) $wpdb->get_var($wpdb->prepare('SELECT COUNT(*) FROM ' . $table->name() . ' WHERE checked_run = %d AND dns_checked_at IS NOT NULL AND cert_checked_at IS NOT NULL', $id));
$asked = fn () => array_filter(explode("\n", (string) @file_get_contents("$work/ssl.log")));
$chunks = (int) ceil($n / Closte_Native_Refresh::chunk_size());

// 1. A refresh through the two nodes: each name checked exactly once.
$sent = count($emu->requests());
$dns->stats(true);
mkdir("$work/spread"); // armed: each node's first chunk waits until the other node has one
$started = microtime(true);
$r = $t->action('refresh');
$id = (int) (Closte_Native_Refresh::run()['id'] ?? 0);
$done = $t->wait(fn () => !empty(Closte_Native_Refresh::run()['finished_at']), 600);
$elapsed = microtime(true) - $started;
array_map('unlink', glob("$work/spread/*") ?: []);
rmdir("$work/spread"); // disarmed
$t->check(sprintf('two nodes: the refresh of %s names finished (click to complete %.1f s, %d chunks)', number_format($n), $elapsed, $chunks), $r['status'] === 302 && $done,
    json_encode([$r['status'], Closte_Native_Refresh::run(), @file_get_contents("$work/node-a.err") . @file_get_contents("$work/node-b.err")]));
$t->same('two nodes: every name checked in the run, the table complete', [$n, $n, 0], [$checked($id), (int) $wpdb->get_var('SELECT COUNT(*) FROM ' . $table->name()),
    (int) $wpdb->get_var('SELECT COUNT(*) FROM ' . $table->name() . ' WHERE dns_ok IS NULL OR cert_valid IS NULL')]);
$t->same('two nodes, exactly once: Closte one list read, the DNS server 2 queries a name (A, AAAA), the TLS lab one handshake a name',
    [['/getdomains'], 2 * $n, $n, $n], [array_column(array_slice($emu->requests(), $sent), 'path'), $dns->stats()['addresses'], count($asked()), count(array_unique($asked()))]);
$via = $run_started_via($id);
$t->check('two nodes: while one node\'s runner held a chunk, the other node\'s runner took one (both nodes took chunks), each chunk action started once (Action Scheduler\'s log)', count($via['node-a'] ?? []) >= 1 && count($via['node-b'] ?? []) >= 1
    && array_keys($via) === ['node-a', 'node-b'] && count(array_merge(...array_values($via))) === $chunks && count(array_unique(array_merge(...array_values($via)))) === $chunks,
    json_encode(array_map('count', $via)));
echo sprintf("note: chunks by node: node-a %d, node-b %d\n", count($via['node-a'] ?? []), count($via['node-b'] ?? []));

// 2. node-a's worker killed in the middle of its second chunk.
@unlink("$work/ssl.log");
$lab['stall'] = ['node' => 'node-a', 'file' => "$work/stall", 'after' => 0];
update_network_option(null, 'closte_test_lab', $lab);
$sent = count($emu->requests());
$dns->stats(true);
// Armed again: node-b's first chunk waits until node-a has started one, so node-a's runner
// surely takes a chunk of this run (its first, the one that stalls: lab-plugin.php reads the
// stall afresh for every chunk).
mkdir("$work/spread");
$r = $t->action('refresh');
$id = (int) (Closte_Native_Refresh::run()['id'] ?? 0);
$stalled_at = $t->wait(fn () => is_file("$work/stall") && is_file("$work/stall.pid") && count(file("$work/stall")) >= Closte_Native_Refresh::chunk_size(), 300);
if (!$stalled_at) { // nothing below can hold without the stalled worker: said, and ended now
    $t->check('kill: node-a took a chunk of the run and stalled in it', false, json_encode([Closte_Native_Refresh::run(), $run_started_via($id)]));
    $t->finish();
}
$pid = (int) @file_get_contents("$work/stall.pid");
$stalled = $stalled_at ? array_filter(explode("\n", (string) file_get_contents("$work/stall"))) : [];
if ($pid > 0) {
    exec('kill -9 ' . $pid); // the worker dies; its action stays in-progress
}
$t->check('kill: node-a\'s worker died in the middle of a chunk, after its DNS batch', count($stalled) === Closte_Native_Refresh::chunk_size() && $pid > 0 && $t->wait(fn () => !file_exists("/proc/$pid"), 10),
    "pid $pid, " . count($stalled) . ' names');
$victim = null;
$others_done = $t->wait(function () use ($wpdb, $actions, $id, $table, &$victim) {
    $victim = $wpdb->get_row($wpdb->prepare("SELECT * FROM $actions WHERE hook = %s AND args LIKE %s AND status = 'in-progress'", Closte_Native_Refresh::CHUNK_HOOK, '[' . $id . ',%'), ARRAY_A);
    return $victim !== null && count($table->unfinished_chunks($id)) === 1
        && !$wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM $actions WHERE hook = %s AND args LIKE %s AND status = 'pending'", Closte_Native_Refresh::CHUNK_HOOK, '[' . $id . ',%'));
}, 600);
$victim_chunk = (int) (json_decode($victim['args'] ?? '[0,-1]', true)[1] ?? -1);
$t->check('kill: the other chunks went on, on both nodes; the dead worker\'s chunk is left in-progress', $others_done && $table->unfinished_chunks($id) === [$victim_chunk],
    json_encode([$victim, $table->unfinished_chunks($id)]));
$went_on = $t->wait(fn () => (bool) preg_match('/"status":502[^\n]*\n\{"status":200/', (string) @file_get_contents("$work/node-a.out")), 30);
$t->check('kill: node-a\'s runner loop met the dead worker (nginx 502) and went on (its next request answered by the node\'s other worker)', $went_on,
    substr((string) @file_get_contents("$work/node-a.out"), -300));

// Both nodes' runners clean up the same dead action at once: Action Scheduler marks an
// in-progress action failed once it is older than its failure period (time moved in the
// table, not waited for); the lab holds both runners just before that UPDATE.
mkdir("$work/barrier"); // armed
$wpdb->query($wpdb->prepare("UPDATE $actions SET last_attempt_gmt = UTC_TIMESTAMP() - INTERVAL 20 MINUTE, last_attempt_local = NOW() - INTERVAL 20 MINUTE WHERE action_id = %d", $victim['action_id'] ?? 0));
$lost = 'runner: the refresh\'s share of this queue run stopped: Unidentified action ' . (int) ($victim['action_id'] ?? 0) . ': we were unable to mark this action as having failed';
$marked = $t->wait(fn () => $wpdb->get_var($wpdb->prepare("SELECT status FROM $actions WHERE action_id = %d", $victim['action_id'] ?? 0)) === 'failed'
    && str_contains((string) @file_get_contents(getenv('WU_LOG_DIR') . '/integration-closte.log'), $lost), 120);
$arrived = glob("$work/barrier/node-*") ?: [];
array_map('unlink', $arrived);
rmdir("$work/barrier"); // disarmed
$deaths = array_filter(explode("\n", (string) @file_get_contents("$work/deaths.log")));
// The bridge's runner marks dead actions failed before Action Scheduler's own batch (its
// first step), so the race falls there: the loser meets Action Scheduler's exception, which
// the bridge's runner catches and logs; no runner request dies.
$t->check('race: both nodes\' runners cleaned up the dead action at once; the loser met Action Scheduler\'s "Unidentified action … unable to mark this action as having failed", caught and logged by the bridge\'s runner: no request died',
    $marked && count($arrived) === 2 && $deaths === [], json_encode([$marked, $arrived, $deaths]));
// The sweep runs every SWEEP_EVERY seconds while a run is unfinished: its time is moved too.
$wpdb->query("UPDATE $actions SET scheduled_date_gmt = UTC_TIMESTAMP() - INTERVAL 1 SECOND, scheduled_date_local = NOW() - INTERVAL 1 SECOND WHERE hook = 'closte_native_refresh_sweep' AND status = 'pending'");
$done = $t->wait(fn () => !empty(Closte_Native_Refresh::run()['finished_at']), 300);
array_map('unlink', glob("$work/spread/*") ?: []);
rmdir("$work/spread"); // disarmed
$t->same('recovery: the dead chunk ran again (attempt 2) on a surviving runner, the run finished',
    [true, 'complete'], [$done, $wpdb->get_var($wpdb->prepare("SELECT status FROM $actions WHERE hook = %s AND args = %s", Closte_Native_Refresh::CHUNK_HOOK, wp_json_encode([$id, $victim_chunk, 2])))]);
$t->same('recovery: every name checked in the run, the table complete', [$n, $n, 0], [$checked($id), (int) $wpdb->get_var('SELECT COUNT(*) FROM ' . $table->name()),
    (int) $wpdb->get_var('SELECT COUNT(*) FROM ' . $table->name() . ' WHERE dns_ok IS NULL OR cert_valid IS NULL')]);
$t->same('recovery: Closte one list read; TLS lab one handshake a name; DNS every name once, the killed chunk\'s names twice',
    [['/getdomains'], $n, $n, 2 * ($n + Closte_Native_Refresh::chunk_size())], [array_column(array_slice($emu->requests(), $sent), 'path'), count($asked()), count(array_unique($asked())), $dns->stats()['addresses']]);
$via = $run_started_via($id);
$t->check('recovery: both nodes\' runners took chunks in this run too', count($via['node-a'] ?? []) >= 1 && count($via['node-b'] ?? []) >= 1, json_encode(array_map('count', $via)));

// 3. The daily reconcile through the two nodes: the first 600 names are missing on Closte
// (two chunks' worth); each chunk adds its own, so each is posted exactly once.
unset($lab['stall']);
update_network_option(null, 'closte_test_lab', $lab);
$missing = array_slice($names, 0, 600);
Closte\remove_domains($missing);
$sent = count($emu->requests());
mkdir("$work/spread"); // armed again: each node's first chunk of the reconcile waits for the other node's
do_action(Closte_Native_Reconcile::HOOK); // as Action Scheduler runs it when due: it only enqueues
$id = (int) (Closte_Native_Refresh::run()['id'] ?? 0);
$done = $t->wait(fn () => !empty(Closte_Native_Refresh::run()['finished_at']), 600);
array_map('unlink', glob("$work/spread/*") ?: []);
rmdir("$work/spread"); // disarmed
$requests = array_slice($emu->requests(), $sent);
$posted = array_column(array_column(array_filter($requests, fn ($x) => $x['path'] === '/adddomainalias'), 'form'), 'domain');
sort($posted);
sort($missing);
$adding_chunks = (int) $wpdb->get_var($wpdb->prepare('SELECT COUNT(DISTINCT chunk) FROM ' . $table->name() . ' WHERE added_run = %d', $id));
$t->same('reconcile on two nodes: each missing alias posted exactly once, nothing else; one list read by the plan and one by each chunk that had names to add',
    [true, $missing, 1 + 2], [$done, $posted, count(array_filter($requests, fn ($x) => $x['path'] === '/getdomains'))]);
$t->same('reconcile on two nodes: the rows say what happened, the counts add up, every name on Closte, nothing missing in the table',
    [[600, $n - 600, 0], 2, $n, 0], [$table->add_counts($id), $adding_chunks, count(Closte\list_domain_names()), $table->counts()['missing']]);
$via = $run_started_via($id);
$t->check('reconcile on two nodes: both nodes\' runners took chunks', count($via['node-a'] ?? []) >= 1 && count($via['node-b'] ?? []) >= 1, json_encode(array_map('count', $via)));

// Every runner request on the nodes: peak memory.
$peaks = [];
foreach (['node-a', 'node-b'] as $node) {
    foreach (file("$work/$node.out") ?: [] as $line) {
        $o = json_decode($line, true);
        isset($o['answer']['peak_mb']) && $peaks[] = (float) $o['answer']['peak_mb'];
    }
}
$t->check(sprintf('runner requests on the nodes: peak memory at most %.1f MB (%d requests; target 64 MB)', $peaks ? max($peaks) : 0, count($peaks)), $peaks !== [] && max($peaks) <= 64);

foreach ($loops as $p) {
    proc_terminate($p, 9);
    proc_close($p);
}
$loops = [];
delete_network_option(null, 'closte_test_lab');
$t->finish();
