<?php
/*
 * The bridge next to a future plugin it does not fit (ultimo-future.php): WordPress keeps
 * running, the provider is left out with one log line, domain events are still sent.
 * With CLOSTE_WP_FORCE_PROVIDER=1 it declares the provider anyway, to prove that without
 * the guard this plugin version would be a fatal error on every request.
 */

require __DIR__ . '/scenario.inc';

[$t, $emu] = Scenario::start();

if (getenv('CLOSTE_WP_FORCE_PROVIDER')) {
    require WP_CONTENT_DIR . '/mu-plugins/closte-native/domain/class-closte-native-host-provider.php';
    echo "declared\n";
    exit(0);
}

$log = (string) @file_get_contents(getenv('WU_LOG_DIR') . '/integration-closte.log');
$t->same('future: WordPress loaded and the providers hook ran', 1, did_action('wp_ultimo_host_providers_load'));
$t->check('future: the provider was not declared', !class_exists('Closte_Native_Host_Provider', false));
$t->same('future: one log line says why', 1, substr_count($log, 'provider not registered'));
$t->check('future: the reason names the clashing methods', str_contains($log, 'detect() must return bool')
    && str_contains($log, 'get_description() must return string'), $log);
$future = wpmu_create_blog('future.example.com', '/', 'Future', 1, [], 1); // the site the event is for (the ledger reads it)
do_action_ref_array('wu_add_domain', ['future.example.com', 2]);
$t->same('future: domain events are still sent', ['future.example.com'], array_column(array_map(fn ($c) => $c['form'], $emu->calls('adddomainalias')), 'domain'));
wpmu_delete_blog($future, true);

// Without Ultimate Multisite's domain records (this plugin version has no wu_get_domains()),
// the console lists the network's sites whose domain is not the network's or under it,
// and sits under Settings.
$t->check('future: no wu_get_domains() and no WP_Ultimo() here', !function_exists('wu_get_domains') && !function_exists('WP_Ultimo'));
$customer = wpmu_create_blog('customer.example.org', '/', 'Customer', 1, [], 1);
$sub = wpmu_create_blog('blog.example.test', '/', 'Subdomain blog', 1, [], 1);
$inventory = Harness::inventory();
$t->same('future: the inventory is the sites outside the network domain', [['customer.example.org', ['customer.example.org'], 'Customer', null]],
    array_map(fn ($d) => [$d['domain'], $d['names'], $d['site'], $d['stage']], $inventory));
$t->same('future: the console is under Settings of the network admin', network_admin_url('settings.php?page=closte-native'), Closte_Native_Console::url());
wpmu_delete_blog($customer, true);
wpmu_delete_blog($sub, true);
$t->finish();
