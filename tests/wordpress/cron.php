<?php
/*
 * Without Action Scheduler, a transient failure is rescheduled through WP-Cron (stored in
 * the database like any cron event) and lands when that event runs with Closte back.
 */

require __DIR__ . '/scenario.inc';

[$t, $emu] = Scenario::start(['action_scheduler' => false, 'ini' => ['max_retries' => 0], 'api_url' => 'after']);

$t->check('cron: no Action Scheduler here', !function_exists('as_schedule_single_action'));
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'never']);
$emu->fault(['path' => 'adddomainalias', 'status' => 502, 'count' => 1]);
\WP_Ultimo\Models\Domain::double_insert([['cron.example.com', 'checking-dns', 2]]); // the record the event is for (the ledger reads it)
do_action('wu_add_domain', 'cron.example.com', 2);
$events = [];
foreach (_get_cron_array() as $when => $hooks) {
    foreach ($hooks['closte_native_retry'] ?? [] as $event) {
        $events[] = [$when, $event['args']];
    }
}
$t->same('cron: one retry, a WP-Cron event', 1, count($events));
[$when, $args] = $events[0] ?? [0, []];
$t->check('cron: about a minute out, carrying one name and its token', $when - time() > 30 && $when - time() <= 60
    && array_slice($args, 0, 3) === ['add', 'cron.example.com', 2] && is_string($args[3] ?? null), json_encode($events));
$t->same('cron: not added yet', [], Closte\list_domains());

// Closte is back; the event comes due and runs (as wp-cron.php would).
wp_unschedule_event($when, 'closte_native_retry', $args);
do_action_ref_array('closte_native_retry', $args);
$t->same('cron: the mapping landed', ['cron.example.com'], array_column(Closte\list_domains(), 'domain'));
$t->same('cron: nothing else scheduled', [], array_values(array_filter(_get_cron_array(), fn ($h) => isset($h['closte_native_retry']))));

// The daily reconcile without Action Scheduler: one daily WP-Cron event, registered once
// however many requests run init.
do_action('init');
do_action('init');
$daily = [];
foreach (_get_cron_array() as $when => $hooks) {
    foreach ($hooks[Closte_Native_Reconcile::HOOK] ?? [] as $event) {
        $daily[] = $event['schedule'];
    }
}
$t->same('cron: the reconcile is one daily WP-Cron event', ['daily'], $daily);
$t->finish();
