<?php
/*
 * The mu-plugin inside a real WordPress multisite (Debian's WordPress core, a real
 * MariaDB), with the real extension and the Closte emulator, loaded the way Ultimate
 * Multisite loads host providers: plugins_loaded → Domain_Manager::load_integrations() →
 * the built-in Closte_Host_Provider (enabled, so hooked) → wp_ultimo_host_providers_load.
 * Domain events travel the plugin's own path: a Domain saved or deleted → an Action
 * Scheduler row in MariaDB → the queue runner → do_action_ref_array($hook, array_values($args)).
 * Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 */

require __DIR__ . '/scenario.inc';

use WP_Ultimo\Models\Domain;

// max_retries 0: keep failure scenarios quick; retries are the bridge's job here.
[$t, $emu] = Scenario::start(['ini' => ['max_retries' => 0, 'timeout' => 5], 'reset' => true]);
$calls = fn (string $endpoint) => $emu->calls($endpoint);
$sent = fn (string $endpoint) => array_column(array_map(fn ($c) => $c['form'], $emu->calls($endpoint)), 'domain');
$forms = fn (string $endpoint) => array_map(fn ($c) => $c['form'], $emu->calls($endpoint));
$log = fn (string $handle = 'integration-closte') => (string) @file_get_contents(getenv('WU_LOG_DIR') . "/$handle.log");
$www = fn (string $setting) => update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => $setting]);
$map = function (string $name, int $site = 2): Domain {
    $d = new Domain(['blog_id' => $site, 'stage' => 'checking-dns']);
    $d->set_domain($name);
    $d->save(); // → wu_transition_domain_domain → send_domain_to_host → wu_add_domain queued
    return $d;
};

// The built-in integration's own requests, counted where WordPress sends them.
$builtin = [];
add_filter('pre_http_request', function ($pre, $args, $url) use (&$builtin) {
    if (str_starts_with($url, 'https://app.closte.com/')) {
        $builtin[] = $url;
        return ['headers' => [], 'body' => '{"success":true}', 'response' => ['code' => 200, 'message' => 'OK'], 'cookies' => []];
    }
    return $pre;
}, 10, 3);

$t->check('the mu-plugin is loaded and active', class_exists('Closte_Native') && Closte_Native_Requirements::missing() === null);
$t->same('plugins_loaded ran load_integrations once', 1, did_action('wp_ultimo_host_providers_load'));
$closte = \WP_Ultimo\Integrations\Host_Providers\Closte_Host_Provider::get_instance();
$t->check('the built-in Closte integration is enabled and hooked, as the plugin does it',
    $closte->is_enabled() && has_action('wu_add_domain', [$closte, 'on_add_domain']) === 10);
$integrations = \WP_Ultimo\Managers\Domain_Manager::get_instance()->get_integrations();
$t->same('the provider is listed through wu_domain_manager_get_integrations',
    ['closte' => 'WP_Ultimo\Integrations\Host_Providers\Closte_Host_Provider', 'closte-native' => 'Closte_Native_Host_Provider'], $integrations);
$t->same('the provider passed the compatibility check', [], Closte_Native_Provider_Guard::problems());

// Map, then unmap, through Action Scheduler. www. off: one alias per event.
$www('never');
$shop = $map('shop.example.com');
$queued = $t->pending('wu_add_domain');
$t->same('mapping queues wu_add_domain in Action Scheduler, in its group', [[['domain' => 'shop.example.com', 'site_id' => 2], 'domain']],
    array_map(fn ($a) => [$a[0], $a[2]], $queued));
$t->check('... due now (an async action: scheduled this second or the last)', count($queued) === 1 && $queued[0][1] <= 0 && $queued[0][1] >= -5, json_encode($queued));
$t->run_queue();
$t->same('add: one POST /adddomainalias', [['domain' => 'shop.example.com', 'wildcard' => '0']], $forms('adddomainalias'));
$shop->delete(); // → wu_domain_post_delete → handle_domain_deleted → wu_remove_domain queued
$t->run_queue();
$t->same('remove: one POST /deletedomainalias', [['domain' => 'shop.example.com', 'wildcard' => '0']], $forms('deletedomainalias'));
$t->same('the built-in integration sent nothing (no wp_remote_post to Closte)', [], $builtin);
$guessed = array_filter($emu->requests(), fn ($r) => str_contains($r['path'], 'ssl') || str_contains($r['path'], 'certificate'));
$t->same('no guessed SSL requests', 0, count($guessed));
$t->check('the take-over is logged', str_contains($log(), 'took over wu_add_domain from WP_Ultimo\Integrations\Host_Providers\Closte_Host_Provider'));
$t->check('add/remove are logged', str_contains($log(), 'add shop.example.com: added') && str_contains($log(), 'remove shop.example.com: removed'));
$t->same('nothing left in flight: no wanted-state record', [null, []], [(new Closte_Native_Events())->wanted('shop.example.com'), (new Closte_Native_Wanted())->all()]);

