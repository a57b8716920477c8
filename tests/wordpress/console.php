<?php
/*
 * The console's data and the daily reconcile in the real multisite (CLI): one snapshot per
 * refresh (one list read, one certificate batch, one DNS batch), the statuses each row
 * shows against the emulator and the TLS lab, escaping of what comes from outside, and the
 * reconcile through Action Scheduler: a missing alias is added, nothing is removed, and
 * expiring or invalid certificates of finished domains are reported. Every name compared in
 * its canonical form (a record stored as bücher.example is xn--bcher-kva.example on Closte);
 * the actions as admin-post.php runs them (POST only, what Retry really did, a short
 * timeout of their own, errors that say what to do next, alerts rewritten by Refresh).
 * Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 */

require __DIR__ . '/scenario.inc';

[$t, $emu, $lab] = Scenario::start(['lab' => true]);
delete_network_option(null, Closte_Native_Reconcile::ALERTS_OPTION);
$log = fn () => (string) @file_get_contents(getenv('WU_LOG_DIR') . '/integration-closte.log');

ClosteLab::map_domains();
$t->run_queue('wu_add_domain');
Closte\add_domain('orphan.example.net'); // an alias no domain claims
Closte\remove_domain('expired.example.test'); // an alias lost on Closte's side
$sent = count($emu->requests()); // the emulator's log so far; its state (the aliases) stays
$since = fn (int $from) => array_slice($emu->requests(), $from);
$lab->dns->stats(true);

$inventory = Harness::inventory();
$stages = array_map(fn ($d) => $d[0], CLOSTE_LAB_DOMAINS);
ksort($stages);
$read = array_combine(array_column($inventory, 'domain'), array_column($inventory, 'stage'));
ksort($read);
$t->same('inventory: one entry per Ultimate Multisite domain record, with its stage', [$stages, count($stages)], [$read, count($inventory)]);
$entry = fn (string $domain) => array_values(array_filter(Harness::inventory(), fn ($d) => $d['domain'] === $domain))[0] ?? null;
$t->same('inventory: names and sites', [['valid.example.test'], 2], [$entry('valid.example.test')['names'] ?? null, $entry('valid.example.test')['site_id'] ?? null]);
$t->same('inventory: a Unicode record in its canonical form, with its twin, and the plugin\'s stage label',
    ['bücher.example', 'xn--bcher-kva.example', null, ['xn--bcher-kva.example', 'www.xn--bcher-kva.example'], 'Checking SSL'],
    array_values(array_intersect_key($entry('bücher.example') ?? [], array_flip(['domain', 'canonical', 'invalid', 'names', 'stage_label']))));
$listed = array_column(Closte\list_domains(), 'domain');
sort($listed);
$t->same('the bridge sent the Unicode record and its twin as Closte takes them', ['www.xn--bcher-kva.example', 'xn--bcher-kva.example'],
    array_values(array_filter($listed, fn ($n) => str_contains($n, 'bcher'))));
$t->same('wanted-state records: none left once every add landed', [], (new Closte_Native_Wanted())->all());
$names = array_values(array_unique(array_merge([], ...array_column($inventory, 'names'))));
$sent = count($emu->requests());

$run = $t->refresh();
$table = new Closte_Native_Status_Table();
$t->same('refresh: one list read and nothing else sent to Closte', ['/getdomains'], array_column($since($sent), 'path'));
$t->same('refresh: one DNS batch (A and AAAA per name; CAA asked apart, for the names whose addresses are right)', 2 * count($names), $lab->dns->stats()['addresses']);
$t->check('refresh: the run is finished, with its time', !empty($run['finished_at']) && $run['total'] === count($names), json_encode($run));
$dbrows = [];
foreach ($wpdb->get_results('SELECT * FROM ' . $table->name(), ARRAY_A) as $r) {
    $dbrows[$r['name']] = $r;
}
ksort($dbrows);
$verdicts = array_map(fn ($r) => $r['cert_valid'] ? 'valid' : $r['cert_reason'], $dbrows);
$t->same('refresh: each certificate as the lab serves it, one row per canonical name', ['expired.example.test' => 'expired', 'expiring.example.test' => 'valid',
    'hostile.example.test' => 'valid', 'silent.example.test' => 'timeout', 'valid.example.test' => 'valid', 'wronghost.example.test' => 'hostname_mismatch',
    'www.xn--bcher-kva.example' => 'hostname_mismatch', 'xn--bcher-kva.example' => 'hostname_mismatch'], $verdicts);
$t->same('refresh: DNS against CLOSTE_PUBLIC_IP_ADDRESS', ['1', 'points_elsewhere', '1', '1'],
    [$dbrows['valid.example.test']['dns_ok'], $dbrows['silent.example.test']['dns_reason'], $dbrows['xn--bcher-kva.example']['dns_ok'] ?? null, $dbrows['www.xn--bcher-kva.example']['dns_ok'] ?? null]);
$t->same('table: the twin is its own row, of its domain record', ['bücher.example', '1'], [$dbrows['www.xn--bcher-kva.example']['domain'] ?? null, $dbrows['www.xn--bcher-kva.example']['is_twin'] ?? null]);
$t->same('table: the schema version is kept as a network option', Closte_Native_Status_Table::SCHEMA, (int) get_network_option(null, Closte_Native_Status_Table::SCHEMA_OPTION));

wp_set_current_user(1); // the network's super admin
$page = $t->console_page();
$rows = Harness::table_rows($page);
$t->same('page: one row per name, sorted by the domain as typed, the twin on its own row after its domain', ['xn--bcher-kva.example', 'www.xn--bcher-kva.example', 'expired.example.test', 'expiring.example.test', 'hostile.example.test', 'silent.example.test',
    'valid.example.test', 'wronghost.example.test'], array_keys($rows));
$t->same('rows: on Closte, a badge with a word: Yes / Missing', ['Yes', 'Missing Retry', 'Yes'],
    [$rows['valid.example.test']['closte'], trim($rows['expired.example.test']['closte'] . ' ' . (str_contains($rows['expired.example.test']['_html']['closte'], 'retry_one') ? 'Retry' : '')), $rows['silent.example.test']['closte']]);
