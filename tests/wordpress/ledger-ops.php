<?php
/*
 * One process of the ledger's property test (tests/wordpress/ledger.php): a random sequence
 * of what admins, customers and the queue do to a network, from a seed, against the same
 * database and emulator as the other process running at the same time. Each operation
 * goes through the plugin's own paths: a Domain saved or deleted and its event run by the
 * real Action Scheduler's runner; the www. setting changed; the console's Retry
 * (Closte_Native_Events::event('add')) for a name of the pool, mapped or not; Sync
 * (compare, then the ledger's add); "Remove unclaimed" (compare, then the ledger's remove of
 * every name it listed); the reconcile's adds (a refresh run with add_missing, planned and
 * its chunks' adds run here). Prints one line per operation.
 * usage: ledger-ops.php SEED COUNT
 */

require __DIR__ . '/bootstrap.php';
global $wpdb;
use WP_Ultimo\Models\Domain;

mt_srand((int) ($argv[1] ?? 1));
$count = (int) ($argv[2] ?? 40);
$churn = ['c1.example.com', 'c2.example.com', 'c3.example.com', 'www.c3.example.com'];
$stable = ['s1.example.com', 's2.example.com'];
$pool = array_merge($churn, $stable, ['www.s1.example.com', 'nobody.example.com']);
$mine = [];
add_action('action_scheduler_stored_action', function ($id) use (&$mine) {
    $mine[] = (int) $id;
});
$run_mine = function () use (&$mine) {
    while ($id = array_shift($mine)) {
        if (ActionScheduler::store()->get_status($id) === 'pending') {
            $hook = ActionScheduler::store()->fetch_action($id)->get_hook();
            if (in_array($hook, ['wu_add_domain', 'wu_remove_domain', 'closte_native_retry'], true)) {
                ActionScheduler::runner()->process_action($id, 'closte-test-ops');
            }
        }
    }
};
$record = fn (string $name) => $wpdb->get_var($wpdb->prepare('SELECT id FROM ' . Domain::double_table() . ' WHERE domain = %s LIMIT 1', $name));
$ops = ['map', 'unmap', 'www', 'retry', 'sync', 'remove', 'reconcile'];
for ($i = 0; $i < $count; $i++) {
    $op = $ops[mt_rand(0, count($ops) - 1)];
    $name = $churn[mt_rand(0, count($churn) - 1)];
    try {
        switch ($op) {
            case 'map':
                if (!$record($name)) {
                    $d = new Domain(['blog_id' => 1, 'stage' => 'done']);
                    $d->set_domain($name);
                    $d->save();
                }
                break;
            case 'unmap':
                $id = $record($name);
                if ($id && ($d = Domain::get_by_id($id))) {
                    $d->delete();
                }
                break;
            case 'www':
                update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => mt_rand(0, 1) ? 'always' : 'never']);
                break;
            case 'retry':
                $name = $pool[mt_rand(0, count($pool) - 1)];
                (new Closte_Native_Events())->event('add', $name);
                break;
            case 'sync':
                $c = (new Closte_Native_Inventory())->compare(Closte\list_domain_names());
                (new Closte_Native_Ledger())->add($c['missing'], [], 'property sync', $c['typed']);
                break;
            case 'remove':
                $c = (new Closte_Native_Inventory())->compare(Closte\list_domain_names());
                (new Closte_Native_Ledger())->remove($c['unclaimed'], [], 'property removal');
                break;
            case 'reconcile':
                $refresh = new Closte_Native_Refresh();
                $id = Closte_Native_Refresh::start('property', true, 'daily');
                as_unschedule_all_actions(Closte_Native_Refresh::HOOK, [$id], Closte_Native_Queue::GROUP); // planned here
                $refresh->plan_inline($id);
                $run = Closte_Native_Refresh::run();
                for ($c = 0; $c < (int) ($run['chunks'] ?? 0); $c++) {
                    $refresh->add_chunk($id, $c);
                }
                break;
        }
        $run_mine();
        echo "$op $name\n";
    } catch (Throwable $e) {
        echo "$op $name: " . get_class($e) . ': ' . $e->getMessage() . "\n";
    }
}
echo "done\n";
