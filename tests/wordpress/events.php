<?php
/*
 * Ultimate Multisite's events closte_domain_live and closte_domain_attention in the real
 * multisite (MariaDB, the Closte emulator, the emulator's DNS server and TLS servers with
 * certificates of 90, 85 and 6 days made at test time), and the certificate expiry the
 * status table stores: the extension's expiring_soon, never the plugin's own count of days.
 * - registered on wu_register_all_events with name, desc and a sample payload;
 * - a domain that goes live (the watcher's tick lets Ultimate Multisite process it) fires
 *   closte_domain_live once, with every key of the sample; later ticks, the SSL stage and
 *   refreshes fire nothing more;
 * - an alias Closte refuses fires closte_domain_attention once, with Closte's answer; the
 *   same refusal again fires nothing;
 * - a refresh: a proxied domain past its waiting is attention (dns_proxied, the next step in
 *   words, the same on the console's row), a 6-day certificate with 2 days left is valid and
 *   live, a 90-day one with 13 days left is expiring (attention, the Expiring soon view, the
 *   alerts); a second refresh fires nothing;
 * - the schema upgrade from 5 keeps a stored certificate's old verdict.
 * Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 */

require __DIR__ . '/scenario.inc';

use WP_Ultimo\Models\Domain;

$certs = closte_certs();
$servers = [];
$targets = [];
foreach (['valid', 'life6-2d', 'life90-13d', 'expired'] as $leaf) {
    $servers[$leaf] = closte_tls_server($certs, $leaf);
    $targets["$leaf.example.test"] = '127.0.0.1:' . parse_url($servers[$leaf]->url, PHP_URL_PORT);
}
$targets['proxied.example.test'] = $targets['valid.example.test']; // a certificate is served; DNS is the problem
$dns = new ClosteDns("valid.example.test 60 A 198.51.100.7\nlife6-2d.example.test 60 A 198.51.100.7\nlife90-13d.example.test 60 A 198.51.100.7\n"
    . "refused.example.test 60 A 198.51.100.7\nproxied.example.test 60 A 104.16.1.1\n");
[$t, $emu] = Scenario::start(['public_ip' => true, 'ini' => ['max_retries' => 0], 'reset' => true, 'forget' => true]);
closte_test_forget_watcher();
delete_network_option(null, 'wu_double_events');
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'never', 'dns_check_interval' => 300]);
update_network_option(null, 'wu_double_dns_records', []);
update_network_option(null, 'wu_double_ssl_ok', true); // Ultimate Multisite's own TLS check agrees once ours does
// The console's checks (lab-plugin.php) and the stage checks reach the lab: its TLS servers, its DNS.
update_network_option(null, 'closte_test_lab', ['ca_file' => "$certs/ca.pem", 'targets' => $targets, 'nameservers' => [$dns->addr]]);
register_shutdown_function(fn () => delete_network_option(null, 'closte_test_lab')); // its servers end with this script, even on a fatal error
add_filter('closte_native_check_ssl_options', fn ($o, $name) => isset($targets[$name])
    ? ['connect_to' => '127.0.0.1', 'port' => (int) parse_url('tcp://' . $targets[$name], PHP_URL_PORT), 'ca_file' => "$certs/ca.pem", 'timeout' => 2] + $o : $o, 10, 2);
add_filter('closte_native_check_dns_options', fn ($o, $name) => ['nameservers' => [$dns->addr], 'timeout' => 2] + $o, 10, 2);
wp_set_current_user(1);
// The customer's site (removed at the end: the other scenarios expect none).
$site_id = wp_insert_site(['domain' => 'example.test', 'path' => '/shop/', 'title' => 'Shop', 'user_id' => 1]);
if (is_wp_error($site_id)) {
    echo 'FAIL the site could not be made: ', $site_id->get_error_message(), "\n0 passed, 1 failed\n";
    exit(1);
}
register_shutdown_function(fn () => wp_delete_site($site_id));

$fired = fn () => array_values((array) get_network_option(null, 'wu_double_events', []));
$fired_for = fn (string $domain) => array_values(array_filter($fired(), fn ($e) => ($e[1]['domain_canonical'] ?? '') === $domain));
$slugs = fn (array $events) => array_column($events, 0);
$map = function (string $name, string $stage) use ($t, $site_id): Domain {
    $d = new Domain(['blog_id' => $site_id, 'stage' => $stage]);
    $d->set_domain($name);
    $d->save();
    $t->run_queue('wu_add_domain');
    return Domain::get_by_id($d->get_id());
};
$row = fn (string $name) => (new Closte_Native_Status_Table())->rows_named([$name])[0] ?? null;

