<?php
/*
 * Test-only must-use plugin (copied next to closte-native by the WordPress tests, never
 * shipped): points the console's certificate and DNS checks at the test's TLS lab and DNS
 * server, through the filters the bridge documents. The lab is the network option
 * closte_test_lab: ['ca_file' => path, 'targets' => [name => 'host:port'], 'nameservers' => [..]].
 */

// php-fpm starts before the test's emulator is known: its URL comes with the lab.
$closte_test_lab = get_network_option(null, 'closte_test_lab', []);
if (!empty($closte_test_lab['api_url'])) {
    ini_set('closte.api_url', $closte_test_lab['api_url']);
}
unset($closte_test_lab);

add_filter('closte_native_console_ssl_options', function ($options, $names) {
    // Read afresh each time: a runner request runs several chunks, and one that read the lab
    // before the test armed a stall must still stall (it once ran four chunks of node-a's
    // with the lab it read before).
    wp_cache_delete(get_current_network_id() . ':closte_test_lab', 'site-options');
    $lab = get_network_option(null, 'closte_test_lab', []);
    if (!$lab) {
        return $options;
    }
    // A worker that dies in the middle of a chunk (tests/wordpress/scale.php): after its
    // DNS batch, before its certificate batch, it says so in a file and waits to be killed.
    // In a CLI runner: CLOSTE_TEST_STALL(_AFTER). On a web node (tests/wordpress/nodes.php):
    // the lab's stall ['node' => 'node-a', 'file' => path, 'after' => N], counted across
    // that node's requests in path.count; the worker's pid goes to path.pid.
    static $chunks = 0;
    $stall = getenv('CLOSTE_TEST_STALL');
    $after = (int) getenv('CLOSTE_TEST_STALL_AFTER');
    $node_stall = $lab['stall'] ?? null;
    if (!$stall && is_array($node_stall) && getenv('CLOSTE_NODE') === $node_stall['node']) {
        file_put_contents($node_stall['file'] . '.count', "x\n", FILE_APPEND | LOCK_EX);
        $chunks = count(file($node_stall['file'] . '.count')) - 1;
        [$stall, $after] = [$node_stall['file'], (int) $node_stall['after']];
        $stall = is_file($stall) ? '' : $stall; // one worker stalls, once
    }
    if ($stall && ++$chunks > $after) {
        file_put_contents($stall . '.pid', (string) getmypid());
        // Written whole, then renamed: a watcher that sees the file reads every name (a plain
        // write creates it empty first, and scale.php once read 0 names there).
        file_put_contents("$stall.part", implode("\n", $names));
        rename("$stall.part", $stall);
        while (true) {
            sleep(60);
        }
    }
    // The TLS lab's count: every name the certificate batches ask about (one line each).
    if (!empty($lab['ssl_log'])) {
        file_put_contents($lab['ssl_log'], implode("\n", $names) . "\n", FILE_APPEND | LOCK_EX);
    }
    // A name the lab serves no certificate for goes to a closed loopback port (connect_failed),
    // never through real DNS to an address outside this machine.
    $targets = $lab['targets'];
    foreach ($names as $name) {
        if (is_string($name) && !isset($targets[$name]) && preg_match('/^[a-z0-9.-]+$/', $name)) {
            $targets[$name] = '127.0.0.1:1';
        }
    }
    return ['connect_to' => $targets, 'ca_file' => $lab['ca_file'], 'timeout' => 2] + $options;
}, 10, 2);
add_filter('closte_native_console_dns_options', function ($options, $names) {
    $lab = get_network_option(null, 'closte_test_lab', []);
    return $lab ? ['nameservers' => $lab['nameservers'], 'timeout' => 2] + $options : $options;
}, 10, 2);

// A web node's runner loop (tests/wordpress/runner.php --http): this node's php-fpm worker
// runs the real Action Scheduler queue runner with the node as its context. A runner that
// dies inside Action Scheduler (an exception out of its cleanup) ends this request with a
// 500 and a line in the lab's deaths file, as a dying cron request would end.
if (isset($_GET['closte_test_runner']) && getenv('CLOSTE_NODE')) {
    add_action('wp_loaded', function () {
        $lab = get_network_option(null, 'closte_test_lab', []);
        if (empty($lab['runner_token']) || !hash_equals((string) $lab['runner_token'], (string) ($_SERVER['HTTP_X_CLOSTE_RUNNER'] ?? ''))) {
            status_header(403);
            exit;
        }
        $node = (string) getenv('CLOSTE_NODE');
        add_filter('closte_native_runner_context', fn () => $node); // the bridge's own share of the runner, logged as this node's too
        header('Content-Type: application/json');
        try {
            $ran = class_exists('ActionScheduler', false) ? ActionScheduler::runner()->run($node) : 0;
            echo wp_json_encode(['node' => $node, 'pid' => getmypid(), 'ran' => $ran, 'peak_mb' => round(memory_get_peak_usage() / 1048576, 1)]);
        } catch (Throwable $e) {
            if (!empty($lab['deaths'])) {
                file_put_contents($lab['deaths'], "$node: " . $e->getMessage() . "\n", FILE_APPEND | LOCK_EX);
            }
            status_header(500);
            echo wp_json_encode(['node' => $node, 'pid' => getmypid(), 'died' => $e->getMessage()]);
        }
        exit;
    });
}

// Chunks spread over the nodes (tests/wordpress/nodes.php): with the lab's spread directory,
// a node's worker that starts a chunk of the refresh waits, before its work, until a worker of
// the other node has started one too. Whichever node is faster, the test then proves that a
// second runner takes a chunk while the first one holds its own, not how fast either runs;
// a runner that could not take a chunk meanwhile leaves the wait at its end (60 s) and the
// test's count of chunks by node fails.
add_action('closte_native_refresh_chunk', function () {
    $node = (string) getenv('CLOSTE_NODE');
    $lab = get_network_option(null, 'closte_test_lab', []);
    $dir = (string) ($lab['spread'] ?? '');
    if ($node === '' || $dir === '' || !is_dir($dir)) {
        return;
    }
    @touch("$dir/$node");
    for ($i = 0; $i < 1200 && count(glob("$dir/node-*") ?: []) < 2; $i++) {
        usleep(50000);
        clearstatcache();
    }
}, 1);

// Two runners cleaning up the same dead action at the same moment (tests/wordpress/nodes.php):
// with the lab's barrier (a directory), each node's runner waits, just before Action
// Scheduler's UPDATE that marks an action failed, until both nodes are there; both have
// then read the same dead action, and the second UPDATE changes no row.
add_filter('query', function ($sql) {
    static $waited = false;
    if ($waited || !getenv('CLOSTE_NODE') || !is_string($sql) || !preg_match("/^UPDATE `?\\w*actionscheduler_actions`? SET `status` = 'failed'/", $sql)) {
        return $sql;
    }
    $lab = get_network_option(null, 'closte_test_lab', []);
    if (empty($lab['barrier']) || !is_dir($lab['barrier'])) {
        return $sql;
    }
    $waited = true;
    touch($lab['barrier'] . '/' . getenv('CLOSTE_NODE'));
    for ($i = 0; $i < 600 && count(glob($lab['barrier'] . '/node-*')) < 2; $i++) {
        usleep(50000);
    }
    return $sql;
});
