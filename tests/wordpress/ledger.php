<?php
/*
 * The claims ledger (Closte_Native_Ledger): no path removes an alias a mapped domain or the
 * network still needs, and none adds back a name nothing maps. Each case is one an admin met
 * on the real plugin (issue "ledger"), on the real Action Scheduler, the console's admin-post
 * actions, and two runner processes at once. Runs as a subdomain install
 * (CLOSTE_WP_SUBDOMAIN, set here): the network's wildcard alias is one of its own names.
 * Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 */

require __DIR__ . '/scenario.inc';

use WP_Ultimo\Models\Domain;

// A subdomain install (the runner processes inherit it). No resolver, no TLS lab (the lab's
// option gives the runner processes the emulator alone): every check fails at once.
[$t, $emu] = Scenario::start(['subdomain' => true, 'ini' => ['max_retries' => 0, 'timeout' => 10, 'nameservers' => '127.0.0.1:9', 'dns_timeout' => 1, 'ssl_timeout' => 1],
    'reset' => true, 'forget' => true, 'test_lab' => ['targets' => [], 'ca_file' => '', 'nameservers' => ['127.0.0.1:9']]]);
$wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET status = 'canceled' WHERE status IN ('pending', 'in-progress')");
wp_set_current_user(1);
$www = fn (string $setting) => update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => $setting]);
$map = function (string $name, int $site = 1): Domain {
    $d = new Domain(['blog_id' => $site, 'stage' => 'done']);
    $d->set_domain($name);
    $d->save(); // → wu_add_domain queued
    return $d;
};
$on = function (): array {
    $names = Closte\list_domain_names();
    sort($names);
    return $names;
};
$removed = fn (int $from) => array_column(array_column(array_filter(array_slice($emu->requests(), $from), fn ($r) => $r['path'] === '/deletedomainalias'), 'form'), 'domain');
$added = fn (int $from) => array_column(array_column(array_filter(array_slice($emu->requests(), $from), fn ($r) => $r['path'] === '/adddomainalias'), 'form'), 'domain');
$log = fn () => (string) @file_get_contents(getenv('WU_LOG_DIR') . '/integration-closte.log');
$t->check('ledger: a subdomain install', is_subdomain_install());

// 1. A www. twin another record maps is not removed with the domain whose twin it also is.
$www('always');
$shop = $map('shop.example.com');
$t->run_queue();
$by_hand = $map('www.shop.example.com'); // mapped by hand: a record of its own
$t->run_queue();
$t->same('1: shop.example.com and its twin are on Closte', ['shop.example.com', 'www.shop.example.com'], $on());
$from = count($emu->requests());
$shop->delete();
$t->run_queue();
$t->same('1: deleting shop.example.com removes its own alias only: www.shop.example.com has a record of its own',
    [['shop.example.com'], ['www.shop.example.com']], [$removed($from), $on()]);
$t->check('1: ... and the log says why the twin stayed', str_contains($log(), 'www.shop.example.com is still claimed by www.shop.example.com: nothing sent'), $log());
$by_hand->delete();
$t->run_queue();
$t->same('1: once nothing claims it, it goes', [], $on());

// A claim the database could not read is a failure, never "no claim": the remove is retried, nothing sent.
$held = $map('held.example.com');
$t->run_queue();
$broken = fn ($q) => str_contains($q, 'closte_claims') && str_starts_with($q, 'SELECT') ? str_replace('closte_claims', 'closte_claims_gone', $q) : $q;
$held->delete();
$from = count($emu->requests());
add_filter('query', $broken);
$t->run_queue('wu_remove_domain');
remove_filter('query', $broken);
$t->same('1: the claims unreadable at send time: nothing removed, each name\'s remove retried', [[], ['held.example.com', 'www.held.example.com']],
    [$removed($from), array_values(array_unique(array_map(fn ($a) => $a[0][1], $t->pending('closte_native_retry'))))]);
$wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET scheduled_date_gmt = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE hook = 'closte_native_retry' AND status = 'pending'");
$t->run_queue('closte_native_retry');
$t->same('1: ... and the retry, the claims readable again, removes both', ['held.example.com', 'www.held.example.com'], array_values(array_intersect(['held.example.com', 'www.held.example.com'], $removed($from))));

