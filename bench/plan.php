<?php
/*
 * make bench, part 5: the refresh's plan at PLAN_N (100,000) domain records, with as many
 * aliases on Closte, in the real stack (MariaDB, the real Action Scheduler). Each plan step
 * runs in a PHP process of its own, as a runner request would (bootstrap, one step, exit),
 * and reports its time and the peak memory of that whole WordPress request. Closte's list
 * of PLAN_N aliases is served by the emulator as one answer (a queued reply). Prints a
 * table; asserts nothing. Run by scripts/test-wordpress.sh --bench-plan N.
 */

require __DIR__ . '/../tests/server.inc';

$n = (int) ($argv[1] ?? 100000);
putenv('CLOSTE_WP_KEY=bench-' . bin2hex(random_bytes(12))); // this process's and each step's
$emu = new ClosteEmulator([], getenv('CLOSTE_WP_KEY'));
ini_set('closte.api_url', $emu->api);
require __DIR__ . '/../tests/wordpress/bootstrap.php';
global $wpdb;
$names = array_map(fn ($i) => "plan$i.example.test", range(1, $n));
\WP_Ultimo\Models\Domain::double_reset();
\WP_Ultimo\Models\Domain::double_insert($names);
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'never']);
// Every name on Closte but the last 100; 100 aliases no record claims.
$listed = array_merge(array_slice($names, 0, $n - 100), array_map(fn ($i) => "orphan$i.example.net", range(1, 100)));
$emu->fault(['path' => 'getdomains', 'json' => ['success' => true, 'domains' => $listed]]);
unset($listed);
update_network_option(null, 'closte_test_lab', ['api_url' => $emu->api]);
closte_test_forget();
$actions = $wpdb->base_prefix . 'actionscheduler_actions';
$wpdb->query("UPDATE $actions SET status = 'canceled' WHERE status IN ('pending', 'in-progress')");
$id = Closte_Native_Refresh::start('bench');

// One plan step per process: the step the run says is next.
$code = <<<'PHP'
require getenv('CLOSTE_BENCH_ROOT') . '/tests/wordpress/bootstrap.php';
$run = Closte_Native_Refresh::run();
$args = $run['plan_offset'] === 0 ? [$run['id']] : [$run['id'], $run['plan_offset'], (int) $run['total']];
$start = microtime(true);
do_action(Closte_Native_Refresh::HOOK, ...$args); // the plan step's action handler, in this process
echo json_encode(['ms' => (microtime(true) - $start) * 1000, 'peak_mb' => memory_get_peak_usage() / 1048576, 'from' => $run['plan_offset'],
    'error' => Closte_Native_Refresh::run()['errors']['closte'] ?? null]);
PHP;
putenv('CLOSTE_BENCH_ROOT=' . dirname(__DIR__));
$php = preg_split('/\s+/', trim((string) getenv('CLOSTE_WP_PHP')));
$steps = [];
$t0 = microtime(true);
while (!(Closte_Native_Refresh::run()['planned'] ?? true) && count($steps) < 1000) {
    $proc = proc_open(array_merge($php, ['-r', $code]), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    if (proc_close($proc) !== 0 || !is_array($s = json_decode($out, true)) || ($s['error'] ?? null) !== null) {
        fwrite(STDERR, "plan step failed: $err$out\n");
        exit(1);
    }
    $steps[] = $s;
}
$wall = (microtime(true) - $t0) * 1000;
$run = Closte_Native_Refresh::run();
$chunks = (int) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM $actions WHERE hook = %s AND status = 'pending' AND args LIKE %s", Closte_Native_Refresh::CHUNK_HOOK, '[' . $id . ',%'));
$missing = (int) $wpdb->get_var('SELECT COUNT(*) FROM ' . (new Closte_Native_Status_Table())->name() . ' WHERE on_closte = 0');
$wpdb->query("UPDATE $actions SET status = 'canceled' WHERE status = 'pending' AND args LIKE '[" . (int) $id . "%'");

// What Sync now, Remove unclaimed and wp closte sync do first, in one request: Closte's list
// as names, compared with every record a page at a time (Closte_Native_Inventory::compare()).
$listed = array_merge(array_slice($names, 0, $n - 100), array_map(fn ($i) => "orphan$i.example.net", range(1, 100)));
$emu->fault(['path' => 'getdomains', 'json' => ['success' => true, 'domains' => $listed]]);
unset($listed);
$compare = <<<'PHP'
require getenv('CLOSTE_BENCH_ROOT') . '/tests/wordpress/bootstrap.php';
$start = microtime(true);
$c = (new Closte_Native_Inventory())->compare(Closte\list_domain_names());
echo json_encode(['ms' => (microtime(true) - $start) * 1000, 'peak_mb' => memory_get_peak_usage() / 1048576, 'missing' => count($c['missing']), 'unclaimed' => count($c['unclaimed'])]);
PHP;
$proc = proc_open(array_merge($php, ['-r', $compare]), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$cmp = json_decode((string) stream_get_contents($pipes[1]), true) ?: ['ms' => -1, 'peak_mb' => -1, 'missing' => -1, 'unclaimed' => -1];
proc_close($proc);

$ms = array_column($steps, 'ms');
$mb = array_column($steps, 'peak_mb');
printf("\nThe refresh's plan, %s domain records, %s aliases on Closte (one list answer), steps of %s records\n\n",
    number_format($n), number_format($n), number_format(Closte_Native_Refresh::plan_records()));
printf("| %-58s | %12s |\n|%s|%s|\n", 'what', 'value', str_repeat('-', 60), str_repeat('-', 14));
printf("| %-58s | %12d |\n", 'plan steps (one action each)', count($steps));
printf("| %-58s | %12.0f |\n", 'the first step (the list read, 100,000 alias rows), ms', $ms[0] ?? -1);
printf("| %-58s | %12.0f |\n", 'the slowest step, ms', $ms ? max($ms) : -1);
printf("| %-58s | %12.0f |\n", 'the median step, ms', $ms ? (sort($ms) ? $ms[intdiv(count($ms), 2)] : 0) : -1);
printf("| %-58s | %12.1f |\n", 'the highest peak memory of a step\'s whole request, MB', $mb ? max($mb) : -1);
printf("| %-58s | %12.0f |\n", 'all steps, one after the other (processes included), ms', $wall);
printf("| %-58s | %12s |\n", 'names planned / chunk actions enqueued', number_format((int) $run['total']) . ' / ' . $chunks);
printf("| %-58s | %12s |\n", 'missing on Closte / unclaimed aliases found', $missing . ' / ' . (int) $run['unclaimed_count']);
printf("| %-58s | %12.0f |\n", 'Sync now\'s comparison (list read + every record), ms', $cmp['ms']);
printf("| %-58s | %12.1f |\n", '  peak memory of that whole request, MB', $cmp['peak_mb']);
printf("| %-58s | %12s |\n", '  missing / unclaimed found', $cmp['missing'] . ' / ' . $cmp['unclaimed']);
delete_network_option(null, 'closte_test_lab');
closte_test_forget();
