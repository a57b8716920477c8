<?php
/*
 * The mu-plugin inside a real WordPress multisite (Debian's WordPress core, a real
 * MariaDB), with the real extension and the Closte emulator. Fires Ultimate Multisite's
 * hooks the way the plugin does and checks what the emulator received.
 * Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 */

require __DIR__ . '/../server.inc';
require __DIR__ . '/harness.inc';

$emu = new ClosteEmulator();
putenv('CLOSTE_WP_KEY=' . $emu->key);
ini_set('closte.api_url', $emu->api);
ini_set('closte.max_retries', '0'); // keep failure scenarios quick; retries are the bridge's job here
ini_set('closte.timeout', '5');
define('CLOSTE_DOUBLE_API_URL', $emu->api);
require __DIR__ . '/bootstrap.php';

$t = new Harness();
$calls = fn (string $endpoint) => $emu->calls($endpoint);
$forms = fn (string $endpoint) => array_map(fn ($c) => $c['form'], $emu->calls($endpoint));
$log = fn (string $handle = 'integration-closte') => (string) @file_get_contents(getenv('WU_LOG_DIR') . "/$handle.log");

$t->check('the mu-plugin is loaded and active', class_exists('Closte_Native') && Closte_Native::missing() === null);

// Add, then remove.
do_action('wu_add_domain', 'shop.example.com', 2);
$t->same('add: one POST /adddomainalias', [['domain' => 'shop.example.com', 'wildcard' => '0']], $forms('adddomainalias'));
do_action('wu_remove_domain', 'shop.example.com', 2);
$t->same('remove: one POST /deletedomainalias', [['domain' => 'shop.example.com', 'wildcard' => '0']], $forms('deletedomainalias'));
$t->check('add/remove are logged', str_contains($log(), 'add shop.example.com: added') && str_contains($log(), 'remove shop.example.com: removed'));

// Wildcard.
$emu->reset();
do_action('wu_add_domain', '*.wild.example.com', 2);
$t->same('wildcard: sent with *. and wildcard=1', [['domain' => '*.wild.example.com', 'wildcard' => '1']], $forms('adddomainalias'));

// www. twin when the network creates one.
$emu->reset();
update_network_option(null, 'wu_create_www_subdomain', true);
do_action('wu_add_domain', 'brand.example.com', 2);
do_action('wu_remove_domain', 'brand.example.com', 2);
update_network_option(null, 'wu_create_www_subdomain', false);
$t->same('www on: both names added', ['brand.example.com', 'www.brand.example.com'], array_column($forms('adddomainalias'), 'domain'));
$t->same('www on: both names removed', ['brand.example.com', 'www.brand.example.com'], array_column($forms('deletedomainalias'), 'domain'));

// Subdomains of the network: Closte serves them already.
$emu->reset();
do_action('wu_add_subdomain', 'site3.example.test', 3);
do_action('wu_remove_subdomain', 'site3.example.test', 3);
$t->same('subdomain events make no API call', 0, count($emu->requests()));

// The plugin's built-in Closte integration enabled too: still exactly one call.
$emu->reset();
\WP_Ultimo\Integrations\Host_Providers\Closte_Host_Provider::get_instance()->register_hooks(); // what "enabled" does
do_action('wu_add_domain', 'once.example.com', 2);
do_action('wu_remove_domain', 'once.example.com', 2);
$t->same('built-in enabled: one add, one remove', [1, 1], [count($calls('adddomainalias')), count($calls('deletedomainalias'))]);
$guessed = array_filter($emu->requests(), fn ($r) => str_contains($r['path'], 'ssl') || str_contains($r['path'], 'certificate'));
$t->same('built-in enabled: no guessed SSL requests', 0, count($guessed));
$t->check('the take-over is logged', str_contains($log(), 'took over wu_add_domain from WP_Ultimo\Integrations\Host_Providers\Closte_Host_Provider'));

// Closte down, then back: the mapping lands through rescheduled attempts.
$emu->reset();
$GLOBALS['closte_test_scheduled'] = [];
$dead = new ClosteEmulator([], $emu->key);
$deadApi = $dead->api;
$dead->stop();
ini_set('closte.api_url', $deadApi); // unreachable
do_action('wu_add_domain', 'later.example.com', 2);
ini_set('closte.api_url', $emu->api);
$queue = $GLOBALS['closte_test_scheduled'];
$t->same('down: one retry scheduled through Action Scheduler', [['closte_native_retry', ['add', 'later.example.com', 2], 'closte-native']],
    array_map(fn ($a) => [$a['hook'], $a['args'], $a['group']], $queue));
$first = $queue[0]['timestamp'] - time();
$emu->fault(['path' => 'adddomainalias', 'status' => 503]); // still failing, differently
$t->run_scheduled();
$queue = $GLOBALS['closte_test_scheduled'];
$second = ($queue[0]['timestamp'] ?? 0) - time();
$t->check('the delay grows', count($queue) === 1 && $queue[0]['args'][2] === 3 && $second > $first, "delays $first then $second");
$t->run_scheduled(); // Closte is back
$t->same('back: the pending mapping landed', ['later.example.com'], array_column(Closte\list_domains(), 'domain'));
$t->same('back: nothing left scheduled', [], $GLOBALS['closte_test_scheduled']);
$t->check('each attempt is logged', substr_count($log(), 'add later.example.com failed (attempt') === 2
    && str_contains($log(), 'add later.example.com: added (attempt 3'));