// 2. Retry (the console's row, bulk) of a domain deleted since the table was drawn: nothing sent.
$left = $map('left.example.net');
$t->run_queue();
(new Closte_Native_Status())->refresh_aliases();
$t->refresh();
$wpdb->delete(Domain::double_table(), ['id' => $left->get_id()]); // deleted, and its remove event lost
Closte\remove_domain('left.example.net'); // ... while Closte lost the alias: a Missing row
Closte\remove_domain('www.left.example.net');
$from = count($emu->requests());
$r = $t->action('retry', ['domain' => 'left.example.net']);
$t->same('2: Retry of a domain deleted since the page was drawn sends nothing and says so',
    [[], 'warning', true], [$added($from), $r['notice']['type'] ?? null, str_contains((string) ($r['notice']['message'] ?? ''), 'left.example.net is no longer mapped: nothing sent')]);
$t->check('2: ... and never says "Re-sent … on Closte"', !str_contains((string) ($r['notice']['message'] ?? ''), 'on Closte'), json_encode($r['notice']));
$r = $t->action('bulk', ['bulk' => 'retry', 'names' => ['left.example.net', 'www.left.example.net']]);
$t->same('2: bulk Retry: the same', [[], 'warning'], [$added($from), $r['notice']['type'] ?? null]);
// Sync now: the record is deleted after Sync's walk, before the add goes out (the ledger's
// lock is taken right before it decides: the moment of sending).
$late = $map('late.example.net');
$wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET status = 'canceled' WHERE status = 'pending'"); // its add event is lost
$gone = false;
$delete_late = function ($wait) use (&$gone, $wpdb, $late) {
    if (!$gone) {
        $wpdb->delete(Domain::double_table(), ['id' => $late->get_id()]);
        $gone = true;
    }
    return $wait;
};
add_filter('closte_native_lock_wait', $delete_late);
$from = count($emu->requests());
$r = $t->action('sync');
remove_filter('closte_native_lock_wait', $delete_late);
$t->same('2: Sync now decides at the moment of sending: a domain deleted after its walk is not added', [true, [], false],
    [$gone, $added($from), in_array('late.example.net', $on(), true)]);

// 3. A www. setting changed later does not orphan the twins added before it.
$twin = $map('twin.example.org');
$t->run_queue();
$www('never');
$run = $t->refresh();
$t->same('3: after always → never, the twin added before is not unclaimed (console list)', false, in_array('www.twin.example.org', (array) $run['unclaimed'], true));
$c = (new Closte_Native_Inventory())->compare(Closte\list_domain_names());
$t->same('3: ... nor for Sync and wp closte sync --remove-unlisted', false, in_array('www.twin.example.org', $c['unclaimed'], true));
$from = count($emu->requests());
$r = $t->action('remove_unclaimed', ['confirm' => 'remove', 'names' => "www.twin.example.org\nshop.example.com"]);
$t->same('3: a removal posted for it removes nothing', [[], true], [$removed($from), in_array('www.twin.example.org', $on(), true)]);

// 4. The network's own names: its main domain and, on a subdomain install, its wildcard.
Closte\add_domains(['example.test', '*.example.test', 'orphan.example.net']);
$run = $t->refresh();
$t->same('4: the unclaimed list holds neither the main domain nor the wildcard', ['orphan.example.net'], (array) $run['unclaimed']);
$from = count($emu->requests());
$r = $t->action('remove_unclaimed', ['confirm' => 'remove', 'names' => "example.test\n*.example.test\norphan.example.net"]);
$t->same('4: Remove unclaimed removes the orphan, never the network\'s names', [['orphan.example.net'], true, true],
    [$removed($from), in_array('example.test', $on(), true), in_array('*.example.test', $on(), true)]);
$extra = fn ($names) => array_merge($names, ['status.example.net']);
add_filter('closte_native_protected_names', $extra);
Closte\add_domain('status.example.net');
$c = (new Closte_Native_Inventory())->compare(Closte\list_domain_names());
$t->same('4: closte_native_protected_names adds names of the network\'s own', [], $c['unclaimed']);
remove_filter('closte_native_protected_names', $extra);
Closte\remove_domain('status.example.net');

