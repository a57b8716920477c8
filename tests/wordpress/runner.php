<?php
/*
 * One Action Scheduler queue runner, as a web node runs it (its WP-Cron or a system cron
 * calling the queue runner), in a process of its own: the real ActionScheduler_QueueRunner::run()
 * with CONTEXT as its context (logged by Action Scheduler as "action started via CONTEXT").
 * usage: runner.php CONTEXT [--until-idle | --loop]
 *   --until-idle: runs until no action of the closte-native group is due, then exits (default);
 *   --loop: keeps running; when nothing is due it waits for the next poll (a runner loop,
 *   as on every node), until it is killed.
 * Environment: as the scenarios (CLOSTE_WP_*), and CLOSTE_TEST_STALL / CLOSTE_TEST_STALL_AFTER
 * for tests/wordpress/lab-plugin.php (a worker that stops in the middle of a chunk).
 */

$context = $argv[1] ?? 'runner';
$mode = $argv[2] ?? '--until-idle';
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
while (true) {
    $ran += ActionScheduler::runner()->run($context);
    if ($mode !== '--loop' && $due() === 0) {
        break;
    }
    if ($mode === '--loop' && $due() === 0) {
        usleep(200000); // the loop's poll interval (a node's runner waits for work, not for a server)
    }
}
echo "ran $ran\n";
