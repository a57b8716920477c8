<?php
/*
 * The console's data and the daily reconcile in the real multisite (CLI): one snapshot per
 * refresh (one list read, one certificate batch, one DNS batch), the statuses each row
 * shows against the emulator and the TLS lab, escaping of what comes from outside, and the
 * reconcile through Action Scheduler: a missing alias is added, nothing is removed, and
 * expiring or invalid certificates of finished domains are reported.
 * Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 */

require __DIR__ . '/../server.inc';
require __DIR__ . '/harness.inc';
require __DIR__ . '/lab.inc';

$emu = new ClosteEmulator();
putenv('CLOSTE_WP_KEY=' . $emu->key);
putenv('CLOSTE_WP_PUBLIC_IP=198.51.100.7');
ini_set('closte.api_url', $emu->api);
ini_set('closte.max_retries', '0');
$lab = new ClosteLab();
require __DIR__ . '/bootstrap.php';
$t = new Harness();
\WP_Ultimo\Models\Domain::double_reset();
$lab->install();
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'never']);
delete_network_option(null, Closte_Native_Reconcile::ALERTS_OPTION);
Closte_Native_Status::forget();
$log = fn () => (string) @file_get_contents(getenv('WU_LOG_DIR') . '/integration-closte.log');

ClosteLab::map_domains();
$t->run_queue('wu_add_domain');
Closte\add_domain('orphan.example.net'); // an alias no domain claims
Closte\remove_domain('expired.example.test'); // an alias lost on Closte's side
$sent = count($emu->requests()); // the emulator's log so far; its state (the aliases) stays
$since = fn (int $from) => array_slice($emu->requests(), $from);
$lab->dns->stats(true);

$inventory = (new Closte_Native_Inventory())->domains();
$stages = array_map(fn ($d) => $d[0], CLOSTE_LAB_DOMAINS);
ksort($stages);
$t->same('inventory: one row per Ultimate Multisite domain record, sorted, with its stage', $stages,
    array_combine(array_column($inventory, 'domain'), array_column($inventory, 'stage')));
$t->same('inventory: names and sites', [['valid.example.test'], 2], [$inventory[4]['names'], $inventory[4]['site_id']]);

$s = (new Closte_Native_Status())->refresh();
$t->same('refresh: one list read and nothing else sent to Closte', ['/getdomains'], array_column($since($sent), 'path'));
$t->same('refresh: one DNS batch (A and AAAA per name)', 2 * count(CLOSTE_LAB_DOMAINS), $lab->dns->stats()['queries']);
$t->same('refresh: the snapshot is kept with its time', $s['checked_at'], Closte_Native_Status::cached()['checked_at'] ?? null);
$verdicts = array_map(fn ($r) => $r['valid'] ? 'valid' : $r['reason'], $s['ssl']);
ksort($verdicts);
$t->same('refresh: each certificate as the lab serves it', ['expired.example.test' => 'expired', 'expiring.example.test' => 'valid',
    'hostile.example.test' => 'valid', 'silent.example.test' => 'timeout', 'valid.example.test' => 'valid', 'wronghost.example.test' => 'hostname_mismatch'], $verdicts);
$t->same('refresh: DNS against CLOSTE_PUBLIC_IP_ADDRESS', [true, 'points_elsewhere'], [$s['dns']['valid.example.test']['ok'], $s['dns']['silent.example.test']['reason']]);

$rows = [];
foreach (Closte_Native_Console::rows($inventory, $s) as $row) {
    $rows[$row['domain']] = $row['cells'];
}
$text = fn (string $html) => trim(html_entity_decode(strip_tags(preg_replace('#<form.*?</form>#s', '', $html)), ENT_QUOTES));
$t->same('rows: on Closte yes / missing', ['yes', 'missing', 'yes'],
    [$text($rows['valid.example.test']['closte']), $text($rows['expired.example.test']['closte']), $text($rows['silent.example.test']['closte'])]);
$t->check('rows: a missing alias has a Retry button (a POST with its nonce)', str_contains($rows['expired.example.test']['closte'], 'name="action" value="closte_native_retry"')
    && str_contains($rows['expired.example.test']['closte'], 'name="_wpnonce"') && !str_contains($rows['valid.example.test']['closte'], 'closte_native_retry'));
$t->same('rows: DNS ok, or where it points and where it should', ['ok (198.51.100.7)', 'silent.example.test points to 203.0.113.9; Closte expects 198.51.100.7 (points_elsewhere)'],
    [$text($rows['valid.example.test']['dns']), $text($rows['silent.example.test']['dns'])]);
$t->check('rows: certificate valid with issuer and days left', (bool) preg_match('/^valid \(CN=valid\.example\.test\), issued by CN=Closte Test CA, O=closte tests, (89|90) days left$/', $text($rows['valid.example.test']['certificate'])),
    $text($rows['valid.example.test']['certificate']));
$t->check('rows: certificate reasons in words', str_contains($text($rows['wronghost.example.test']['certificate']), 'served certificate is for closte.example.test, not wronghost.example.test (hostname_mismatch)'),
    $rows['wronghost.example.test']['certificate']);