// 5. A page of the walk that fails is a failure, not the end of the network.
$www('always');
Domain::double_insert(array_map(fn ($i) => "bulk$i.example.com", range(1, 1200)));
Closte\add_domains(array_merge(...array_map(fn ($i) => ["bulk$i.example.com", "www.bulk$i.example.com"], range(1, 1200))));
Closte\add_domain('orphan2.example.net');
$c = (new Closte_Native_Inventory())->compare(Closte\list_domain_names());
$t->same('5: one unclaimed alias among 2,400 live ones', [['orphan2.example.net'], 1200], [$c['unclaimed'], $c['records'] - 1]);
$pages = 0;
$fail_second = function ($query) use (&$pages) {
    if (str_contains($query, 'wu_domain_mappings') && str_contains($query, 'OFFSET 500')) {
        $pages++;
        return 'SET STATEMENT max_statement_time=0.001 FOR ' . preg_replace('/^SELECT \*/', 'SELECT *, SLEEP(1) AS closte_sleep', $query); // the server kills it
    }
    return $query;
};
add_filter('query', $fail_second);
$from = count($emu->requests());
$r = $t->action('remove_unclaimed', ['confirm' => 'remove', 'names' => implode("\n", array_merge(['orphan2.example.net'], array_map(fn ($i) => "bulk$i.example.com", range(600, 1200))))]);
remove_filter('query', $fail_second);
$t->same('5: a failed page: nothing removed, and the admin is told', [true, [], 'error', true],
    [$pages > 0, $removed($from), $r['notice']['type'] ?? null, str_contains((string) ($r['notice']['message'] ?? ''), 'Nothing changed: the domain records could not be read')]);
$t->same('5: every live alias is still on Closte', 2400, count(array_filter($on(), fn ($n) => str_contains($n, 'bulk'))));
$wpdb->query('DELETE FROM ' . Domain::double_table() . " WHERE domain LIKE 'bulk%'");
Closte\remove_domains(array_values(array_filter($on(), fn ($n) => str_contains($n, 'bulk') || $n === 'orphan2.example.net')));

// 7. Whole-network paths load no site: compare() switches to none of them.
$sites = [];
for ($i = 1; $i <= 12; $i++) {
    $id = wpmu_create_blog("site$i.example.test", '/', "Site $i", 1);
    update_blog_option($id, 'closte_test_ballast', str_repeat('x', 100000)); // autoloaded
    $sites[] = $id;
}
Domain::double_insert(array_map(fn ($i) => ["own$i.example.com", 'done', $sites[$i - 1]], range(1, 12)));
$switches = 0;
$count = function () use (&$switches) {
    $switches++;
};
add_action('switch_blog', $count);
$c = (new Closte_Native_Inventory())->compare(Closte\list_domain_names());
remove_action('switch_blog', $count);
$t->same('7: Sync\'s walk over 12 records on 12 sites switches to no site', [0, 12 * 2], [$switches, count(array_filter($c['missing'], fn ($n) => str_contains($n, 'own')))]);
$names = Closte_Native_Inventory::site_names($sites);
$t->same('7: site names come from one query of their options tables', ['Site 1', 'Site 12'], [$names[$sites[0]] ?? null, $names[$sites[11]] ?? null]);
$wpdb->query('DELETE FROM ' . Domain::double_table() . " WHERE domain LIKE 'own%'");

// 8. The removal takes only what the admin was shown and confirmed.
Closte\add_domain('shown.example.net');
$t->refresh();
$page = $t->console_page();
preg_match('#<input type="hidden" name="names" value="([^"]*)">#', $page, $m);
$posted = html_entity_decode($m[1] ?? '', ENT_QUOTES);
Closte\add_domain('appeared.example.net'); // on Closte after the page was drawn
$from = count($emu->requests());
$r = $t->action('remove_unclaimed', ['confirm' => 'remove', 'names' => $posted]);
$t->same('8: the box said 1 alias; only that one is removed', [true, ['shown.example.net'], true, 'Removed 1 unclaimed alias, 0 failed.'],
    [str_contains($page, 'Yes, remove this 1 alias from Closte'), $removed($from), in_array('appeared.example.net', $on(), true), $r['notice']['message'] ?? null]);
Closte\remove_domain('appeared.example.net');

