<?php
/*
 * Without Action Scheduler, a transient failure is rescheduled through WP-Cron (stored in
 * the database like any cron event) and lands when that event runs with Closte back.
 */

require __DIR__ . '/../server.inc';
require __DIR__ . '/harness.inc';

$emu = new ClosteEmulator();
putenv('CLOSTE_WP_KEY=' . $emu->key);
putenv('CLOSTE_WP_NO_ACTION_SCHEDULER=1');
ini_set('closte.max_retries', '0');
define('CLOSTE_DOUBLE_API_URL', $emu->api);
require __DIR__ . '/bootstrap.php';
$t = new Harness();

$t->check('cron: no Action Scheduler here', !function_exists('as_schedule_single_action'));
ini_set('closte.api_url', $emu->api);
$emu->fault(['path' => 'adddomainalias', 'status' => 502, 'count' => 1]);
do_action('wu_add_domain', 'cron.example.com', 2);
$args = ['add', 'cron.example.com', 2];
$when = wp_next_scheduled('closte_native_retry', $args);
$t->check('cron: the retry is a WP-Cron event, about a minute out', is_int($when) && $when - time() > 30 && $when - time() <= 60, var_export($when, true));
$t->same('cron: not added yet', [], Closte\list_domains());

// Closte is back; the event comes due and runs (as wp-cron.php would).
wp_unschedule_event($when, 'closte_native_retry', $args);
do_action_ref_array('closte_native_retry', $args);
$t->same('cron: the mapping landed', ['cron.example.com'], array_column(Closte\list_domains(), 'domain'));
$t->same('cron: nothing else scheduled', false, wp_next_scheduled('closte_native_retry', ['add', 'cron.example.com', 3]));
$t->finish();