wu_log_add('domain-valid.example.test', 'first line');
wu_log_add('domain-valid.example.test', '<b>Valid SSL cert found</b>');
$row = array_values(array_filter(Closte_Native_Console::rows($inventory, $s), fn ($r) => $r['domain'] === 'valid.example.test'))[0];
$t->check("rows: the domain's last log line, escaped", (bool) preg_match('/^\[[0-9: -]+\] \[INFO\] &lt;b&gt;Valid SSL cert found&lt;\/b&gt;$/', $row['cells']['log']), $row['cells']['log']);

// After a change to Closte's aliases only the alias column is read again: one list read,
// no DNS question, the certificate verdicts kept.
Closte\remove_domain('valid.example.test');
$lab->dns->stats(true);
$sent = count($emu->requests());
(new Closte_Native_Status())->refresh_aliases();
$after = Closte_Native_Status::cached();
$t->same('refresh_aliases: one list read, no DNS, same certificates, the alias gone',
    [['/getdomains'], 0, $s['ssl'], false],
    [array_column($since($sent), 'path'), $lab->dns->stats()['queries'], $after['ssl'], in_array('valid.example.test', $after['aliases'], true)]);
Closte\add_domain('valid.example.test');

// Retry pending: an add that failed with Closte down shows its attempt.
$emu->fault(['path' => 'adddomainalias', 'status' => 503, 'count' => 1]);
do_action('wu_add_domain', 'expired.example.test', 2);
$rows = [];
foreach (Closte_Native_Console::rows($inventory, $s) as $row) {
    $rows[$row['domain']] = $row['cells'];
}
$t->same('rows: a scheduled retry shows as pending, attempt n of 8', 'retry pending, attempt 2 of 8', $text($rows['expired.example.test']['closte']));
global $wpdb;
$wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET status = 'canceled' WHERE hook = 'closte_native_retry' AND status = 'pending'");
delete_network_option(null, Closte_Native_Events::WANTED_PREFIX . md5('expired.example.test'));

// Escaping: a certificate subject with a <script> tag, a domain record with markup.
$hostileSubject = $s['ssl']['hostile.example.test']['subject'] ?? '';
$t->same('the hostile certificate really carries markup', "CN=<script>document.title='pwned'</script>", $hostileSubject);
$bad = new \WP_Ultimo\Models\Domain(['blog_id' => 2, 'stage' => 'checking-dns']);
$bad->set_domain('<img src=x onerror=alert(1)>.example.test');
$bad->save();
$t->run_queue('wu_add_domain');
$inventory = (new Closte_Native_Inventory())->domains();
$html = implode('', array_map(fn ($r) => implode('', $r['cells']), Closte_Native_Console::rows($inventory, $s)));
$t->check('rows: markup from outside is escaped', !str_contains($html, '<img') && !str_contains($html, '<script')
    && str_contains($html, '&lt;img src=x onerror=alert(1)&gt;.example.test') && str_contains($html, 'valid (CN=&lt;script&gt;document.title=&#039;pwned&#039;&lt;/script&gt;)'));
$bad->delete();
$t->run_queue('wu_remove_domain');

// The daily reconcile: registered once, through Action Scheduler.
do_action('init');
do_action('init');
$t->same('reconcile: one recurring action, in the closte-native group', 1, count(array_filter($t->pending(Closte_Native_Reconcile::HOOK), fn ($a) => $a[2] === 'closte-native')));
$sent = count($emu->requests());
do_action(Closte_Native_Reconcile::HOOK); // as Action Scheduler runs it when due
$t->same('reconcile: one list read, then the missing alias is added, nothing else is sent',
    [['/getdomains', '/adddomainalias'], ['expired.example.test']],
    [array_column($since($sent), 'path'), array_column(array_column(array_filter($since($sent), fn ($r) => $r['path'] === '/adddomainalias'), 'form'), 'domain')]);
$t->same('reconcile: nothing removed (the unclaimed alias stays)', [[], true],
    [array_values(array_filter($since($sent), fn ($r) => $r['path'] === '/deletedomainalias')), in_array('orphan.example.net', array_column(Closte\list_domains(), 'domain'), true)]);
$t->check('reconcile: what it changed is logged', str_contains($log(), 'reconcile: added expired.example.test (missing on Closte)')
    && str_contains($log(), 'reconcile: 1 added, 5 already on Closte, 0 failed'), $log());
$alerts = Closte_Native_Reconcile::alerts();
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
ini_set('closte.api_url', $emu->api);
$later = array_filter($t->pending(Closte_Native_Reconcile::HOOK), fn ($a) => $a[0] === ['after_failure'] && $a[1] > 3000 && $a[1] <= 3600);
$t->same('reconcile: Closte down → one more run within the hour', [$before + 1, 1], [count($t->pending(Closte_Native_Reconcile::HOOK)), count($later)]);
$t->check('reconcile: the outage is logged', str_contains($log(), "reconcile: Closte's list could not be read, nothing changed"));
do_action(Closte_Native_Reconcile::HOOK, 'after_failure'); // the extra run, as Action Scheduler passes its args
$t->check('reconcile: the extra run says what it is', str_contains($log(), 'reconcile (again, after an outage): 0 added, 6 already on Closte, 0 failed'), $log());
$t->finish();