// Registered with Ultimate Multisite: name, desc and a sample payload with every key.
$types = $GLOBALS['wu_double_event_types'] ?? [];
$t->check('registered on wu_register_all_events: both events, each with name, desc and a sample payload', isset($types['closte_domain_live'], $types['closte_domain_attention'])
    && !empty($types['closte_domain_live']['name']) && !empty($types['closte_domain_attention']['desc'])
    && array_keys($types['closte_domain_attention']['payload']) === array_keys(Closte_Native_Um_Events::SAMPLE)
    && array_keys($types['closte_domain_live']['payload'] + Closte_Native_Um_Events::SAMPLE) === array_keys($types['closte_domain_live']['payload'])
    && count($types['closte_domain_live']['payload']) === count(Closte_Native_Um_Events::SAMPLE), json_encode($types));
$sample = array_keys(Closte_Native_Um_Events::SAMPLE);
$t->check('the sample payload names the domain, its site, the reason, Closte\'s answer and the next step', array_diff(['domain', 'site_id', 'site_name', 'reason', 'closte_answer', 'next_step'], $sample) === []);

// A domain that goes live: the watcher's tick lets Ultimate Multisite process it, the SSL stage sees the certificate.
$valid = $map('valid.example.test', 'checking-ssl-cert');
$report = (new Closte_Native_Watcher())->tick();
$events = $fired_for('valid.example.test');
$t->same('going live: the watcher advanced the domain to done, and closte_domain_live fired once', [['valid.example.test'], 'done', ['closte_domain_live']],
    [$report['advanced'], (string) Domain::get_by_id($valid->get_id())->get_stage(), $slugs($events)]);
$payload = $events[0][1] ?? [];
$t->check('closte_domain_live: every key of the sample payload, for this domain and its site', array_diff($sample, array_keys($payload)) === []
    && $payload['domain'] === 'valid.example.test' && $payload['site_id'] === $site_id && $payload['site_name'] === 'Shop' && $payload['state'] === 'live' && $payload['reason'] === 'live'
    && $payload['site_url'] === 'http://example.test/shop' && $payload['wu_version'] === '2.4.10', json_encode($payload));
$t->same('the state told is kept in the status table', 'live', $row('valid.example.test')['announced'] ?? null);
$t->check('the domain log says it was told', str_contains((string) @file_get_contents(getenv('WU_LOG_DIR') . '/domain-valid.example.test.log'), 'told Ultimate Multisite: closte_domain_live'));
(new Closte_Native_Watcher())->tick();
(new Closte_Native_Ssl_Stage())->log_check('valid.example.test', Domain::get_by_id($valid->get_id()));
do_action('wu_async_process_domain_stage', $valid->get_id(), 0);
$t->same('later ticks, SSL stage checks and Ultimate Multisite\'s processing fire nothing more', ['closte_domain_live'], $slugs($fired_for('valid.example.test')));

// A refused alias: attention once, with Closte's answer.
$emu->fault(['path' => 'adddomainalias', 'domain' => 'refused.example.test', 'status' => 403, 'json' => ['success' => false, 'error' => 'Domain blocked by policy']]);
$map('refused.example.test', 'checking-dns');
$events = $fired_for('refused.example.test');
$payload = $events[0][1] ?? [];
$t->check('a refused alias: closte_domain_attention once, reason alias_refused, Closte\'s answer in the payload, the next step', $slugs($events) === ['closte_domain_attention']
    && $payload['reason'] === 'alias_refused' && str_contains($payload['closte_answer'], 'Domain blocked by policy') && str_contains($payload['next_step'], 'wp closte retry refused.example.test')
    && array_diff($sample, array_keys($payload)) === [], json_encode($events));
$emu->fault(['path' => 'adddomainalias', 'domain' => 'refused.example.test', 'status' => 403, 'json' => ['success' => false, 'error' => 'Domain blocked by policy']]);
$again = (new Closte_Native_Events())->event('add', 'refused.example.test');
$t->same('the same refusal again (a Retry): refused, nothing fired', ['refused', ['closte_domain_attention']], [$again['refused.example.test']['status'] ?? null, $slugs($fired_for('refused.example.test'))]);

// A refresh: each mapped domain's state, told when it changed.
foreach (['life6-2d.example.test', 'life90-13d.example.test', 'proxied.example.test'] as $name) {
    $map($name, 'done');
}
// A refresh first stores each unseen domain's state quietly (a network that installs the
// plugin is not told about every domain at once); the 6-day one was live before, and the
// 90-day and proxied ones too: what changed since is told.
$before = count($fired());
$t->refresh();
$t->same('a first refresh: the states of domains never seen are the baseline, nothing fired', [[], 'live', 'attention:certificate_expiring_soon', 'attention:dns_proxied'],
    [array_slice($fired(), $before), $row('life6-2d.example.test')['announced'] ?? null, $row('life90-13d.example.test')['announced'] ?? null, $row('proxied.example.test')['announced'] ?? null]);