$t->check('rows: state badges carry a colour class and a word', str_contains($rows['valid.example.test']['_html']['closte'], 'closte-badge-ok">Yes<')
    && str_contains($rows['expired.example.test']['_html']['closte'], 'closte-badge-error">Missing<'), $rows['expired.example.test']['_html']['closte']);
$t->check('rows: a missing alias has its own Retry, named after it, in the table\'s POST form', str_contains($rows['expired.example.test']['_html']['closte'], 'name="retry_one" value="expired.example.test"')
    && str_contains($rows['expired.example.test']['_html']['closte'], 'Retry expired.example.test') && !str_contains($rows['valid.example.test']['_html']['closte'], 'retry_one')
    && str_contains($page, 'name="action" value="closte_native_bulk"'), $rows['expired.example.test']['_html']['closte']);
$t->same('rows: DNS OK with the address, or Wrong with where it points and where it should', ['OK 198.51.100.7', 'Wrong silent.example.test points to 203.0.113.9; Closte expects 198.51.100.7 (points_elsewhere)'],
    [$rows['valid.example.test']['dns'], $rows['silent.example.test']['dns']]);
$t->check('rows: a valid certificate is compact (days left), subject and issuer on demand', (bool) preg_match('/^Valid (89|90) days left$/', $rows['valid.example.test']['certificate'])
    && str_contains($rows['valid.example.test']['_html']['certificate'], '<details') && str_contains($rows['valid.example.test']['_html']['certificate'], 'CN=Closte Test CA'),
    $rows['valid.example.test']['certificate']);
$t->check('rows: an expiring certificate is a warning badge', (bool) preg_match('/^Expiring [45] days left$/', $rows['expiring.example.test']['certificate'])
    && str_contains($rows['expiring.example.test']['_html']['certificate'], 'closte-badge-warning'), $rows['expiring.example.test']['certificate']);
$t->check('rows: certificate reasons in words', str_contains($rows['wronghost.example.test']['certificate'], 'served certificate is for closte.example.test, not wronghost.example.test (hostname_mismatch)'),
    $rows['wronghost.example.test']['certificate']);
$t->check('rows: the Unicode record shows as typed and in its canonical form; its twin says whose it is', str_contains($rows['xn--bcher-kva.example']['name'] ?? '', 'bücher.example (xn--bcher-kva.example)')
    && str_contains($rows['www.xn--bcher-kva.example']['name'] ?? '', 'www.xn--bcher-kva.example (www. twin of bücher.example)'), json_encode([$rows['xn--bcher-kva.example']['name'] ?? null, $rows['www.xn--bcher-kva.example']['name'] ?? null]));
$t->same('rows: the Unicode record\'s names are on Closte, checked', ['Yes', 'Yes', 'OK 198.51.100.7', 'OK 198.51.100.7'],
    [$rows['xn--bcher-kva.example']['closte'] ?? null, $rows['www.xn--bcher-kva.example']['closte'] ?? null, $rows['xn--bcher-kva.example']['dns'] ?? null, $rows['www.xn--bcher-kva.example']['dns'] ?? null]);
$label = fn (string $cell) => explode(' waiting for', explode(' watched for', $cell)[0])[0];
$t->same("rows: stages with the plugin's own labels", ['Checking SSL', 'Ready', 'Checking DNS'],
    [$label($rows['wronghost.example.test']['stage']), $label($rows['valid.example.test']['stage']), $label($rows['silent.example.test']['stage'])]);
$t->same('rows: under a waiting stage, what it waits for (nothing under a finished one)',
    ['waiting for the certificate, not checked by the watcher yet', '', 'waiting for DNS, not checked by the watcher yet'],
    array_map(fn ($d) => trim(substr($rows[$d]['stage'], strlen($label($rows[$d]['stage'])))), ['wronghost.example.test', 'valid.example.test', 'silent.example.test']));
$t->check('page: no "Last log line" column; a caption; the views; the search box; CSV export', !str_contains($page, 'Last log line') && str_contains($page, '<caption')
    && str_contains($page, 'Needs attention <span class="count">') && str_contains($page, 'id="closte-native-search-search-input"') && str_contains($page, 'value="closte_native_export"'));

// The page: the unclaimed aliases compared canonical (the Unicode record's names are claimed).
$unclaimed = function (string $html): array {
    preg_match('#<ul class="closte-native-unclaimed">(.*?)</ul>#s', $html, $m);
    preg_match_all('#<li>(.*?)</li>#', $m[1] ?? '', $li);
    return $li[1];
};
$t->same('page: only the alias no record claims is unclaimed', ['orphan.example.net'], $unclaimed($page));

// After a change to Closte's aliases only the alias column is read again: one list read,
// no DNS question, the certificate verdicts kept.
Closte\remove_domain('valid.example.test');
$lab->dns->stats(true);
$sent = count($emu->requests());
$before = $wpdb->get_col('SELECT cert_checked_at FROM ' . $table->name() . ' ORDER BY name');
(new Closte_Native_Status())->refresh_aliases();
$t->same('refresh_aliases: one list read, no DNS, same certificates, the alias gone',
    [['/getdomains'], 0, $before, '0'],
    [array_column($since($sent), 'path'), $lab->dns->stats()['queries'], $wpdb->get_col('SELECT cert_checked_at FROM ' . $table->name() . ' ORDER BY name'),
        $wpdb->get_var('SELECT on_closte FROM ' . $table->name() . " WHERE name = 'valid.example.test'")]);
Closte\add_domain('valid.example.test');
(new Closte_Native_Status())->refresh_aliases();

// Actions, as admin-post.php runs them. Anything but POST is refused, a valid nonce or not.
$sent = count($emu->requests());
$checked = Closte_Native_Refresh::run()['id'];
$get = $t->action('sync', [], 'GET');
$t->check('GET: Sync with a valid nonce is refused (405) and nothing is sent', $get['status'] === 405 && str_contains($get['die'] ?? '', 'POST')
    && $since($sent) === [] && $get['notice'] === null, json_encode($get));
