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
// main_only: bücher.example (a main domain) gets its www. twin, the lab's x.example.test names none.
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'main_only']);
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

$bucher = function (): array {
    $names = array_values(array_filter(array_column(Closte\list_domains(), 'domain'), fn ($n) => str_contains($n, 'bcher')));
    sort($names);
    return $names;
};

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
$t->same('the Unicode record and its twin are on the emulator, as Closte takes them', ['www.xn--bcher-kva.example', 'xn--bcher-kva.example'], $bucher());
$t->check('the browser ran every step', $rc === 0 && count($steps) === 11, "exit $rc; " . substr($err, -2000) . substr($out, -500));
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
$want['bücher.example'] = "xn--bcher-kva.example: yes\nwww.xn--bcher-kva.example: yes";
$t->same('On Closte: as the emulator held them, the Unicode record\'s names in canonical form', $want, $col('closte'));
$t->same('Stage: the plugin\'s own labels', ['bücher.example' => 'Checking SSL', 'expired.example.test' => 'Ready', 'expiring.example.test' => 'Ready',
    'hostile.example.test' => 'Ready', 'silent.example.test' => 'Checking DNS', 'valid.example.test' => 'Ready', 'wronghost.example.test' => 'Checking SSL'],
    array_map(fn ($v) => explode("\n", (string) $v)[0], $col('stage')));
$t->same('Stage: a waiting domain says what it waits for', 'waiting for DNS, not checked by the watcher yet', trim(explode("\n", (string) ($col('stage')['silent.example.test'] ?? ''))[1] ?? ''));
$u = $rows['bücher.example'] ?? [];
$t->check('Unicode record: shown as typed and in its canonical form', str_starts_with($u['domain'] ?? '', "bücher.example (xn--bcher-kva.example)\nwww.xn--bcher-kva.example"), json_encode($u));
$t->check('Unicode record: DNS and certificate checked (not "not checked yet")', ($u['dns'] ?? '') === "xn--bcher-kva.example: ok (198.51.100.7)\nwww.xn--bcher-kva.example: ok (198.51.100.7)"
    && substr_count($u['certificate'] ?? '', '(hostname_mismatch)') === 2 && !str_contains($u['certificate'] ?? '', 'not checked yet'), json_encode($u));
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
$t->same('unclaimed aliases are listed below the table (not the Unicode record\'s)', ['orphan.example.net'], $r['unclaimed'] ?? null);
$t->same('Site: the site the domain maps to', 'Customer shop', $col('site')['valid.example.test'] ?? null);
$t->same("the reconcile's certificate findings are on the console",
    ['expired.example.test: the certificate expired', 'expiring.example.test: expires in N days (expiring_soon)'],
    array_map(fn ($a) => preg_replace(['/ on \d{4}-.*$/', '/expires in [45] days/'], ['', 'expires in N days'], $a), $r['alerts'] ?? []));
$t->check('... and in a network-admin notice', str_contains($r['notice_alerts'] ?? '', 'Closte: 2 certificates need attention:'), $r['notice_alerts'] ?? '');
$t->check('a screenshot of the page was saved', is_file(getenv('CLOSTE_WP_SCREENSHOT')) && filesize(getenv('CLOSTE_WP_SCREENSHOT')) > 10000);

$s = $step('sync');
$t->same('Sync now: the emulator received the one missing alias, nothing removed', [['expired.example.test'], []], [$s['added'] ?? null, $s['removed'] ?? null]);
$t->same('Sync now: the result as a notice with counts', 'Sync: 1 added, 7 already on Closte, 0 failed.', $s['notice'] ?? null);
$t->same('Sync now: the row now says yes', 'yes', $s['rows']['expired.example.test']['closte'] ?? null);

$u = $step('remove unconfirmed');
$t->same('removing unclaimed aliases needs the confirmation: nothing sent', [[], 'Nothing removed: tick the confirmation box to remove unclaimed aliases.'],
    [$u['sent'] ?? null, $u['notice'] ?? null]);

$c = $step('remove confirmed');
$t->same('Remove unclaimed, confirmed: only the orphan was sent for removal', [['orphan.example.net'], 'Removed 1 unclaimed aliases, 0 failed.', true],
    [$c['removed'] ?? null, $c['notice'] ?? null, $c['unclaimed_none'] ?? null]);
$t->same("Remove unclaimed, confirmed: the Unicode record's aliases are still on Closte", ['www.xn--bcher-kva.example', 'xn--bcher-kva.example'], $bucher());
$t->same('Remove unclaimed, confirmed: its row still says yes', "xn--bcher-kva.example: yes\nwww.xn--bcher-kva.example: yes", $c['rows']['bücher.example']['closte'] ?? null);

$y = $step('retry');
$t->same('Retry: a lost alias shows missing, its Retry re-sends it', ['missing', ['valid.example.test'], 'Re-sent valid.example.test: on Closte.', 'yes'],
    [$y['missing'] ?? null, $y['added'] ?? null, $y['notice'] ?? null, $y['rows']['valid.example.test']['closte'] ?? null]);

$n = $step('retry refused');
$t->check('Retry refused: an error that says refused and why, never "on Closte"', str_contains($n['notice'] ?? '', 'refused')
    && str_contains($n['notice'] ?? '', 'Domain blocked by policy') && !str_contains($n['notice'] ?? '', 'on Closte')
    && str_contains($n['notice_class'] ?? '', 'notice-error'), json_encode($n));
$t->same('Retry refused: the row still says missing', 'missing', $n['rows']['valid.example.test']['closte'] ?? null);

$g = $step('get');
$t->check('an action by GET with a valid nonce: 405, a message, nothing sent', ($g['status'] ?? 0) === 405 && ($g['sent'] ?? null) === []
    && str_contains($g['body'] ?? '', 'POST'), json_encode($g));

$h = $step('hanging');
$t->check('a hanging Closte: Refresh comes back in seconds (the console\'s 5 s timeout), not after closte.timeout', ($h['seconds'] ?? 99) < 15, json_encode($h));
$t->check('a hanging Closte: the unclaimed section says unknown and why', str_starts_with($h['unclaimed'] ?? '', 'unknown: '), json_encode($h));
$t->check("a hanging Closte: the warning says what failed, in words", str_contains(implode(' ', $h['errors'] ?? []), "Closte's alias list could not be read:")
    && !str_contains(implode(' ', $h['errors'] ?? []), 'Closte\\'), json_encode($h));

$b = $step('subscriber');
$t->check('a subscriber gets 403 for the console and for an action, and nothing is sent',
    [403, 403, []] === [$b['console_status'] ?? null, $b['post_status'] ?? null, $b['sent'] ?? null], json_encode($b));
$t->finish();