// Wildcard.
$emu->reset();
$map('*.wild.example.com');
$t->run_queue();
$t->same('wildcard: sent with *. and wildcard=1', [['domain' => '*.wild.example.com', 'wildcard' => '1']], $forms('adddomainalias'));

// www. twin: the plugin's default setting ('always').
$emu->reset();
update_network_option(null, 'wp-ultimo_v2_settings', []);
$brand = $map('brand.example.com');
$t->run_queue();
$brand->delete();
$t->run_queue();
$t->same('www (default always): both names added, once each', ['brand.example.com', 'www.brand.example.com'], $sent('adddomainalias'));
$t->same('www (default always): both names removed, once each', ['brand.example.com', 'www.brand.example.com'], $sent('deletedomainalias'));

// Subdomains of the network: Closte serves them already.
$emu->reset();
as_enqueue_async_action('wu_add_subdomain', ['subdomain' => 'site3.example.test', 'site_id' => 3], 'domain');
as_enqueue_async_action('wu_remove_subdomain', ['subdomain' => 'site3.example.test', 'site_id' => 3], 'domain');
$t->same('subdomain events run', 2, $t->run_queue());
$t->same('subdomain events make no API call', 0, count($emu->requests()));

// Outage during an add with www. on: each name retried on its own, sent once after recovery.
$emu->reset();
$dead = new ClosteEmulator([], $emu->key);
$deadApi = $dead->api;
$dead->stop();
ini_set('closte.api_url', $deadApi); // unreachable
$map('shop4.example.com');
$t->run_queue('wu_add_domain');
$queue = $t->pending('closte_native_retry');
$t->same('down: one retry per name, each carrying one name', [['add', 'shop4.example.com', 2], ['add', 'www.shop4.example.com', 2]],
    array_map(fn ($a) => array_slice($a[0], 0, 3), $queue));
$t->check('down: retries are in the closte-native group, about a minute out', count($queue) === 2
    && $queue[0][2] === 'closte-native' && $queue[0][1] > 30 && $queue[0][1] <= 60, json_encode($queue));
ini_set('closte.api_url', $emu->api); // Closte is back
$t->run_queue();
$t->same('back: each name POSTed exactly once', ['shop4.example.com', 'www.shop4.example.com'], $sent('adddomainalias'));
$t->same('back: both aliases on Closte', ['shop4.example.com', 'www.shop4.example.com'], array_column(Closte\list_domains(), 'domain'));
$t->same('back: nothing left scheduled', [], $t->pending('closte_native_retry'));

// A 503 on the apex only, while www. lands: the retry still carries one name.
$emu->reset();
$emu->fault(['path' => 'adddomainalias', 'status' => 503, 'count' => 1]);
$map('shop5.example.com');
$t->run_queue();
$t->same('503 then back: apex twice (503, then landed), www once', ['shop5.example.com', 'www.shop5.example.com', 'shop5.example.com'], $sent('adddomainalias'));
$t->check('each attempt is logged', str_contains($log(), 'add shop5.example.com failed (attempt 1 of 8)')
    && str_contains($log(), 'add shop5.example.com: added (attempt 2'));

// The stale retry: the apex add fails, www. lands, the domain is unmapped, the apex retry
// comes due. Nothing may be brought back, the www. twin included.
$emu->reset();
$emu->fault(['path' => 'adddomainalias', 'status' => 503, 'count' => 1]);
$c = $map('shop4c.example.com');
$add = $t->pending('wu_add_domain');
do_action_ref_array('wu_add_domain', array_values($add[0][0])); // the queue runner, for this one action
global $wpdb;
$wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET status = 'complete' WHERE hook = 'wu_add_domain' AND status = 'pending'");
$t->same('stale: the apex retry is pending, www. landed', [[['add', 'shop4c.example.com', 2]], ['www.shop4c.example.com']],
    [array_map(fn ($a) => array_slice($a[0], 0, 3), $t->pending('closte_native_retry')), array_column(Closte\list_domains(), 'domain')]);