$get = $t->action('refresh', [], 'GET');
$t->same('GET: Refresh is refused (405) and enqueues nothing', [405, [], $checked, []], [$get['status'], $since($sent), Closte_Native_Refresh::run()['id'], $t->pending(Closte_Native_Refresh::HOOK)]);
$t->same('POST without a valid nonce: refused (403), nothing sent', [403, []], [$t->action('sync', ['_wpnonce' => 'forged'])['status'], $since($sent)]);

// Retry says what really happened. Closte refuses for good: the notice says so, with why.
// (An HTTP 403 with Closte's JSON: a plain success:false is read back from the list and re-sent first.)
$emu->fault(['path' => 'adddomainalias', 'domain' => 'expired.example.test', 'status' => 403, 'json' => ['success' => false, 'error' => 'Domain blocked by policy']]);
$r = $t->action('retry', ['domain' => 'expired.example.test']);
$t->check('Retry refused: an error notice that says refused and why, never "on Closte"', ($r['notice']['type'] ?? '') === 'error'
    && str_contains($r['notice']['message'], 'refused') && str_contains($r['notice']['message'], 'Domain blocked by policy')
    && !str_contains($r['notice']['message'], 'on Closte'), json_encode($r));
$t->same('Retry refused: nothing scheduled, no record left', [[], null], [$t->pending('closte_native_retry'), (new Closte_Native_Events())->wanted('expired.example.test')]);
// Closte is down for a moment: a retry is scheduled, and the notice and the row say so.
$emu->fault(['path' => 'adddomainalias', 'status' => 503, 'count' => 1]);
$r = $t->action('retry', ['domain' => 'expired.example.test']);
$t->check('Retry on a 503: a warning that a retry is scheduled, with why', ($r['notice']['type'] ?? '') === 'warning'
    && str_contains($r['notice']['message'], 'Closte did not take expired.example.test yet') && str_contains($r['notice']['message'], 'attempt 2 of 8 is scheduled') && !str_contains($r['notice']['message'], 'Try again')
    && !str_contains($r['notice']['message'], 'on Closte'), json_encode($r));
$rows = Harness::table_rows($t->console_page());
$t->same('rows: a scheduled retry shows as pending, attempt n of 8', 'Retry pending attempt 2 of 8', $rows['expired.example.test']['closte'] ?? null);
// Closte hangs up before answering: the admin reads that, not the transport's own words.
$retries = ini_get('closte.max_retries');
ini_set('closte.max_retries', '0');
$emu->fault(['path' => 'adddomainalias', 'drop' => true, 'count' => 1]);
$r = $t->action('retry', ['domain' => 'expired.example.test']);
ini_set('closte.max_retries', (string) $retries);
$t->check('Retry when Closte closes the connection: the notice says so in words (no "client error (SendRequest)"), and that it is sent again by itself',
    ($r['notice']['type'] ?? '') === 'warning' && (bool) preg_match('/Closte did not take expired\.example\.test yet \(Closte \([\d.:]+\) closed the connection before answering\); it is sent again automatically: attempt 2 of 8 is scheduled\./', $r['notice']['message'] ?? '')
    && !str_contains($r['notice']['message'] ?? '', 'SendRequest') && !str_contains($r['notice']['message'] ?? '', 'Try again'), json_encode($r['notice'] ?? null));
global $wpdb;
$wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET status = 'canceled' WHERE hook = 'closte_native_retry' AND status = 'pending'");
closte_test_forget_retry('expired.example.test');

// The Unicode record lost its alias on Closte: its row says missing, its Retry re-sends it.
Closte\remove_domain('xn--bcher-kva.example');
(new Closte_Native_Status())->refresh_aliases();
$u = Harness::table_rows($t->console_page())['xn--bcher-kva.example'] ?? ['closte' => '', '_html' => ['closte' => '']];
$t->check('rows: the Unicode record\'s lost alias shows missing, with a Retry', $u['closte'] === 'Missing' && str_contains($u['_html']['closte'], 'retry_one'), $u['_html']['closte']);
$sent = count($emu->requests());
$r = $t->action('retry', ['domain' => 'bücher.example']);
$t->same('Retry of the Unicode record: on Closte, said with both forms', ['success', 'Re-sent bücher.example (xn--bcher-kva.example): on Closte.'],
    [$r['notice']['type'] ?? null, $r['notice']['message'] ?? null]);
$t->same('Retry of the Unicode record: both names sent in canonical form (the twin was there already)', ['xn--bcher-kva.example', 'www.xn--bcher-kva.example'],
    array_column(array_column(array_filter($since($sent), fn ($x) => $x['path'] === '/adddomainalias'), 'form'), 'domain'));
$u = Harness::table_rows($t->console_page());
$t->same('rows: ... and both rows say Yes again', ['Yes', 'Yes'], [$u['xn--bcher-kva.example']['closte'] ?? null, $u['www.xn--bcher-kva.example']['closte'] ?? null]);

// Sync: the one missing alias added, with counts.
$r = $t->action('sync');
$t->same('Sync: a notice with counts', ['success', 'Sync: 1 added, 7 already on Closte, 0 failed.'], [$r['notice']['type'] ?? null, $r['notice']['message'] ?? null]);

// Remove unclaimed aliases, confirmed: only the orphan goes; the Unicode record's names stay.
$sent = count($emu->requests());
$r = $t->action('remove_unclaimed', ['confirm' => 'remove', 'names' => 'orphan.example.net']);
$t->same('Remove unclaimed: only the alias no record claims is removed', [['orphan.example.net'], 'Removed 1 unclaimed alias, 0 failed.'],
    [array_column(array_column(array_filter($since($sent), fn ($x) => $x['path'] === '/deletedomainalias'), 'form'), 'domain'), $r['notice']['message'] ?? null]);
$t->same("Remove unclaimed: the Unicode record's aliases are still on Closte", ['www.xn--bcher-kva.example', 'xn--bcher-kva.example'],
    array_values(array_filter(array_column(Closte\list_domains(), 'domain'), fn ($n) => str_contains($n, 'bcher'))));
Closte\add_domain('orphan.example.net');