// 9. Honest rows. A check batch that throws: the row says it was not checked, and why,
// and shows its last verdict as the old one it is (never "Valid" as if checked now).
$www('never');
$map('honest.example.com');
$t->run_queue();
$run = $t->refresh();
$status_t = (new Closte_Native_Status_Table())->name();
$row = fn () => $wpdb->get_row("SELECT dns_ok, dns_reason, dns_error, cert_valid, cert_reason, cert_error FROM $status_t WHERE name = 'honest.example.com'", ARRAY_A);
$before = $row();
$throw = fn () => ['timeout' => -1]; // an option the extension refuses: the whole batch throws
add_filter('closte_native_console_dns_options', $throw, 99);
add_filter('closte_native_console_ssl_options', $throw, 99);
$t->refresh();
remove_filter('closte_native_console_dns_options', $throw, 99);
remove_filter('closte_native_console_ssl_options', $throw, 99);
$after = $row();
$t->same('9: a batch that throws: both verdicts unknown, each saying why, the last verdicts\' reasons kept', [true, null, true, $before['dns_reason'], null, true, $before['cert_reason']],
    [$before['dns_ok'] !== null && $before['cert_valid'] !== null, $after['dns_ok'], str_starts_with((string) $after['dns_error'], 'DNS could not be checked:'), $after['dns_reason'],
        $after['cert_valid'], str_starts_with((string) $after['cert_error'], 'Certificates could not be checked:'), $after['cert_reason']]);
$cells = Harness::table_rows($t->console_page())['honest.example.com'] ?? ['dns' => '', 'certificate' => ''];
$t->check('9: ... and the console says "Not checked", why, and the last verdict with its time', str_starts_with($cells['dns'], 'Not checked DNS could not be checked:')
    && str_contains($cells['dns'], 'last verdict, ') && str_starts_with($cells['certificate'], 'Not checked Certificates could not be checked:') && str_contains($cells['certificate'], 'last verdict, '), json_encode($cells));
// A superseded chunk's write does not bring back a row a newer plan deleted (a ghost).
$wpdb->delete($status_t, ['name' => 'honest.example.com']);
(new Closte_Native_Refresh())->check(['honest.example.com'], (int) $run['id']);
$t->same('9: a chunk writing after its row was deleted creates no row', 0, (int) $wpdb->get_var("SELECT COUNT(*) FROM $status_t WHERE name = 'honest.example.com'"));
// A chunk that always fails is given up after CHUNK_ATTEMPTS, and the run finishes saying so.
$fail = function () {
    throw new RuntimeException('this chunk always fails');
};
add_action(Closte_Native_Refresh::CHUNK_HOOK, $fail, 1);
Closte_Native_Refresh::start('test');
$t->run_queue(Closte_Native_Refresh::HOOK);
$id = (int) Closte_Native_Refresh::run()['id'];
$attempts = 0;
for ($i = 0; $i < 10 && empty(Closte_Native_Refresh::run()['finished_at']); $i++) {
    $attempts += $t->run_queue(Closte_Native_Refresh::CHUNK_HOOK);
    (new Closte_Native_Refresh())->sweep($id);
}
remove_action(Closte_Native_Refresh::CHUNK_HOOK, $fail, 1);
$t->same('9: a chunk that always fails runs 5 times, then the run finishes', [5, true], [$attempts, !empty(Closte_Native_Refresh::run()['finished_at'])]);
$t->check('9: ... its names say why they were not checked, and the log says which chunk', str_contains((string) $wpdb->get_var("SELECT last_error FROM $status_t WHERE name = 'honest.example.com'"), 'its chunk of the refresh failed 5 times')
    && str_contains($log(), "refresh: chunk 0 of run $id failed 5 times: given up"), $log());
$wpdb->query('DELETE FROM ' . Domain::double_table() . " WHERE domain = 'honest.example.com'");
// A plan step that always fails is given up after CHUNK_ATTEMPTS too: the run ends, saying why.
$fail_plan = function () {
    throw new RuntimeException('this plan step always fails');
};
add_action(Closte_Native_Refresh::HOOK, $fail_plan, 1);
$id = Closte_Native_Refresh::start('test');
$runs_t = $wpdb->base_prefix . 'closte_runs';
$steps = 0;
for ($i = 0; $i < 10 && empty(Closte_Native_Refresh::run()['finished_at']); $i++) {
    $steps += $t->run_queue(Closte_Native_Refresh::HOOK);
    $wpdb->query($wpdb->prepare("UPDATE $runs_t SET plan_at = %d, started_at = %d WHERE id = %d", time() - 120, time() - 120, $id)); // a minute without a step: time moved, not waited for
    (new Closte_Native_Refresh())->sweep($id);
}
remove_action(Closte_Native_Refresh::HOOK, $fail_plan, 1);
$progress = (new Closte_Native_Refresh())->progress();
$t->same('9: a plan step that always fails runs 5 times, then the run ends, failed, and says why', [5, true, 'failed', true],
    [$steps, !empty(Closte_Native_Refresh::run()['finished_at']), $progress['state'], str_contains($progress['text'], 'failed 5 times')]);