$c->delete(); // the admin unmaps it; the queue then runs the remove and the stale retry
$t->run_queue();
$t->same('stale: no alias left on Closte after the unmap', [], array_column(Closte\list_domains(), 'domain'));
$t->same('stale: the apex add was sent once (the 503), www. once', ['shop4c.example.com', 'www.shop4c.example.com'], $sent('adddomainalias'));
$t->check('stale: the dropped retry is logged', str_contains($log(), 'add shop4c.example.com: retry dropped, superseded by a later'), $log());

// Unmapped while its add waited for a retry (Closte down): the remove wins.
$emu->reset();
$www('never');
ini_set('closte.api_url', $deadApi);
$g = $map('gone.example.com');
$t->run_queue();
ini_set('closte.api_url', $emu->api);
$g->delete();
$t->run_queue();
$t->same('a stale retry is dropped: the unmapped domain stays off Closte', [[], 0], [array_column(Closte\list_domains(), 'domain'), count($calls('adddomainalias'))]);

// A bad domain: logged once, not retried, nothing sent.
$emu->reset();
Domain::double_insert([['bad_name!.example.com', 'checking-dns', 2]]); // the record the event is for (the ledger reads it)
do_action('wu_add_domain', 'bad_name!.example.com', 2);
$t->same('bad domain: nothing sent, nothing scheduled', [0, []], [count($emu->requests()), $t->pending('closte_native_retry')]);
$t->same('bad domain: logged once', 1, substr_count($log(), 'add bad_name!.example.com failed for good'));

// A permanent refusal from Closte (4xx) is not retried either.
$emu->fault(['path' => 'adddomainalias', 'status' => 403]);
Domain::double_insert([['refused.example.com', 'checking-dns', 2]]); // the record the event is for (the ledger reads it)
do_action('wu_add_domain', 'refused.example.com', 2);
$t->same('4xx: not retried', [1, []], [count($calls('adddomainalias')), $t->pending('closte_native_retry')]);

// Whether a failure is retried is the extension's decision (the core's one rule), not the
// bridge's: HTTP 500 and 501 are permanent there, so they are not retried; 502 is.
foreach ([500 => false, 501 => false, 502 => true] as $status => $retried) {
    $emu->reset();
    $emu->fault(['path' => 'adddomainalias', 'status' => $status]);
    Domain::double_insert([["http$status.example.com", 'checking-dns', 2]]);
    do_action('wu_add_domain', "http$status.example.com", 2);
    $t->same("HTTP $status: " . ($retried ? 'retried' : 'not retried'), $retried ? [['add', "http$status.example.com", 2]] : [],
        array_map(fn ($a) => array_slice($a[0], 0, 3), $t->pending('closte_native_retry')));
    $wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET status = 'canceled' WHERE hook = 'closte_native_retry' AND status = 'pending'");
    closte_test_forget_retry("http$status.example.com");
}
$t->check("the log gives the extension's reason for each decision", (bool) preg_match('/add http500\.example\.com failed for good, not retried: .+ \(.+\)/', $log())
    && (bool) preg_match('/add http502\.example\.com failed \(attempt 1 of 8\): .+ \(retryable: .+\)/', $log()), $log());
$t->check('the bridge has no retry rule of its own', !method_exists('Closte_Native_Events', 'is_transient'));

// A domain stored in Unicode: sent, retried and recorded in its canonical form.
$emu->reset();
$www('always');
ini_set('closte.api_url', $deadApi);
Domain::double_insert([['bücher.example', 'checking-dns', 2]]); // the record the event is for (the ledger reads it)
do_action('wu_add_domain', 'bücher.example', 2);
$t->same('Unicode: one retry per name, each carrying the canonical name', [['add', 'xn--bcher-kva.example', 2], ['add', 'www.xn--bcher-kva.example', 2]],
    array_map(fn ($a) => array_slice($a[0], 0, 3), $t->pending('closte_native_retry')));