// Escaping: a certificate subject with a <script> tag, a domain record with markup.
$hostileSubject = (string) $wpdb->get_var('SELECT cert_subject FROM ' . $table->name() . " WHERE name = 'hostile.example.test'");
$t->same('the hostile certificate really carries markup', "CN=<script>document.title='pwned'</script>", $hostileSubject);
$bad = new \WP_Ultimo\Models\Domain(['blog_id' => 2, 'stage' => 'checking-dns']);
$bad->set_domain('<img src=x onerror=alert(1)>.example.test');
$bad->save();
$t->run_queue('wu_add_domain');
$t->refresh();
$html = $t->console_page();
$t->check('rows: markup from outside is escaped', !str_contains($html, '<img') && !str_contains($html, "<script>document")
    && str_contains($html, '&lt;img src=x onerror=alert(1)&gt;.example.test') && str_contains($html, 'CN=&lt;script&gt;document.title=&#039;pwned&#039;&lt;/script&gt;, issued by'));
// That record's name is not a valid domain name: shown as invalid, and it stops every removal.
$b = array_values(array_filter(Harness::table_rows($html), fn ($r) => str_contains($r['name'], '<img')))[0] ?? ['name' => '', 'closte' => '', '_html' => ['closte' => '']];
$t->check('rows: a name the extension refuses is shown as invalid, with no Retry', str_contains($b['name'], '(not a valid domain name:')
    && str_contains($b['closte'], 'not a valid domain name') && !str_contains($b['_html']['closte'], 'retry_one'), json_encode($b));
(new Closte_Native_Status())->refresh_aliases();
$page = $t->console_page();
$t->check('page: while a record is invalid, the removal form is replaced by why', str_contains($page, 'closte-native-removal-blocked')
    && !str_contains($page, 'name="action" value="closte_native_remove_unclaimed"') && $unclaimed($page) === ['orphan.example.net'], $page);
$sent = count($emu->requests());
$r = $t->action('remove_unclaimed', ['confirm' => 'remove', 'names' => 'orphan.example.net']);
$t->check('Remove unclaimed with an invalid record: refused, nothing changed (only the list read)', ($r['notice']['type'] ?? '') === 'error'
    && str_contains($r['notice']['message'], 'Nothing removed') && array_column($since($sent), 'path') === ['/getdomains'], json_encode($r));
$r = $t->action('sync');
$t->check('Sync: an invalid name is not sent, and the notice says why and what to do', str_contains($r['notice']['message'] ?? '', 'Not sent, not a valid domain name: <img')
    && str_contains($r['notice']['message'], 'Correct it in its domain record') && !array_filter($since($sent), fn ($x) => str_contains(json_encode($x), 'img')), json_encode($r));
$bad->delete();
$t->run_queue('wu_remove_domain');

Closte\remove_domain('expired.example.test'); // missing again (the Syncs above added it), for the reconcile
// The daily reconcile: registered once, through Action Scheduler.
do_action('init');
do_action('init');
$t->same('reconcile: one recurring action, in the closte-native group', 1, count(array_filter($t->pending(Closte_Native_Reconcile::HOOK), fn ($a) => $a[2] === 'closte-native')));
$sent = count($emu->requests());
do_action(Closte_Native_Reconcile::HOOK); // as Action Scheduler runs it when due
$t->same('reconcile: its action only enqueues the refresh, with add_missing (nothing sent in it)', [[], 1, 'reconcile', true],
    [$since($sent), count($t->pending(Closte_Native_Refresh::HOOK)), Closte_Native_Refresh::run()['source'] ?? null, Closte_Native_Refresh::run()['add_missing'] ?? null]);
// The queue: the plan, then the chunk (its adds, then its checks), then the sweep.
$drain = function () use ($t): void {
    foreach ([Closte_Native_Refresh::HOOK, Closte_Native_Refresh::CHUNK_HOOK, Closte_Native_Refresh::SWEEP_HOOK] as $hook) {
        $t->run_queue($hook);
    }
};
$drain();
$t->same('reconcile: the plan reads the list, the chunk reads it again and adds the missing alias; nothing else is sent',
    [['/getdomains', '/getdomains', '/adddomainalias'], ['expired.example.test']],
    [array_column($since($sent), 'path'), array_column(array_column(array_filter($since($sent), fn ($r) => $r['path'] === '/adddomainalias'), 'form'), 'domain')]);
$t->same('reconcile: the row says so (on Closte, added in this run), and the run is finished', ['1', (string) Closte_Native_Refresh::run()['id'], true],
    [$wpdb->get_var('SELECT on_closte FROM ' . (new Closte_Native_Status_Table())->name() . " WHERE name = 'expired.example.test'"),
        $wpdb->get_var('SELECT added_run FROM ' . (new Closte_Native_Status_Table())->name() . " WHERE name = 'expired.example.test'"), !empty(Closte_Native_Refresh::run()['finished_at'])]);
// A chunk run again (its worker died after its POST, before its rows were written): the
// add's own list read finds the name there, nothing is sent twice, and it still counts.
$status_t = (new Closte_Native_Status_Table())->name();
$wpdb->query("UPDATE $status_t SET on_closte = 0, added_run = 0 WHERE name = 'expired.example.test'");
$again_sent = count($emu->requests());
do_action(Closte_Native_Refresh::CHUNK_HOOK, Closte_Native_Refresh::run()['id'], (int) $wpdb->get_var("SELECT chunk FROM $status_t WHERE name = 'expired.example.test'"), 2);
$t->same('reconcile: a chunk run twice sends nothing twice (its add reads the list, finds the name, posts nothing); the row says on Closte, counted as already there',
    [['/getdomains'], '1', [0, 8, 0]], [array_column($since($again_sent), 'path'), $wpdb->get_var("SELECT on_closte FROM $status_t WHERE name = 'expired.example.test'"),
        (new Closte_Native_Status_Table())->add_counts(Closte_Native_Refresh::run()['id'])]);
$t->same('reconcile: nothing removed (the unclaimed alias stays)', [[], true],
    [array_values(array_filter($since($sent), fn ($r) => $r['path'] === '/deletedomainalias')), in_array('orphan.example.net', array_column(Closte\list_domains(), 'domain'), true)]);
