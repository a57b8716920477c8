<?php
/*
 * The console proven in a real browser. This CLI script sets up the world (the Closte
 * emulator php-fpm's workers talk to, the DNS server and TLS lab, the lab's domains mapped,
 * a subscriber), then runs tests/wordpress/browser.py — headless Chromium against nginx and
 * php-fpm, which scripts/test-wordpress.sh started — and checks what it saw against the
 * emulator's state. Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 * Environment: CLOSTE_WP_KEY (php-fpm has the same), CLOSTE_WP_PROXY_PORT (nginx),
 * CLOSTE_WP_PYTHON (with Playwright), CLOSTE_WP_SCREENSHOT.
 */

require __DIR__ . '/../server.inc';
require __DIR__ . '/harness.inc';
require __DIR__ . '/lab.inc';

$emu = new ClosteEmulator([], getenv('CLOSTE_WP_KEY'));
putenv('CLOSTE_WP_PUBLIC_IP=198.51.100.7');
ini_set('closte.api_url', $emu->api);
$lab = new ClosteLab();
require __DIR__ . '/bootstrap.php';
$t = new Harness();

\WP_Ultimo\Models\Domain::double_reset();
$lab->install();
update_network_option(null, 'closte_test_lab', get_network_option(null, 'closte_test_lab') + ['api_url' => $emu->api]);
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'never']);
delete_network_option(null, Closte_Native_Reconcile::ALERTS_OPTION);
Closte_Native_Status::forget();
// The customer site the lab's domains map to.
$shop = get_blog_id_from_url('example.test', '/shop/') ?: wpmu_create_blog('example.test', '/shop/', 'Customer shop', 1, [], 1);
ClosteLab::map_domains((int) $shop);
$t->run_queue('wu_add_domain');
Closte\add_domain('orphan.example.net');
Closte\remove_domain('expired.example.test');
// What the daily reconcile found wrong with certificates: the console and a notice show it.
(new Closte_Native_Reconcile())->audit_certificates((new Closte_Native_Inventory())->domains());
if (!username_exists('subscriber')) {
    $uid = wp_create_user('subscriber', 'subscriber-password', 'subscriber@example.test');
    add_user_to_blog(1, $uid, 'subscriber');
}

$cmd = [getenv('CLOSTE_WP_PYTHON'), __DIR__ . '/browser.py', getenv('CLOSTE_WP_PROXY_PORT'), $emu->url, getenv('CLOSTE_WP_SCREENSHOT')];
$proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$out = stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
$rc = proc_close($proc);
$steps = [];
foreach (array_filter(explode("\n", $out)) as $line) {
    $o = json_decode($line, true);
    if (is_array($o)) {
        $steps[$o['step']] = $o;
    }
}
$t->check('the browser ran every step', $rc === 0 && count($steps) === 7, "exit $rc; " . substr($err, -2000) . substr($out, -500));
$step = fn (string $name) => $steps[$name] ?? [];

$t->check('login: the network admin reaches the dashboard', str_contains($step('login')['url'] ?? '', '/wp-admin/'), json_encode($step('login')));
$t->check('the console is in the network menu, under Ultimate Multisite', ($step('first visit')['menu'] ?? false) === true);
$t->check('before a refresh the console says it has not checked', str_contains($step('first visit')['checked'] ?? '', 'Not checked yet'));