$records = (new Closte_Native_Wanted())->all();
ksort($records);
$t->same('Unicode: the wanted-state records are keyed by the canonical name', [['www.xn--bcher-kva.example', 'xn--bcher-kva.example'], 'xn--bcher-kva.example'],
    [array_keys($records), $records['xn--bcher-kva.example']['name'] ?? null]);
ini_set('closte.api_url', $emu->api);
$t->run_queue('closte_native_retry');
$t->same('Unicode: both names landed, nothing left in flight', [['www.xn--bcher-kva.example', 'xn--bcher-kva.example'], []],
    [(function () { $n = array_values(array_filter(array_column(Closte\list_domains(), 'domain'), fn ($n) => str_contains($n, 'bcher'))); sort($n); return $n; })(), (new Closte_Native_Wanted())->all()]);
// A retry queued by 0.3.0: its record a network option keyed by the name as typed, its args
// the typed name. The upgrade to 0.4.0 (0.3.0 had no tables) moves the record into the table.
$emu->reset();
$legacy = Closte_Native_Wanted::LEGACY_PREFIX . md5('bücher.example');
update_network_option(null, $legacy, ['name' => 'bücher.example', 'op' => 'add', 'token' => 'tok-0.3.0', 'attempt' => 2]);
delete_network_option(null, Closte_Native_Status_Table::SCHEMA_OPTION);
(new Closte_Native_Status_Table())->install();
$t->same('0.3.0 record: the upgrade moves it into the table, under the canonical name, and deletes the option',
    [['xn--bcher-kva.example'], ['add', 'tok-0.3.0', 2], false, Closte_Native_Status_Table::SCHEMA],
    [array_keys((new Closte_Native_Wanted())->all()), array_values(array_intersect_key((new Closte_Native_Wanted())->all()['xn--bcher-kva.example'] ?? [], ['op' => 1, 'token' => 1, 'attempt' => 1])),
        get_network_option(null, $legacy, false), (int) get_network_option(null, Closte_Native_Status_Table::SCHEMA_OPTION)]);
do_action('closte_native_retry', 'add', 'bücher.example', 2, 'tok-0.3.0');
$t->same('0.3.0 record: its retry still runs, sends the canonical name, and settles', [['xn--bcher-kva.example'], []],
    [$sent('adddomainalias'), (new Closte_Native_Wanted())->all()]);
$www('never');

// A retry whose record cannot be read (the database) is moved to later, never dropped as
// "superseded": the record is kept and the same attempt comes again.
$emu->reset();
$wanted = new Closte_Native_Wanted();
$wanted->put('moved.example.com', 'add', 'tok-moved', 3);
$wpdb->query("RENAME TABLE {$wanted->name()} TO {$wanted->name()}_away");
$quiet = $wpdb->suppress_errors(true);
do_action('closte_native_retry', 'add', 'moved.example.com', 3, 'tok-moved');
$wpdb->suppress_errors($quiet);
$wpdb->query("RENAME TABLE {$wanted->name()}_away TO {$wanted->name()}");
$t->same('a retry whose record cannot be read: nothing sent, the same attempt scheduled again, the record kept',
    [[], [['add', 'moved.example.com', 3, 'tok-moved']], 'tok-moved'],
    [$sent('adddomainalias'), array_map(fn ($a) => $a[0], $t->pending('closte_native_retry')), $wanted->get('moved.example.com')['token'] ?? null]);
$t->check('... and the log says why', (bool) preg_match('/add moved\.example\.com: attempt 3 moved by \d+ s: the retries in flight could not be read/', $log()), $log());
$wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET status = 'canceled' WHERE hook = 'closte_native_retry' AND status = 'pending'");
closte_test_forget_retry('moved.example.com');

// SSL stage, through the plugin's own async_process_domain_stage: 20 tries, and one check_ssl
// verdict in the domain's log per processing.
$certs = closte_certs();
$wrong = new ClosteEmulator(['--tls-cert', "$certs/wrong-host.pem", '--tls-key', "$certs/wrong-host.key"]);
$port = parse_url($wrong->url, PHP_URL_PORT);
add_filter('closte_native_check_ssl_options', function ($o, $d) use (&$port, $certs) {
    return ['connect_to' => '127.0.0.1', 'port' => $port, 'ca_file' => "$certs/ca.pem"];
}, 10, 2);
$ssl = new Domain(['blog_id' => 2, 'stage' => 'checking-ssl-cert']);
$ssl->set_domain('shop.example.com');
$ssl->save();
$wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET status = 'complete' WHERE status = 'pending'");
do_action('wu_async_process_domain_stage', $ssl->get_id(), 5);
$t->same('ssl stage: the tries go on past 5 (max 20)', [[['domain_id' => $ssl->get_id(), 'tries' => 6]]],
    array_map(fn ($a) => [$a[0]], $t->pending('wu_async_process_domain_stage')));