$t->check('reconcile: what it changed is logged', str_contains($log(), 'reconcile: added expired.example.test (missing on Closte)')
    && str_contains($log(), 'reconcile: 1 added, 7 already on Closte, 0 failed'), $log());
$alerts = Closte_Native_Reconcile::alerts();
$t->same('alerts: the count is of every alert, not of those read (a limit of 1 still counts 2)', [2, 1, 2],
    [$alerts['count'] ?? null, count(Closte_Native_Reconcile::alerts(1)['items'] ?? []), Closte_Native_Reconcile::alerts(1)['count'] ?? null]);
$t->same('reconcile: expiring and invalid certificates of finished domains are recorded', [
    'expired.example.test' => 'expired', 'expiring.example.test' => 'expiring_soon',
], array_map(fn ($a) => $a['reason'], $alerts['items'] ?? []));
$t->check('reconcile: the expiring one says when', in_array($alerts['items']['expiring.example.test']['error'] ?? null, ['expires in 4 days', 'expires in 5 days'], true),
    json_encode($alerts));
wp_set_current_user(1);
ob_start();
do_action('network_admin_notices');
$notice = ob_get_clean();
$t->check('reconcile: a network-admin notice names them', str_contains($notice, 'Closte: 2 certificates need attention:')
    && (bool) preg_match('/expiring\.example\.test: expires in [45] days/', $notice), $notice);
wp_set_current_user(0);
ob_start();
do_action('network_admin_notices');
$t->check('reconcile: nobody else sees the notice', !str_contains((string) ob_get_clean(), 'Closte: 2 certificates'));

// A reconcile that cannot reach Closte changes nothing and tries again within the hour.
ini_set('closte.api_url', 'http://127.0.0.1:1/api/client');
$before = count($t->pending(Closte_Native_Reconcile::HOOK));
do_action(Closte_Native_Reconcile::HOOK);
$t->run_queue(Closte_Native_Refresh::HOOK); // the plan meets the outage
ini_set('closte.api_url', $emu->api);
$drain();
$later = array_filter($t->pending(Closte_Native_Reconcile::HOOK), fn ($a) => $a[0] === ['after_failure'] && $a[1] > 3000 && $a[1] <= 3600);
$t->same('reconcile: Closte down → one more run within the hour', [$before + 1, 1], [count($t->pending(Closte_Native_Reconcile::HOOK)), count($later)]);
$t->check('reconcile: the outage is logged', str_contains($log(), "reconcile: Closte's list could not be read, nothing changed"));
do_action(Closte_Native_Reconcile::HOOK, 'after_failure'); // the extra run, as Action Scheduler passes its args
$drain();
$t->check('reconcile: the extra run says what it is', str_contains($log(), 'reconcile (again, after an outage): 0 added, 8 already on Closte, 0 failed'), $log());

// A failed add in the batch: the reconcile runs again within the hour only when the
// extension calls the failure retryable (HTTP 500 is permanent, 503 is not).
$again = fn () => count(array_filter($t->pending(Closte_Native_Reconcile::HOOK), fn ($a) => $a[0] === ['after_failure']));
foreach ([500 => 0, 503 => 1] as $status => $runs) {
    $wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET status = 'canceled' WHERE hook = '" . Closte_Native_Reconcile::HOOK . "' AND status = 'pending' AND args LIKE '%after_failure%'");
    Closte\remove_domain('expired.example.test');
    $emu->fault(['path' => 'adddomainalias', 'status' => $status]);
    (new Closte_Native_Reconcile())->run();
    $drain();
    $t->same("reconcile: a failed add (HTTP $status) " . ($runs ? 'schedules one more' : 'schedules no') . ' run within the hour, and its row says why', [['expired.example.test'], $runs],
        [$wpdb->get_col('SELECT name FROM ' . (new Closte_Native_Status_Table())->name() . ' WHERE add_error IS NOT NULL'), $again()]);
}
wp_set_current_user(1);
$row = Harness::table_rows($t->console_page())['expired.example.test'] ?? ['closte' => ''];
// A Refresh pressed while the reconcile runs supersedes it and keeps its adds.
(new Closte_Native_Reconcile())->run(); // enqueued, not run yet
$t->action('refresh');
$kept = Closte_Native_Refresh::run();
$sent_before = count($emu->requests());
$drain();
$t->same('reconcile: a Refresh pressed while it runs keeps its adds (the new run adds the missing alias)', [true, 'daily', 'console', ['expired.example.test']],
    [$kept['add_missing'], $kept['why'], $kept['source'], array_column(array_column(array_filter($since($sent_before), fn ($x) => $x['path'] === '/adddomainalias'), 'form'), 'domain')]);
wp_set_current_user(0);
$t->check('reconcile: the console\'s row says the reconcile could not add it, and why', str_starts_with($row['closte'], 'Missing the reconcile or a background sync could not add it: Closte answered HTTP 503'),
    json_encode($row));
$t->check("reconcile: each failed add is logged with the extension's verdict", str_contains($log(), 'reconcile: expired.example.test could not be added: Closte answered HTTP 500')
    && (bool) preg_match('/could not be added: Closte answered HTTP 500[^\n]*\(not retried: /', $log()) && (bool) preg_match('/could not be added: Closte answered HTTP 503[^\n]*\(retryable: /', $log()), $log());

// A domain deleted between the reconcile's plan and its chunk is not added back: just
// before adding, the chunk reads its names' records again (one domain__in query).
Closte\remove_domain('expired.example.test'); // missing on Closte
(new Closte_Native_Reconcile())->run();
$t->run_queue(Closte_Native_Refresh::HOOK); // the plan: the row is wanted, missing
$planned_row = $wpdb->get_row("SELECT wanted, on_closte FROM $status_t WHERE name = 'expired.example.test'", ARRAY_A);
$record = $wpdb->get_row($wpdb->prepare('SELECT * FROM ' . \WP_Ultimo\Models\Domain::double_table() . ' WHERE domain = %s', 'expired.example.test'), ARRAY_A);
$wpdb->delete(\WP_Ultimo\Models\Domain::double_table(), ['id' => $record['id']]); // deleted by another request meanwhile
$sent_before = count($emu->requests());
$drain();
$t->same('reconcile: a domain deleted between its plan and its chunk is not added back; its row is no longer wanted, not missing, not a failure',
    [['wanted' => '1', 'on_closte' => '0'], [], ['0', null], false],
    [$planned_row, array_values(array_filter($since($sent_before), fn ($x) => $x['path'] === '/adddomainalias')),
        array_values($wpdb->get_row("SELECT wanted, add_error FROM $status_t WHERE name = 'expired.example.test'", ARRAY_N) ?? []),
        in_array('expired.example.test', array_column(Closte\list_domains(), 'domain'), true)]);
