<?php
/*
 * make bench, part 6: `wp closte sync --dry-run` on the real WP-CLI at 40 and at 400 sites,
 * each domain record on a site of its own with a 100 KB autoloaded option (as on real
 * networks, where every site carries its theme's and plugins' options). A whole-network
 * walk must not load the sites: its peak memory and time per site are reported, from a
 * shutdown function of the WP-CLI process itself. Prints a table; asserts nothing.
 * Run by scripts/test-wordpress.sh --bench-sites.
 */

require __DIR__ . '/../tests/server.inc';

$emu = new ClosteEmulator();
putenv('CLOSTE_WP_KEY=' . $emu->key);
ini_set('closte.api_url', $emu->api);
require __DIR__ . '/../tests/wordpress/bootstrap.php';
global $wpdb;
$root = dirname(__DIR__);
$wp_bin = "$root/tests/vendor/wp-cli/wp";
$work = sys_get_temp_dir() . '/closte-bench-sites-' . getmypid();
@mkdir($work);
file_put_contents("$work/wp-config.php", file_get_contents("$root/tests/wordpress/bootstrap.php"));
// The WP-CLI process reports its own peak memory and time when it ends.
file_put_contents("$work/peak.php", '<?php $GLOBALS["closte_bench_t0"] = microtime(true); register_shutdown_function(function () {'
    . ' file_put_contents(getenv("CLOSTE_BENCH_OUT"), json_encode(["peak" => memory_get_peak_usage(), "ms" => (microtime(true) - $GLOBALS["closte_bench_t0"]) * 1000])); });');
register_shutdown_function(function () use ($work) {
    array_map('unlink', glob("$work/*") ?: []);
    @rmdir($work);
});
\WP_Ultimo\Models\Domain::double_reset();
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'always']);
closte_test_forget();
$php = [PHP_BINARY, '-n', '-d', 'extension=mysqlnd', '-d', 'extension=mysqli', '-d', "extension=$root/target/release/libcloste.so", '-d', 'memory_limit=1G',
    '-d', 'closte.api_url=' . $emu->api, '-d', 'auto_prepend_file=' . "$work/peak.php"];
$sync = function () use ($php, $wp_bin, $work, $emu): array {
    $env = getenv() + ['WP_CONFIG_PATH' => "$work/wp-config.php", 'WP_CLI_CACHE_DIR' => "$work/cache", 'WP_CLI_CONFIG_PATH' => "$work/none.yml",
        'CLOSTE_BENCH_OUT' => "$work/out.json", 'CLOSTE_WP_KEY' => $emu->key];
    $best = null;
    for ($i = 0; $i < 3; $i++) { // the best of three runs: the machine's noise, not the walk's
        $p = proc_open(array_merge($php, [$wp_bin, '--allow-root', '--path=' . (getenv('CLOSTE_WP_CORE') ?: '/usr/share/wordpress'), '--url=http://example.test/', 'closte', 'sync', '--dry-run']),
            [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        if (proc_close($p) !== 0) {
            fwrite(STDERR, "wp closte sync --dry-run failed: $out\n");
            exit(1);
        }
        $r = json_decode((string) file_get_contents("$work/out.json"), true);
        $best = $best === null ? $r : ['peak' => min($best['peak'], $r['peak']), 'ms' => min($best['ms'], $r['ms'])];
    }
    return $best;
};
$rows = [];
$sites = [];
foreach ([40, 400] as $n) {
    while (count($sites) < $n) {
        $i = count($sites) + 1;
        $id = wpmu_create_blog("bench$i.example.test", '/', "Bench site $i", 1);
        update_blog_option($id, 'closte_bench_ballast', str_repeat('x', 100000)); // autoloaded
        \WP_Ultimo\Models\Domain::double_insert([["bench$i.example.com", 'done', $id]]);
        $sites[] = $id;
    }
    $rows[$n] = $sync();
}
$kb = ($rows[400]['peak'] - $rows[40]['peak']) / 360 / 1024;
$ms = ($rows[400]['ms'] - $rows[40]['ms']) / 360;
echo "\nwp closte sync --dry-run, each record on its own site with a 100 KB autoloaded option (best of 3):\n";
printf("  %5s  %12s  %10s\n", 'sites', 'peak memory', 'time');
foreach ($rows as $n => $r) {
    printf("  %5d  %9.1f MB  %7.0f ms\n", $n, $r['peak'] / 1048576, $r['ms']);
}
printf("  per site added (40 → 400): %.1f KB and %.2f ms (target: at most 8 KB and 5 ms)\n", $kb, $ms);
foreach ($sites as $id) {
    wpmu_delete_blog($id, true);
}