$t->check('9: ... and the log says so', str_contains($log(), "refresh: the plan of run $id failed 5 times at record 0: given up"), $log());

// Two runners: during an open refresh, a domain is deleted and mapped again while Closte
// answers the remove slowly. The remove's runner holds the name's lock until Closte
// answered; the add's runner waits for it and decides then: the alias is on Closte at the end.
$www('never');
$again = $map('again.example.com');
$t->run_queue();
Closte_Native_Refresh::start('test'); // open, not run
$emu->fault(['path' => 'deletedomainalias', 'domain' => 'again.example.com', 'delay_ms' => 3000]);
$again->delete(); // → wu_remove_domain queued
$php = preg_split('/\s+/', trim((string) getenv('CLOSTE_WP_PHP')));
$act = fn (string $hook) => proc_open(array_merge($php, [__DIR__ . '/act.php', $hook]), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, getenv());
$from = count($emu->requests());
$a = $act('wu_remove_domain');
$deadline = microtime(true) + 60;
// Until runner A's remove reached Closte (a state of the emulator, not a timer).
$t->wait(fn () => $removed($from) !== [] || !proc_get_status($a)['running'], 60, 0.02);
$map('again.example.com'); // mapped again: → wu_add_domain queued
$b = $act('wu_add_domain');
$t->wait(fn () => !proc_get_status($a)['running'] && !proc_get_status($b)['running'], $deadline - microtime(true), 0.02);
$t->same('two runners: the remove reached Closte first, the add came after it', [['again.example.com'], ['again.example.com']], [$removed($from), $added($from)]);
$t->same('two runners: at the end the alias is on Closte', true, in_array('again.example.com', $on(), true));

// Property: two processes, each a random sequence (fixed seeds) of map, unmap, www. setting
// changes, retries, Sync, "Remove unclaimed" and the reconcile's adds, at the same time.
// Checked against the emulator's request log: no name claimed all along (two domains mapped
// throughout, their twins added under "always", the network's own names) is ever removed;
// and once the queue is idle, one Sync and one removal leave Closte holding every mapped
// name and no name nothing maps.
$www('always');
Domain::double_reset();
$wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET status = 'canceled' WHERE status IN ('pending', 'in-progress')");
$emu->reset();
$stable = ['s1.example.com', 's2.example.com'];
foreach ($stable as $n) {
    $map($n);
}
$t->run_queue();
Closte\add_domains(['example.test', '*.example.test']);
$kept = array_merge($stable, ['www.s1.example.com', 'www.s2.example.com', 'example.test', '*.example.test']);
$t->same('property: the names claimed all along are on Closte', [], array_values(array_diff($kept, $on())));
$from = count($emu->requests());
$procs = [];
foreach ([11, 12] as $seed) {
    $procs[$seed] = proc_open(array_merge($php, [__DIR__ . '/ledger-ops.php', (string) $seed, '40']), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes_of[$seed], null, getenv());
}
$outs = [];
foreach ($procs as $seed => $p) {
    $outs[$seed] = stream_get_contents($pipes_of[$seed][1]) . stream_get_contents($pipes_of[$seed][2]);
    proc_close($p);
}
$t->check('property: both processes ran their 40 operations', substr_count($outs[11], "\n") >= 40 && str_ends_with(trim($outs[11]), 'done') && str_ends_with(trim($outs[12]), 'done'), json_encode($outs));
$t->same('property: no name claimed all along was ever removed', [], array_values(array_intersect($removed($from), $kept)));
$t->check('property: the sequences did remove and add (the test exercised both)', $removed($from) !== [] && $added($from) !== [], json_encode([$removed($from), $added($from)]));
$t->run_queue();
$c = (new Closte_Native_Inventory())->compare(Closte\list_domain_names());
(new Closte_Native_Ledger())->add($c['missing'], [], 'property sync', $c['typed']);
$c = (new Closte_Native_Inventory())->compare(Closte\list_domain_names());
(new Closte_Native_Ledger())->remove($c['unclaimed'], [], 'property removal');
$mapped = array_map('strval', $wpdb->get_col('SELECT domain FROM ' . Domain::double_table()));
$now = $on();
$t->same('property: at the end every mapped name and every name claimed all along is on Closte', [], array_values(array_diff(array_merge($mapped, $kept), $now)));
$twins = array_map(fn ($d) => "www.$d", $mapped);
$t->same('property: ... and nothing else but the twins of mapped domains', [], array_values(array_diff($now, $mapped, $kept, $twins)));

$t->finish();