$t->check('reconcile: ... and the log says why it was not added', str_contains($log(), 'reconcile: not added: expired.example.test is no longer mapped: nothing sent'), $log());
$wpdb->insert(\WP_Ultimo\Models\Domain::double_table(), $record); // mapped again, as before
// A name two records claim (a record www.twin.example, and twin.example's www. twin, main
// domains here) stays wanted while either record is there.
\WP_Ultimo\Models\Domain::double_insert(['twin.example', 'www.twin.example']);
$twin_ids = $wpdb->get_col('SELECT id FROM ' . \WP_Ultimo\Models\Domain::double_table() . " WHERE domain IN ('twin.example', 'www.twin.example') ORDER BY domain");
$wpdb->delete(\WP_Ultimo\Models\Domain::double_table(), ['id' => $twin_ids[1]]); // www.twin.example's record
$wanted = fn () => array_keys(array_filter((new Closte_Native_Ledger())->claims(['www.twin.example']), fn ($c) => $c['wanted']));
$one_left = $wanted();
$wpdb->delete(\WP_Ultimo\Models\Domain::double_table(), ['id' => $twin_ids[0]]);
$t->same('ledger: a www. name its own record no longer claims stays wanted while the bare domain\'s record claims it as its twin; then not', [['www.twin.example'], []],
    [$one_left, $wanted()]);
Closte\add_domain('expired.example.test');

// Sync now with more names missing than its request adds (here 1; 500 by default): the
// click only reads the list and starts a background run with adds, as the reconcile's.
Closte\remove_domain('expired.example.test');
Closte\remove_domain('valid.example.test');
$one = fn () => 1;
add_filter('closte_native_sync_inline', $one);
wp_set_current_user(1);
$sent_before = count($emu->requests());
$r = $t->action('sync');
remove_filter('closte_native_sync_inline', $one);
$bg = Closte_Native_Refresh::run();
$t->same('Sync, more missing than one request adds: the click reads the list only, and a run with adds is queued',
    [['/getdomains'], 'info', 'console', true, 'sync', false], [array_column($since($sent_before), 'path'), $r['notice']['type'] ?? null, $bg['source'], $bg['add_missing'], $bg['why'], $bg['planned']]);
$t->check('... the notice says how many, and that they are added in the background', str_starts_with($r['notice']['message'] ?? '',
    'Sync: 2 names are missing on Closte, more than this page adds at once (1): they are being added in the background, chunk by chunk;'), json_encode($r));
add_filter('closte_native_sync_inline', $one);
$again_sent = count($emu->requests());
$r = $t->action('sync');
remove_filter('closte_native_sync_inline', $one);
$t->same('... pressed again while that run is under way: no new run, the notice says the run adds them', [$bg['id'], ['/getdomains']],
    [Closte_Native_Refresh::run()['id'], array_column($since($again_sent), 'path')]);
$t->check('... (the notice)', str_starts_with($r['notice']['message'] ?? '', 'Sync: 2 names are missing on Closte; the run under way adds them'), json_encode($r));
$drain();
$posted = array_column(array_column(array_filter($since($sent_before), fn ($x) => $x['path'] === '/adddomainalias'), 'form'), 'domain');
sort($posted);
$t->same('... the run adds both, each once, and finishes', [['expired.example.test', 'valid.example.test'], true], [$posted, !empty(Closte_Native_Refresh::run()['finished_at'])]);
$t->check('... the log says a console sync added them, with the counts', str_contains($log(), 'console sync: 2 names missing on Closte, more than one request adds (1)')
    && str_contains($log(), 'console sync: added valid.example.test (missing on Closte)') && (bool) preg_match('/console sync: 2 added, \d+ already on Closte, 0 failed/', $log()), $log());
wp_set_current_user(0);

// Action Scheduler's settings stay as the site has them, a refresh running or not (they are
// site-wide: Ultimate Multisite's own domain events are claimed by them too).
$settings = fn (): array => [apply_filters('action_scheduler_queue_runner_batch_size', 25), apply_filters('action_scheduler_queue_runner_concurrent_batches', 1),
    apply_filters('action_scheduler_maximum_execution_time_likely_to_be_exceeded', false, null, 1, 3.9, 30), apply_filters('action_scheduler_queue_runner_time_limit', 30)];
$idle = $settings();
Closte_Native_Refresh::start('test');
$busy = $settings();
$drain();
$t->same("AS settings: claim size, concurrent batches and time limit unchanged while a refresh runs (25, 1, Action Scheduler's own rule, 30 s)",
    [[25, 1, false, 30], [25, 1, false, 30]], [$idle, $busy]);

// Two nodes' runners claiming at the same moment can meet in a deadlock (nodes.php met it on
// MariaDB 11.8): the runner stakes its claim again, quietly, and the action runs.
Closte_Native_Refresh::start('test');
$deadlocks = 0;
$deadlock = function ($sql) use (&$deadlocks) {
    if ($deadlocks === 0 && is_string($sql) && str_contains($sql, 'SET claim_id=') && str_contains($sql, "'closte_native_refresh'")) {
        $deadlocks++; // the database's own answer to a deadlock, for this one claim
        return "SIGNAL SQLSTATE '40001' SET MESSAGE_TEXT = 'Deadlock found when trying to get lock; try restarting transaction'";
    }
    return $sql;
};
add_filter('query', $deadlock);
$ran = (new Closte_Native_Runner())->run();
remove_filter('query', $deadlock);
$t->check('runner: a claim that met a deadlock is staked again and the action runs (nothing logged as stopped)', $deadlocks === 1 && $ran >= 1
    && !str_contains($log(), 'share of this queue run stopped'), json_encode([$deadlocks, $ran]));
