<?php
/*
 * One Action Scheduler queue runner, as a web node runs it (its WP-Cron or a system cron
 * calling the queue runner), in a process of its own: the real ActionScheduler_QueueRunner::run()
 * with CONTEXT as its context (logged by Action Scheduler as "action started via CONTEXT").
 * usage: runner.php CONTEXT [--until-idle | --loop | --http PORT]
 *   --until-idle: runs until no action of the closte-native group is due, then exits (default);
 *   --loop: keeps running; when nothing is due it waits for the next poll (a runner loop,
 *   as on every node), until it is killed.
 *   --http PORT: a web node's runner loop over HTTP, as a system cron calling each node: it
 *   asks nginx (127.0.0.1:PORT, Host example.test) for /?closte_test_runner=1 with
 *   "X-Closte-Node: CONTEXT", so that node's php-fpm pool runs the queue runner
 *   (tests/wordpress/lab-plugin.php; Action Scheduler logs "action started via CONTEXT");
 *   again at once while it ran something, after a poll interval when it did not, and on
 *   after a failed request (a killed worker, a runner that died), until it is killed.
 *   One line per request on stdout: the node's answer (JSON) or the HTTP failure.
 * Environment: as the scenarios (CLOSTE_WP_*), CLOSTE_TEST_STALL / CLOSTE_TEST_STALL_AFTER
 * for tests/wordpress/lab-plugin.php (a worker that stops in the middle of a chunk), and
 * CLOSTE_TEST_RUNNER_HOLD (--loop: a file whose presence pauses the loop).
 */

$context = $argv[1] ?? 'runner';
$mode = $argv[2] ?? '--until-idle';
if ($mode === '--http') {
    $port = (int) ($argv[3] ?? 0);
    $token = (string) getenv('CLOSTE_TEST_RUNNER_TOKEN');
    while (true) {
        $ctx = stream_context_create(['http' => ['proxy' => "tcp://127.0.0.1:$port", 'request_fulluri' => true, 'timeout' => 120, 'ignore_errors' => true,
            'header' => "X-Closte-Node: $context\r\nX-Closte-Runner: $token\r\n"]]);
        $body = @file_get_contents('http://example.test/?closte_test_runner=1', false, $ctx);
        // PHP 8.4 added http_get_last_response_headers(); 8.5 deprecates $http_response_header.
        $headers = function_exists('http_get_last_response_headers') ? http_get_last_response_headers() : ($http_response_header ?? null);
        $status = isset($headers[0]) ? (int) explode(' ', $headers[0])[1] : 0;
        $answer = is_string($body) ? json_decode($body, true) : null;
        echo json_encode(['status' => $status, 'answer' => $answer]) . "\n";
        if (!is_array($answer) || (int) ($answer['ran'] ?? 0) === 0) {
            usleep(200000); // the loop's poll interval
        }
    }
}
require __DIR__ . '/bootstrap.php';
if (!class_exists('ActionScheduler', false)) {
    fwrite(STDERR, "runner.php needs the real Action Scheduler\n");
    exit(2);
}
global $wpdb;
$due = function () use ($wpdb): int {
    return (int) $wpdb->get_var("SELECT COUNT(*) FROM {$wpdb->base_prefix}actionscheduler_actions a JOIN {$wpdb->base_prefix}actionscheduler_groups g ON g.group_id = a.group_id
        WHERE g.slug = 'closte-native' AND a.status = 'pending' AND a.claim_id = 0 AND a.scheduled_date_gmt <= UTC_TIMESTAMP() AND a.hook <> 'closte_native_watch'");
};
$ran = 0;
// CLOSTE_TEST_RUNNER_HOLD: while that file exists, the loop runs nothing (the browser test
// holds it to see a refresh still queued, whatever the speed of the machine).
$hold = (string) getenv('CLOSTE_TEST_RUNNER_HOLD');
$held = function () use ($hold): bool {
    clearstatcache();
    return $hold !== '' && file_exists($hold);
};
// Held, a run() already under way claims nothing more either (Action Scheduler keeps
// claiming batches while the last one ran something): its claims are of 0 actions.
add_filter('action_scheduler_queue_runner_batch_size', fn ($n) => $held() ? 0 : $n, 1000);
add_filter('closte_native_runner_context', fn () => $context); // the bridge's own share of the runner (Closte_Native_Runner), logged as this runner's
while (true) {
    if ($mode === '--loop' && $held()) {
        usleep(50000);
        continue;
    }
    $ran += ActionScheduler::runner()->run($context);
    if ($mode !== '--loop' && $due() === 0) {
        break;
    }
    if ($mode === '--loop' && $due() === 0) {
        usleep(200000); // the loop's poll interval (a node's runner waits for work, not for a server)
    }
}
echo "ran $ran\n";