$t->same('ssl stage: max tries raised to 20', 20, apply_filters('wu_async_process_domain_stage_max_tries', 5, $ssl));
$t->same('ssl stage: one check per processing', 2, substr_count($log('domain-shop.example.com'), 'certificate not issued yet'));
$t->check('ssl stage: the verdict and reason are in the domain log',
    str_contains($log('domain-shop.example.com'), 'certificate not issued yet: served certificate is for closte.example.test, not shop.example.com (hostname_mismatch)'),
    $log('domain-shop.example.com'));
$dns = new Domain(['blog_id' => 2, 'stage' => 'checking-dns']);
$dns->set_domain('dns.example.com');
$t->same('other stages: untouched, no check', [5, ''], [apply_filters('wu_async_process_domain_stage_max_tries', 5, $dns), $log('domain-dns.example.com')]);
$valid = new ClosteEmulator(['--tls-cert', "$certs/valid.pem", '--tls-key', "$certs/valid.key"]);
$port = parse_url($valid->url, PHP_URL_PORT);
$ok = new Domain(['blog_id' => 2, 'stage' => 'checking-ssl-cert']);
$ok->set_domain('valid.example.test');
apply_filters('wu_async_process_domain_stage_max_tries', 5, $ok);
$t->check('ssl stage: a valid certificate is logged as valid', str_contains($log('domain-valid.example.test'), 'certificate valid: issued by CN=Closte Test CA'));

// The integration wizard's "Test connection", through Domain_Manager::test_integration.
wp_set_current_user(1); // the network's super admin
add_filter('wp_doing_ajax', '__return_true');
add_filter('wp_die_ajax_handler', fn () => function () { throw new RuntimeException('wp_die'); });
$wizard = function (string $id): array {
    $_REQUEST['integration'] = $id;
    ob_start();
    try {
        do_action('wp_ajax_wu_test_hosting_integration');
    } catch (RuntimeException $e) {
    }
    $raw = ob_get_clean();
    return [json_decode($raw, true), $raw];
};
$emu->reset();
$builtin = [];
[$json, $raw] = $wizard('closte-native');
$t->check('wizard: test connection succeeds', ($json['success'] ?? false) === true && isset($json['data']['domains']), $raw);
$t->same('wizard: test connection is one read-only call', ['/getdomains'], array_column($emu->requests(), 'path'));
$emu->reset();
[$json, $raw] = $wizard('closte');
$t->check("wizard: the built-in Closte's test is answered by the bridge", ($json['success'] ?? false) === true && isset($json['data']['domains']), $raw);
$t->same("wizard: the built-in Closte's test sends nothing of its own", [[], ['/getdomains']], [$builtin, array_column($emu->requests(), 'path')]);
$t->check('wizard: the take-over of the test is logged', str_contains($log(), "took over the wizard's connection test"));
ini_set('closte.api_url', $deadApi);
[$json, $raw] = $wizard('closte-native');
ini_set('closte.api_url', $emu->api);
$t->check('wizard: an unreachable Closte fails the test with the reason and what to do, no class name', ($json['success'] ?? true) === false
    && str_contains($json['data']['message'] ?? '', 'Closte could not be reached (cannot connect') && str_contains($json['data']['message'], 'Try again in a few minutes')
    && !str_contains($json['data']['message'], 'Closte\\'), $raw);
wp_set_current_user(0);
$emu->reset();
$builtin = [];
[$json, $raw] = $wizard('closte');
$t->same('wizard: anyone else gets a 403 and nothing is sent', [false, [], []], [$json['success'] ?? null, $emu->requests(), $builtin]);

$t->check('no line of the built-in integration in the log (no key prefix)', !str_contains($log(), 'Using API key'), $log());
$t->check('the emulator never stored the key', !str_contains($emu->rawLog(), $emu->key));
file_put_contents(getenv('WU_LOG_DIR') . '/key.txt', $emu->key . "\n", FILE_APPEND); // for the shell's grep of every log, one key a line
$t->finish();