$drain();

// A click on Refresh, then the queue run as Action Scheduler's runner runs it.
$click = function () use ($t, $emu): array {
    $n = count($emu->requests());
    $r = $t->action('refresh');
    $r['sent'] = array_slice($emu->requests(), $n);
    $t->run_queue(Closte_Native_Refresh::HOOK);
    $t->run_queue(Closte_Native_Refresh::CHUNK_HOOK);
    $t->run_queue(Closte_Native_Refresh::SWEEP_HOOK);
    return $r;
};
// Refresh rewrites the certificate alerts for what is mapped now: an unmapped domain leaves
// the console's list and the network-admin banner.
wp_set_current_user(1);
$alerted = function (): array {
    ob_start();
    do_action('network_admin_notices');
    return [array_keys(Closte_Native_Reconcile::alerts()['items'] ?? []), (string) ob_get_clean()];
};
[$before, $banner] = $alerted();
$t->check('alerts: expiring.example.test is in the alerts and the banner', in_array('expiring.example.test', $before, true) && str_contains($banner, 'expiring.example.test'), $banner);
foreach (\WP_Ultimo\Models\Domain::query() as $d) {
    if ($d->get_domain() === 'expiring.example.test') {
        $d->delete();
    }
}
$t->run_queue('wu_remove_domain');
$r = $click();
[$after, $banner] = $alerted();
$page = $t->console_page();
$t->check('alerts: after Refresh the unmapped domain is gone from the alerts, the banner and the console', $after === ['expired.example.test']
    && !str_contains($banner, 'expiring.example.test') && str_contains($banner, 'Closte: 1 certificate needs attention:')
    && !str_contains($page, 'expiring.example.test') && str_contains($page, 'From the last Refresh'), json_encode($after) . $banner);
$t->same('Refresh: the click only enqueues, and says so', ['info', 'Refresh queued: every name is checked in chunks by the background queue; this page shows the progress.', []],
    [$r['notice']['type'] ?? null, $r['notice']['message'] ?? null, $r['sent']]);
$t->check('Refresh: then the page says how many names, when and how long', (bool) preg_match('#id="closte-native-progress" data-state="done"[^>]*>Last checked [^<]* ago \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\): 7 names in \d+\.\d s\.<#', $page), $page);

// The database refuses the run's row (its table gone, the schema version still current):
// the click says so in a notice, queues nothing, and the next install puts the table back.
$runs_t = (new Closte_Native_Status_Table())->runs_name();
$wpdb->query("RENAME TABLE $runs_t TO {$runs_t}_away");
$wpdb->suppress_errors(true);
$r = $t->action('refresh');
$wpdb->suppress_errors(false);
$wpdb->query("RENAME TABLE {$runs_t}_away TO $runs_t");
$t->check('Refresh: a run the database refuses is said in an error notice, not a PHP error', ($r['notice']['type'] ?? '') === 'error'
    && str_starts_with($r['notice']['message'] ?? '', 'Refresh not queued: closte-native: the refresh run could not be recorded:') && $r['status'] === 302, json_encode($r));

// Unknown is shown as unknown: Closte's list unreadable → not "None.".
$emu->fault(['path' => 'getdomains', 'status' => 500]);
$click();
$page = $t->console_page();
$t->check('page: an unreadable alias list makes the unclaimed section "unknown: <reason>"', (bool) preg_match('#<p class="closte-native-unclaimed-unknown">unknown: [^<]*500#', $page)
    && !str_contains($page, 'closte-native-unclaimed-none'), $page);
$t->check('page: the reason is in words, with no exception class', str_contains($page, "Closte&#039;s alias list could not be read:") && !str_contains($page, 'Closte\\'), $page);

// Errors say what to do next: a key Closte does not know, a setting that is not usable.
$other = new ClosteEmulator(); // another key than CLOSTE_CLIENT_API_KEY
ini_set('closte.api_url', $other->api);
$click();
$page = $t->console_page();
$t->check('a wrong API key: the admin is told to check CLOSTE_CLIENT_API_KEY in wp-config.php', str_contains($page, 'Invalid API key')
    && str_contains($page, 'Check CLOSTE_CLIENT_API_KEY in wp-config.php') && !str_contains($page, 'ApiException'), $page);
ini_set('closte.api_url', $emu->api);
$other->stop();
ini_set('closte.ca_file', '/nonexistent/closte-ca.pem');
$r = $t->action('sync');
ini_set('closte.ca_file', '');
$t->check('a setting that is not usable: named, with where to fix it', str_contains($r['notice']['message'] ?? '', 'Configuration problem')
    && str_contains($r['notice']['message'], '/nonexistent/closte-ca.pem') && str_contains($r['notice']['message'], 'php.ini')
    && !str_contains($r['notice']['message'], 'ConfigException'), json_encode($r));

// A hanging Closte costs the admin seconds: the console's calls have a timeout of their own.
$t->same('timeout: 5 s by default', 5.0, Closte_Native_Status::timeout());
$hang = stream_socket_server('tcp://127.0.0.1:0'); // accepts connections, never answers
ini_set('closte.api_url', 'http://' . stream_socket_get_name($hang, false) . '/api/client');
ini_set('closte.timeout', '30');
$short = fn () => 1;
add_filter('closte_native_console_timeout', $short);
$r = $t->action('refresh');
$started = microtime(true);
$t->run_queue(Closte_Native_Refresh::HOOK);
$planned = microtime(true) - $started;
remove_filter('closte_native_console_timeout', $short);
ini_set('closte.api_url', $emu->api);
$t->check('timeout: the click returns at once; the plan against a hanging Closte ends in seconds (filter: 1 s), not closte.timeout (30 s)',
    $r['status'] === 302 && $r['seconds'] < 10 && $planned < 20, sprintf('click %.1f s, plan %.1f s', $r['seconds'], $planned));