// Unmapped while its add waited for a retry: the stale add must not bring it back.
$emu->reset();
ini_set('closte.api_url', $deadApi);
do_action('wu_add_domain', 'gone.example.com', 2);
ini_set('closte.api_url', $emu->api);
do_action('wu_remove_domain', 'gone.example.com', 2); // Closte is back; the admin unmapped it
$t->run_scheduled();
$t->same('a stale retry is dropped: the unmapped domain stays off Closte', [[], 0], [array_column(Closte\list_domains(), 'domain'), count($calls('adddomainalias'))]);
$t->check('the dropped retry is logged', str_contains($log(), 'add gone.example.com: retry dropped, superseded by a later remove'));

// A bad domain: logged once, not retried, nothing sent.
$emu->reset();
do_action('wu_add_domain', 'bad_name!.example.com', 2);
$t->same('bad domain: nothing sent, nothing scheduled', [0, []], [count($emu->requests()), $GLOBALS['closte_test_scheduled']]);
$t->same('bad domain: logged once', 1, substr_count($log(), 'add bad_name!.example.com failed for good'));

// A permanent refusal from Closte (4xx) is not retried either.
$emu->fault(['path' => 'adddomainalias', 'status' => 403]);
do_action('wu_add_domain', 'refused.example.com', 2);
$t->same('4xx: not retried', [1, []], [count($calls('adddomainalias')), $GLOBALS['closte_test_scheduled']]);

// SSL stage: patience raised to 20, and check_ssl's verdict in the domain's log.
$certs = closte_certs();
$wrong = new ClosteEmulator(['--tls-cert', "$certs/wrong-host.pem", '--tls-key', "$certs/wrong-host.key"]);
$port = parse_url($wrong->url, PHP_URL_PORT);
add_filter('closte_native_check_ssl_options', function ($o, $d) use (&$port, $certs) {
    return ['connect_to' => '127.0.0.1', 'port' => $port, 'ca_file' => "$certs/ca.pem"];
}, 10, 2);
$max = apply_filters('wu_async_process_domain_stage_max_tries', 5, new \WP_Ultimo\Models\Domain('shop.example.com', 'checking-ssl-cert'));
$t->same('ssl stage: max tries raised to 20', 20, $max);
$t->check('ssl stage: the verdict and reason are in the domain log',
    str_contains($log('domain-shop.example.com'), 'certificate not issued yet: served certificate is for closte.example.test, not shop.example.com (hostname_mismatch)'),
    $log('domain-shop.example.com'));
$max = apply_filters('wu_async_process_domain_stage_max_tries', 5, new \WP_Ultimo\Models\Domain('dns.example.com', 'checking-dns'));
$t->same('other stages: untouched, no check', [5, ''], [$max, $log('domain-dns.example.com')]);
$valid = new ClosteEmulator(['--tls-cert', "$certs/valid.pem", '--tls-key', "$certs/valid.key"]);
$port = parse_url($valid->url, PHP_URL_PORT);
apply_filters('wu_async_process_domain_stage_max_tries', 5, new \WP_Ultimo\Models\Domain('valid.example.test', 'checking-ssl-cert'));
$t->check('ssl stage: a valid certificate is logged as valid', str_contains($log('domain-valid.example.test'), 'certificate valid: issued by CN=Closte Test CA'));

// The integration wizard: registered, detected, and its test runs Closte\test_connection().
$emu->reset();
$integrations = apply_filters('wu_domain_manager_get_integrations', []);
$t->same('wizard: registered as closte-native', 'Closte_Native_Host_Provider', $integrations['closte-native'] ?? null);
$provider = Closte_Native_Host_Provider::get_instance();
$t->same('wizard: title, detection, supports', ['Closte (native)', true, true], [$provider->get_title(), $provider->detect(), $provider->supports('autossl')]);
add_filter('wp_doing_ajax', '__return_true');
add_filter('wp_die_ajax_handler', fn () => function () { throw new RuntimeException('wp_die'); });
ob_start();
try {
    $provider->test_connection();
} catch (RuntimeException $e) {
}
$raw = ob_get_clean();
$json = json_decode($raw, true);
$t->check('wizard: test connection succeeds', ($json['success'] ?? false) === true && isset($json['data']['domains']), $raw);
$t->same('wizard: test connection is one read-only call', ['/getdomains'], array_column($emu->requests(), 'path'));
ini_set('closte.api_url', $deadApi);
ob_start();
try {
    $provider->test_connection();
} catch (RuntimeException $e) {
}
$raw = ob_get_clean();
ini_set('closte.api_url', $emu->api);
$json = json_decode($raw, true);
$t->check('wizard: an unreachable Closte fails the test with the reason', ($json['success'] ?? true) === false
    && str_contains($json['data']['message'] ?? '', 'Closte\TransportException: cannot connect'), $raw);

$t->check('the emulator never stored the key', !str_contains($emu->rawLog(), $emu->key));
file_put_contents(getenv('WU_LOG_DIR') . '/key.txt', $emu->key); // for the shell's grep of every log
$t->finish();