$r = $step('refresh');
$t->same('refresh: one list read is all Closte receives', ['/getdomains'], $r['sent'] ?? null);
$t->check('refresh: the time of the check is shown', (bool) preg_match('/^Last checked .* ago \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)/', $r['checked'] ?? ''), $r['checked'] ?? '');
$rows = $r['rows'] ?? [];
$names = array_keys(CLOSTE_LAB_DOMAINS);
sort($names);
$t->same('refresh: one row per mapped domain, sorted', $names, array_keys($rows));
$col = fn (string $c) => array_map(fn ($row) => $row[$c] ?? null, $rows);
$want = array_fill_keys($names, 'yes');
$want['expired.example.test'] = 'missing'; // removed on Closte's side before the page was opened
$t->same('On Closte: as the emulator held them', $want, $col('closte'));
$stages = array_map(fn ($d) => $d[0], CLOSTE_LAB_DOMAINS);
ksort($stages);
$t->same('Stage: the plugin\'s', $stages, $col('stage'));
$cert = $col('certificate');
$t->check('Certificate: valid, with subject, issuer and days left', (bool) preg_match('/^valid \(CN=valid\.example\.test\), issued by CN=Closte Test CA, O=closte tests, (89|90) days left$/', $cert['valid.example.test'] ?? ''), json_encode($cert));
$t->check('Certificate: expired, wrong host and silent in words', str_contains($cert['expired.example.test'] ?? '', '(expired)')
    && str_contains($cert['wronghost.example.test'] ?? '', 'served certificate is for closte.example.test, not wronghost.example.test (hostname_mismatch)')
    && str_contains($cert['silent.example.test'] ?? '', '(timeout)'), json_encode($cert));
$t->check('Certificate: a <script> in the subject is shown as text and never runs',
    str_contains($cert['hostile.example.test'] ?? '', "valid (CN=<script>document.title='pwned'</script>)") && ($r['title'] ?? '') !== 'pwned' && ($r['dialogs'] ?? null) === [],
    json_encode([$cert['hostile.example.test'] ?? null, $r['title'] ?? null]));
$dns = $col('dns');
$t->same('DNS: ok, or where it points and where it should', ['ok (198.51.100.7)', 'silent.example.test points to 203.0.113.9; Closte expects 198.51.100.7 (points_elsewhere)'],
    [$dns['valid.example.test'] ?? null, $dns['silent.example.test'] ?? null]);
$t->same('unclaimed aliases are listed below the table', ['orphan.example.net'], $r['unclaimed'] ?? null);
$t->same('Site: the site the domain maps to', 'Customer shop', $col('site')['valid.example.test'] ?? null);
$t->same("the reconcile's certificate findings are on the console",
    ['expired.example.test: the certificate expired', 'expiring.example.test: expires in N days (expiring_soon)'],
    array_map(fn ($a) => preg_replace(['/ on \d{4}-.*$/', '/expires in [45] days/'], ['', 'expires in N days'], $a), $r['alerts'] ?? []));
$t->check('... and in a network-admin notice', str_contains($r['notice_alerts'] ?? '', 'Closte: 2 certificates need attention:'), $r['notice_alerts'] ?? '');
$t->check('a screenshot of the page was saved', is_file(getenv('CLOSTE_WP_SCREENSHOT')) && filesize(getenv('CLOSTE_WP_SCREENSHOT')) > 10000);

$s = $step('sync');
$t->same('Sync now: the emulator received the one missing alias, nothing removed', [['expired.example.test'], []], [$s['added'] ?? null, $s['removed'] ?? null]);
$t->same('Sync now: the result as a notice with counts', 'Sync: 1 added, 5 already on Closte, 0 failed.', $s['notice'] ?? null);
$t->same('Sync now: the row now says yes', 'yes', $s['rows']['expired.example.test']['closte'] ?? null);
$t->same('Sync now: the unclaimed alias is still on Closte', true, in_array('orphan.example.net', array_column(Closte\list_domains(), 'domain'), true));

$u = $step('remove unconfirmed');
$t->same('removing unclaimed aliases needs the confirmation: nothing sent', [[], 'Nothing removed: tick the confirmation box to remove unclaimed aliases.'],
    [$u['sent'] ?? null, $u['notice'] ?? null]);

$y = $step('retry');
$t->same('Retry: a lost alias shows missing, its Retry re-sends it', ['missing', ['valid.example.test'], 'Re-sent valid.example.test: on Closte.', 'yes'],
    [$y['missing'] ?? null, $y['added'] ?? null, $y['notice'] ?? null, $y['rows']['valid.example.test']['closte'] ?? null]);

$b = $step('subscriber');
$t->check('a subscriber gets 403 for the console and for an action, and nothing is sent',
    [403, 403, []] === [$b['console_status'] ?? null, $b['post_status'] ?? null, $b['sent'] ?? null], json_encode($b));
$t->finish();