$t->check('timeout: ... and the run says the list could not be read', isset(Closte_Native_Refresh::run()['errors']['closte']), json_encode(Closte_Native_Refresh::run()));
$t->run_queue(Closte_Native_Refresh::CHUNK_HOOK);

// The console tells the truth in every state.
// A refresh queued for a minute with no runner: the line says how a runner comes; the empty
// table of a first refresh says it is not read yet (not "No names in this view").
closte_test_forget();
$r = $t->action('refresh'); // queued; no runner takes it here
$runs_t = (new Closte_Native_Status_Table())->runs_name();
$page = $t->console_page();
$t->check('state: a refresh just queued says it waits for a runner; the empty table says it is not read yet',
    str_contains($page, 'Refresh queued: waiting for a runner') && str_contains($page, 'Not read yet: the names appear here once a queue runner has read the domain records')
    && !str_contains($page, 'No names in this view.'), $page);
$wpdb->query($wpdb->prepare("UPDATE $runs_t SET started_at = started_at - %d WHERE id = %d", Closte_Native_Refresh::QUEUED_HINT_AFTER + 60, Closte_Native_Refresh::run()['id']));
$page = $t->console_page();
$t->check('state: a refresh queued for two minutes with no runner says how a runner comes (WP-Cron, a system cron, wp action-scheduler run)',
    (bool) preg_match('/data-state="queued"[^>]*>Refresh queued 2 min(ute)?s ago and not started: no queue runner has taken it yet\. Action Scheduler runs its queue on WP-Cron/', $page) // WordPress 6.1 says "mins", 6.8 "minutes"
    && str_contains($page, 'DISABLE_WP_CRON') && str_contains($page, 'wp action-scheduler run'), substr($page, (int) strpos($page, 'closte-native-progress') - 40, 600));
$t->run_queue(Closte_Native_Refresh::HOOK);
$t->run_queue(Closte_Native_Refresh::CHUNK_HOOK);
$t->run_queue(Closte_Native_Refresh::SWEEP_HOOK);
// A domain mapped since the refresh: named, with what to do; gone once a refresh read it.
$page = $t->console_page();
$t->check('state: after the refresh no domain is said to be missing from the table', !str_contains($page, 'closte-native-stale'), $page);
$fresh = new \WP_Ultimo\Models\Domain(['blog_id' => 2, 'stage' => 'done']);
$fresh->set_domain('fresh.example.test');
$fresh->save(); // mapped as Ultimate Multisite does: wu_add_domain queued
$t->run_queue('wu_add_domain');
$page = $t->console_page();
$t->check('state: a domain mapped since the last refresh is named, and the admin is told to press Refresh', str_contains($page, '1 domain was mapped since the last refresh and is not in this table yet (fresh.example.test): press Refresh to check it.'),
    substr($page, 0, 3000));
$click();
$t->check('state: ... and once a refresh read it, the table holds it and the notice is gone', !str_contains($t->console_page(), 'closte-native-stale')
    && (new Closte_Native_Status_Table())->rows_named(['fresh.example.test']) !== [], '');
// Every button brings the admin back where they were: the view, search, sort and page.
$_GET = $_REQUEST = ['page' => 'closte-native', 'view' => 'missing', 'paged' => '2', 'orderby' => 'site', 'order' => 'desc'];
$page = $t->console_page();
$_GET = $_REQUEST = [];
preg_match('#<form[^>]*class="closte-native-sync".*?</form>#s', $page, $form);
$t->check('state: Sync (as every button) posts the view, sort and page back, so the admin returns to page 2 of the view',
    str_contains($form[0] ?? '', 'name="closte_view" value="missing"') && str_contains($form[0] ?? '', 'name="closte_paged" value="2"')
    && str_contains($form[0] ?? '', 'name="closte_orderby" value="site"'), $form[0] ?? '');
// An empty network: aliases on Closte but no mapped domain: no removal is offered (the action would refuse it).
\WP_Ultimo\Models\Domain::double_reset();
$click();
$page = $t->console_page();
$t->check('state: with no mapped domain, the unclaimed aliases are listed but no removal form is offered, and the page says why',
    str_contains($page, 'class="closte-native-unclaimed"') && !str_contains($page, 'class="closte-native-remove-unclaimed"') && str_contains($page, 'no mapped domain was found'), substr($page, (int) strpos($page, 'no mapped domain claims'), 800));

// The run's time is the runners' work, not its wait in the queue: a refresh asked for five
// minutes ago that a runner takes now says a few seconds, not five minutes.
$t->action('refresh');
$asked = (int) Closte_Native_Refresh::run()['id'];
$runs_t = (new Closte_Native_Status_Table())->runs_name();
$wpdb->query($wpdb->prepare("DELETE FROM $runs_t WHERE id <> %d", $asked));
$wpdb->query($wpdb->prepare("UPDATE $runs_t SET id = %d, started_at = started_at - 300 WHERE id = %d", $asked - 300000, $asked));
$wpdb->query($wpdb->prepare("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET args = %s WHERE hook = %s AND args = %s", wp_json_encode([$asked - 300000]), Closte_Native_Refresh::HOOK, wp_json_encode([$asked])));
$t->run_queue(Closte_Native_Refresh::HOOK);
$t->run_queue(Closte_Native_Refresh::CHUNK_HOOK);
$t->run_queue(Closte_Native_Refresh::SWEEP_HOOK);
$text = (new Closte_Native_Refresh())->progress()['text'];
$t->check('progress: "N names in X s" counts from the moment a runner began the run, not from the click (five minutes in the queue)',
    preg_match('/ names? in ([\d.]+) s\.$/', $text, $m) === 1 && (float) $m[1] < 60, $text);

// One name: "Checked 1 name".
\WP_Ultimo\Models\Domain::double_reset();
$one = new \WP_Ultimo\Models\Domain(['blog_id' => 2, 'stage' => 'done']);
$one->set_domain('valid.example.test');
$one->save();
$click();
$t->check('Refresh: "1 name", singular', (bool) preg_match('/: 1 name in \d+\.\d s\.$/', (new Closte_Native_Refresh())->progress()['text']), (new Closte_Native_Refresh())->progress()['text']);
$t->finish();