$wpdb->query('UPDATE ' . (new Closte_Native_Status_Table())->name() . " SET announced = 'attention:certificate_expired' WHERE name = 'life6-2d.example.test'");
$wpdb->query('UPDATE ' . (new Closte_Native_Status_Table())->name() . " SET announced = 'live' WHERE name IN ('life90-13d.example.test', 'proxied.example.test')");
$before = count($fired());
$run = $t->refresh();
$t->check('the refresh finished', !empty($run['finished_at']), json_encode($run));
// Whole days left: a moment under 2 and 13 (the certificates were made a little earlier).
$t->same('the stored verdict is the extension\'s: a 6-day certificate with 2 days left is not expiring (a fixed 14 days would say it is), a 90-day one with 13 days left is',
    [['1', '0', '0', true], ['1', '1', '1', true]],
    [array_values(array_intersect_key($row('life6-2d.example.test') ?? [], array_flip(['cert_valid', 'cert_expiring', 'f_expiring']))) + [3 => in_array((int) ($row('life6-2d.example.test')['cert_days'] ?? -1), [1, 2], true)],
        array_values(array_intersect_key($row('life90-13d.example.test') ?? [], array_flip(['cert_valid', 'cert_expiring', 'f_expiring']))) + [3 => in_array((int) ($row('life90-13d.example.test')['cert_days'] ?? -1), [12, 13], true)]]);
$table = new Closte_Native_Status_Table();
[$expiring] = $table->page('expiring', '', 'name', 'asc', 100, 1);
$alerts = $table->certificate_alerts();
$t->same('"Expiring soon" (no fixed days in its label) holds the 90-day one only; the certificate alerts name it as expiring, and not the 6-day one',
    ['Expiring soon', ['life90-13d.example.test'], 'expiring_soon', false],
    [Closte_Native_Status_Table::VIEWS['expiring'][0], array_column($expiring, 'name'), $alerts['life90-13d.example.test']['reason'] ?? null, isset($alerts['life6-2d.example.test'])]);
$new = array_slice($fired(), $before);
$by = [];
foreach ($new as [$slug, $p]) {
    $by[$p['domain_canonical']][] = [$slug, $p['reason']];
}
ksort($by);
$t->same('the refresh told each changed domain once: the 6-day one live, the 90-day one expiring, the proxied one DNS (the live and refused ones nothing again)', [
    'life6-2d.example.test' => [['closte_domain_live', 'live']],
    'life90-13d.example.test' => [['closte_domain_attention', 'certificate_expiring_soon']],
    'proxied.example.test' => [['closte_domain_attention', 'dns_proxied']],
], $by);
$proxied = array_values(array_filter($new, fn ($e) => $e[1]['domain_canonical'] === 'proxied.example.test'))[0][1] ?? [];
$t->check('attention for a proxied domain: Closte\'s answer names Cloudflare, the next step is the plain words', str_contains((string) ($proxied['closte_answer'] ?? ''), 'Cloudflare')
    && ($proxied['next_step'] ?? '') === Closte_Native_Dns_Stage::next_step('proxied') && array_diff($sample, array_keys($proxied)) === [], json_encode($proxied));
$cells = Harness::table_rows($t->console_page())['proxied.example.test']['dns'] ?? '';
$t->check('the console\'s row says the reason and the next step in the same words', str_contains($cells, '(proxied)') && str_contains($cells, Closte_Native_Dns_Stage::next_step('proxied')), $cells);
$before = count($fired());
$t->refresh();
(new Closte_Native_Watcher())->tick();
$t->same('a second refresh and a tick: nothing changed, nothing fired', [], array_slice($fired(), $before));

foreach ([Closte_Native_Refresh::HOOK, Closte_Native_Refresh::CHUNK_HOOK, Closte_Native_Refresh::SWEEP_HOOK, Closte_Native_Events::RETRY_HOOK, Closte_Native_Watcher::HOOK] as $hook) {
    as_unschedule_all_actions($hook);
}
$keys = rtrim((string) @file_get_contents(getenv('WU_LOG_DIR') . '/key.txt'));
file_put_contents(getenv('WU_LOG_DIR') . '/key.txt', ($keys === '' ? '' : "$keys\n") . $emu->key . "\n");
$t->finish();
