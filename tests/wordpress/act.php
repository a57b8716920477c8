<?php
/*
 * A second queue-runner process for one action: runs the oldest pending action of HOOK
 * through the real Action Scheduler's runner (process_action: in-progress, execute,
 * complete or failed), as a web node's runner would, then exits. tests/wordpress/ledger.php
 * starts two at once. usage: act.php HOOK
 */

require __DIR__ . '/bootstrap.php';
global $wpdb;
$id = (int) $wpdb->get_var($wpdb->prepare("SELECT action_id FROM {$wpdb->base_prefix}actionscheduler_actions WHERE hook = %s AND status = 'pending' ORDER BY action_id LIMIT 1", $argv[1] ?? ''));
if ($id === 0 || !class_exists('ActionScheduler', false)) {
    fwrite(STDERR, "act.php: no pending {$argv[1]} action (or no Action Scheduler)\n");
    exit(2);
}
ActionScheduler::runner()->process_action($id, 'closte-test-act');
echo ActionScheduler::store()->get_status($id), "\n";
