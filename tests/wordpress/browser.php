<?php
/*
 * The console proven in a real browser. This CLI script sets up the world (the Closte
 * emulator php-fpm's workers talk to, the DNS server and TLS lab, the lab's domains mapped,
 * a subscriber), then runs tests/wordpress/browser.py — headless Chromium against nginx and
 * php-fpm, which scripts/test-wordpress.sh started — and checks what it saw against the
 * emulator's state. Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 * Environment: CLOSTE_WP_KEY (php-fpm has the same), CLOSTE_WP_PROXY_PORT (nginx),
 * CLOSTE_WP_PYTHON (with Playwright), CLOSTE_WP_SCREENSHOT.
 *
 * browser.php lab ACTION [NAME]: what browser.py changes behind the admin's back mid-run, in
 * a PHP process of its own (CLOSTE_WP_PHP, the same environment): age-queued (the current
 * run, still queued, was queued QUEUED_HINT_AFTER + 60 s ago), map NAME (a domain record on
 * the customer site, its wu_add_domain run), unmap-all (every domain record gone, as if
 * deleted behind Ultimate Multisite's back: Closte keeps the aliases). Prints one JSON line.
 */

if (($argv[1] ?? '') === 'lab') {
    require __DIR__ . '/harness.inc';
    ini_set('closte.max_retries', '0'); // as php-fpm's workers
    require __DIR__ . '/bootstrap.php';
    global $wpdb;
    $action = $argv[2] ?? '';
    if ($action === 'age-queued') {
        $run = Closte_Native_Refresh::run();
        if ($run === null || !empty($run['planned'])) {
            fwrite(STDERR, "no queued run: " . json_encode($run) . "\n");
            exit(1);
        }
        $by = Closte_Native_Refresh::QUEUED_HINT_AFTER + 60;
        $wpdb->query($wpdb->prepare('UPDATE ' . (new Closte_Native_Status_Table())->runs_name() . ' SET started_at = started_at - %d WHERE id = %d', $by, $run['id']));
        echo json_encode(['run' => $run['id'], 'seconds' => $by]) . "\n";
    } elseif ($action === 'map' && ($argv[3] ?? '') !== '') {
        $d = new \WP_Ultimo\Models\Domain(['blog_id' => (int) get_blog_id_from_url('example.test', '/shop/'), 'stage' => 'done']);
        $d->set_domain($argv[3]);
        $d->save(); // as Ultimate Multisite maps it: wu_add_domain queued, run here
        echo json_encode(['id' => $d->get_id(), 'ran' => (new Harness())->run_queue('wu_add_domain')]) . "\n";
    } elseif ($action === 'unmap-all') {
        \WP_Ultimo\Models\Domain::double_reset();
        echo json_encode(['records' => count(\WP_Ultimo\Models\Domain::query(['number' => 0]))]) . "\n";
    } else {
        fwrite(STDERR, "usage: browser.php lab age-queued | map NAME | unmap-all\n");
        exit(2);
    }
    exit(0);
}

require __DIR__ . '/../server.inc';
require __DIR__ . '/harness.inc';
require __DIR__ . '/lab.inc';

$emu = new ClosteEmulator([], getenv('CLOSTE_WP_KEY'));
putenv('CLOSTE_WP_PUBLIC_IP=198.51.100.7');
ini_set('closte.api_url', $emu->api);
$lab = new ClosteLab();
require __DIR__ . '/bootstrap.php';
ini_set('closte.api_url', $emu->api); // the lab plugin may have set an earlier scenario's
$t = new Harness();

\WP_Ultimo\Models\Domain::double_reset();
$lab->install();
update_network_option(null, 'closte_test_lab', get_network_option(null, 'closte_test_lab') + ['api_url' => $emu->api]);
// main_only: bücher.example (a main domain) gets its www. twin, the lab's x.example.test names none.
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'main_only']);
delete_network_option(null, Closte_Native_Reconcile::ALERTS_OPTION);
closte_test_forget();
// The customer site the lab's domains map to.
$shop = get_blog_id_from_url('example.test', '/shop/') ?: wpmu_create_blog('example.test', '/shop/', 'Customer shop', 1, [], 1);
ClosteLab::map_domains((int) $shop);
$t->run_queue('wu_add_domain');
Closte\add_domain('orphan.example.net');
Closte\remove_domain('expired.example.test');
// What the daily reconcile found wrong with certificates: the console and a notice show it.
// A checking run (the reconcile's, without its adds: the browser's Sync adds the missing
// alias), then the table forgotten so the browser starts from "not checked yet".
Closte_Native_Refresh::start('reconcile');
foreach ([Closte_Native_Refresh::HOOK, Closte_Native_Refresh::CHUNK_HOOK, Closte_Native_Refresh::SWEEP_HOOK] as $hook) {
    $t->run_queue($hook);
}
(new Closte_Native_Status_Table())->clear();
// The watcher's tick (scheduled by the mapping, due a minute later) is not part of this
// test: the runner loop would run it if the browser took longer, and the stage cell would
// then say when the watcher checked instead of "not checked by the watcher yet".
as_unschedule_all_actions(Closte_Native_Watcher::HOOK);
if (!username_exists('subscriber')) {
    $uid = wp_create_user('subscriber', 'subscriber-password', 'subscriber@example.test');
    add_user_to_blog(1, $uid, 'subscriber');
}

$bucher = function (): array {
    $names = array_values(array_filter(array_column(Closte\list_domains(), 'domain'), fn ($n) => str_contains($n, 'bcher')));
    sort($names);
    return $names;
};

// A web node's runner loop (the real Action Scheduler queue runner, in its own process):
// the console's Refresh only enqueues, this runs the plan and the chunks.
$hold = sys_get_temp_dir() . '/closte-runner-hold-' . getmypid();
@unlink($hold);
putenv("CLOSTE_TEST_RUNNER_HOLD=$hold"); // browser.py pauses the runner loop with it
$runner = proc_open(array_merge(preg_split('/\s+/', trim((string) getenv('CLOSTE_WP_PHP'))), [__DIR__ . '/runner.php', 'node-a', '--loop']),
    [1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $runner_pipes);
register_shutdown_function(function () use ($runner) {
    proc_terminate($runner, 9);
    proc_close($runner);
});
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
$t->check('the browser ran every step', $rc === 0 && count($steps) === 22, "exit $rc; " . substr($err, -2000) . substr($out, -500));
$step = fn (string $name) => $steps[$name] ?? [];

$t->check('login: the network admin reaches the dashboard', str_contains($step('login')['url'] ?? '', '/wp-admin/'), json_encode($step('login')));
$t->check('the console is in the network menu, under Ultimate Multisite', ($step('first visit')['menu'] ?? false) === true);
$t->check('before a refresh the console says it has not checked', str_contains($step('first visit')['checked'] ?? '', 'Not checked yet'));

$r = $step('refresh');
$t->same('refresh: one list read is all Closte receives', ['/getdomains'], $r['sent'] ?? null);
$t->check('refresh: the click only enqueues (the runner held, the page says queued), then the page shows the finished run', str_starts_with($r['progress'][0] ?? '', 'Refresh queued: waiting for a runner')
    && str_starts_with($r['progress'][1] ?? '', 'Last checked'), json_encode($r['progress'] ?? null));
$t->same('refresh, queued (the first: nothing read yet): the line and the empty table say a runner has not read the records yet, not "No names in this view.", and no view says "(0)"',
    ["Refresh queued: waiting for a runner to read the domains and Closte's aliases.", 'Not read yet: the names appear here once a queue runner has read the domain records (see the line above the buttons).', [], []],
    [$r['progress'][0] ?? null, $r['queued']['placeholder'] ?? null, $r['queued']['rows'] ?? null, $r['queued']['views'] ?? null]);
$t->check('refresh: the time of the check is shown', (bool) preg_match('/^Last checked .* ago \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\): 8 names in /', $r['checked'] ?? ''), $r['checked'] ?? '');
$rows = $r['rows'] ?? [];
$t->same('refresh: one row per name, sorted by domain, the twin on its own row', ['xn--bcher-kva.example', 'www.xn--bcher-kva.example', 'expired.example.test', 'expiring.example.test',
    'hostile.example.test', 'silent.example.test', 'valid.example.test', 'wronghost.example.test'], array_keys($rows));
$col = fn (string $c) => array_map(fn ($row) => $row[$c] ?? null, $rows);
$want = array_fill_keys(array_keys($rows), 'Yes');
$want['expired.example.test'] = 'Missing'; // removed on Closte's side before the page was opened
$t->same('On Closte: a badge per name as the emulator held them, the Unicode record\'s names in canonical form', $want, $col('closte'));
$t->same('Stage: the plugin\'s own labels', ['xn--bcher-kva.example' => 'Checking SSL', 'www.xn--bcher-kva.example' => 'Checking SSL', 'expired.example.test' => 'Ready', 'expiring.example.test' => 'Ready',
    'hostile.example.test' => 'Ready', 'silent.example.test' => 'Checking DNS', 'valid.example.test' => 'Ready', 'wronghost.example.test' => 'Checking SSL'],
    array_map(fn ($v) => preg_replace('/ (waiting|watched) .*$/', '', (string) $v), $col('stage')));
$t->check('Stage: a waiting domain says what it waits for', str_ends_with((string) ($col('stage')['silent.example.test'] ?? ''), 'waiting for DNS, not checked by the watcher yet'), (string) ($col('stage')['silent.example.test'] ?? ''));
$t->same('Unicode record: shown as typed and in its canonical form, its twin on its own row', ['bücher.example (xn--bcher-kva.example)', 'www.xn--bcher-kva.example (www. twin of bücher.example)'],
    [$rows['xn--bcher-kva.example']['name'] ?? null, $rows['www.xn--bcher-kva.example']['name'] ?? null]);
$t->check('Unicode record: DNS and certificate checked (not "Not checked")', ($rows['xn--bcher-kva.example']['dns'] ?? '') === 'OK 198.51.100.7' && ($rows['www.xn--bcher-kva.example']['dns'] ?? '') === 'OK 198.51.100.7'
    && str_contains($rows['www.xn--bcher-kva.example']['certificate'] ?? '', '(hostname_mismatch)'), json_encode([$rows['xn--bcher-kva.example'] ?? null, $rows['www.xn--bcher-kva.example'] ?? null]));
$cert = $col('certificate');
$t->check('Certificate: Valid with the days left (subject and issuer on demand)', (bool) preg_match('/^Valid (89|90) days left$/', $cert['valid.example.test'] ?? ''), json_encode($cert));
$t->check('Certificate: expired, wrong host and silent in words', str_contains($cert['expired.example.test'] ?? '', '(expired)')
    && str_contains($cert['wronghost.example.test'] ?? '', 'served certificate is for closte.example.test, not wronghost.example.test (hostname_mismatch)')
    && str_contains($cert['silent.example.test'] ?? '', '(timeout)'), json_encode($cert));
$t->check('Certificate: a <script> in the subject never runs',
    str_starts_with($cert['hostile.example.test'] ?? '', 'Valid') && ($r['title'] ?? '') !== 'pwned' && ($r['dialogs'] ?? null) === [],
    json_encode([$cert['hostile.example.test'] ?? null, $r['title'] ?? null]));
$dns = $col('dns');
$t->same('DNS: OK, or Wrong with where it points and where it should', ['OK 198.51.100.7', 'Wrong silent.example.test points to 203.0.113.9; Closte expects 198.51.100.7 (points_elsewhere)'],
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
$t->same('Sync now: the row now says Yes', 'Yes', $s['rows']['expired.example.test']['closte'] ?? null);

$u = $step('remove unconfirmed');
$t->same('removing unclaimed aliases needs the confirmation: nothing sent', [[], 'Nothing removed: tick the confirmation box to remove unclaimed aliases.'],
    [$u['sent'] ?? null, $u['notice'] ?? null]);

$c = $step('remove confirmed');
$t->same('Remove unclaimed, confirmed: only the orphan was sent for removal', [['orphan.example.net'], 'Removed 1 unclaimed alias, 0 failed.', true],
    [$c['removed'] ?? null, $c['notice'] ?? null, $c['unclaimed_none'] ?? null]);
$t->same("Remove unclaimed, confirmed: the Unicode record's aliases are still on Closte", ['www.xn--bcher-kva.example', 'xn--bcher-kva.example'], $bucher());
$t->same('Remove unclaimed, confirmed: its rows still say Yes', ['Yes', 'Yes'], [$c['rows']['xn--bcher-kva.example']['closte'] ?? null, $c['rows']['www.xn--bcher-kva.example']['closte'] ?? null]);

$y = $step('retry');
$t->same('Retry: a lost alias shows Missing, its Retry re-sends it', ['Missing', ['valid.example.test'], 'Re-sent valid.example.test: on Closte.', 'Yes'],
    [$y['missing'] ?? null, $y['added'] ?? null, $y['notice'] ?? null, $y['rows']['valid.example.test']['closte'] ?? null]);

$n = $step('retry refused');
$t->check('Retry refused: an error that says refused and why, never "on Closte"', str_contains($n['notice'] ?? '', 'refused')
    && str_contains($n['notice'] ?? '', 'Domain blocked by policy') && !str_contains($n['notice'] ?? '', 'on Closte')
    && str_contains($n['notice_class'] ?? '', 'notice-error'), json_encode($n));
$t->same('Retry refused: the row still says Missing', 'Missing', $n['rows']['valid.example.test']['closte'] ?? null);

$g = $step('get');
$t->check('an action by GET with a valid nonce: 405, a message, nothing sent', ($g['status'] ?? 0) === 405 && ($g['sent'] ?? null) === []
    && str_contains($g['body'] ?? '', 'POST'), json_encode($g));

$d = $step('closte down');
$t->same("Closte down after a Retry: the add was taken, the list read after it failed (HTTP 503)", [['/adddomainalias', null], ['/getdomains', 'status 503']], $d['sent'] ?? null);
$t->same('Closte down after a Retry: the notice says the alias was re-sent (it was)', 'Re-sent valid.example.test: on Closte.', $d['notice'] ?? null);
$t->same("Closte down after a Retry: every row's On Closte says Unknown", array_fill_keys(array_keys($rows), 'Unknown'), array_map(fn ($row) => $row['closte'] ?? null, $d['rows'] ?? []));
$t->check('Closte down after a Retry: the unclaimed section says unknown, not "None." (nor an old list)', ($d['unclaimed_none'] ?? true) === false && ($d['unclaimed'] ?? ['?']) === []
    && str_starts_with((string) ($d['unclaimed_unknown'] ?? ''), 'unknown: '), json_encode($d));
$h = $step('hanging');
$t->check('a hanging Closte: the click returns at once, and the run ends in seconds (the console\'s 5 s timeout), not after closte.timeout', ($h['click_seconds'] ?? 99) < 10 && ($h['seconds'] ?? 99) < 25, json_encode($h));
$t->check('a hanging Closte: the unclaimed section says unknown and why', str_starts_with($h['unclaimed'] ?? '', 'unknown: '), json_encode($h));
$t->check("a hanging Closte: the warning says what failed, in words", str_contains(implode(' ', $h['errors'] ?? []), "Closte's alias list could not be read:")
    && !str_contains(implode(' ', $h['errors'] ?? []), 'Closte\\'), json_encode($h));

$b = $step('subscriber');
$t->check('a subscriber gets 403 for the console, the progress endpoint and an action, and nothing is sent',
    [403, 403, 403, []] === [$b['console_status'] ?? null, $b['progress_status'] ?? null, $b['post_status'] ?? null, $b['sent'] ?? null], json_encode($b));

$n = $step('no javascript');
$t->check('without JavaScript a running refresh offers a Reload link', ($n['state'] ?? null) === 'queued' && str_contains((string) ($n['reload'] ?? ''), 'page=closte-native'), json_encode($n));
$q = $step('no runner');
$hint = '/^Refresh queued \d+ \S+ ago and not started: no queue runner has taken it yet\. Action Scheduler runs its queue on WP-Cron, at visits to the site \(a site with DISABLE_WP_CRON needs a system cron that calls wp-cron\.php\), or with `wp action-scheduler run`; Tools → Scheduled Actions shows what waits\.$/u';
$t->same('no runner: just queued, the line says it waits for a runner (no hint yet)', "Refresh queued: waiting for a runner to read the domains and Closte's aliases.", $q['queued'] ?? null);
$t->check(sprintf('no runner: queued longer than %d s, the polling page\'s line says no runner took it and how one comes (WP-Cron, a system cron, wp action-scheduler run)', Closte_Native_Refresh::QUEUED_HINT_AFTER),
    (bool) preg_match($hint, (string) ($q['polled'] ?? '')), json_encode($q));
$t->check('no runner: ... and the page drawn then says the same, still queued', (bool) preg_match($hint, (string) ($q['drawn'] ?? '')) && ($q['drawn_state'] ?? null) === 'queued', json_encode($q));
$t->check('no runner: once a runner comes, the page shows the finished run', ($q['after_state'] ?? null) === 'done' && str_starts_with((string) ($q['after'] ?? ''), 'Last checked '), json_encode($q));
$v = $step('view');
$t->same('views: Missing on Closte lists the two aliases removed on Closte\'s side, and its count says 2', [['expiring.example.test', 'hostile.example.test'], 'Missing on Closte (2)'],
    [$v['missing'] ?? null, $v['current'] ?? null]);
$t->check('views: each has its count', str_contains($v['counts']['all'] ?? '', 'All (8)') && str_contains($v['counts']['attention'] ?? '', 'Needs attention ('), json_encode($v['counts'] ?? null));
$s = $step('search');
$t->same('search: "expir" in the Missing view finds the one missing expir… domain', ['expiring.example.test'], $s['rows'] ?? null);
$c = $step('csv');
$lines = array_values(array_filter(explode("\n", (string) ($c['csv'] ?? ''))));
$t->check('CSV: a download of the current view and search: its header and the one row', str_ends_with((string) ($c['filename'] ?? ''), '.csv') && str_starts_with($lines[0] ?? '', 'name,domain,')
    && count($lines) === 2 && str_starts_with($lines[1] ?? '', 'expiring.example.test,expiring.example.test,'), json_encode($c));
$k = $step('bulk retry');
$t->same('bulk Retry: both ticked names sent to Closte again, their rows now Yes, the notice announced (a live region)', [['expiring.example.test', 'hostile.example.test'], 'Yes', 'Yes', 'polite'],
    [$k['added'] ?? null, $k['rows']['expiring.example.test']['closte'] ?? null, $k['rows']['hostile.example.test']['closte'] ?? null, $k['live'] ?? null]);
$t->check('bulk Retry: the admin is back on the Missing view, which no longer lists the two', str_contains((string) ($k['url'] ?? ''), 'view=missing')
    && str_starts_with((string) ($k['current'] ?? ''), 'Missing on Closte') && array_intersect($k['view_rows'] ?? ['?'], ['expiring.example.test', 'hostile.example.test']) === [], json_encode($k));
$t->check('bulk Retry: the notice says what happened to each', str_contains($k['notice'] ?? '', 'Re-sent expiring.example.test: on Closte.') && str_contains($k['notice'] ?? '', 'Re-sent hostile.example.test: on Closte.'), json_encode($k));
$a = $step('accessible names');
$t->check('accessibility: the table has a caption', str_contains((string) ($a['caption'] ?? ''), 'Mapped domains'), json_encode($a));
$x = $step('axe');
$t->check(sprintf('accessibility: axe-core %s finds no violation in the console\'s markup, the removal form shown (%d rules passed)', $x['version'] ?? '?', $x['passes'] ?? 0),
    isset($x['violations']) && $x['violations'] === [] && ($x['passes'] ?? 0) > 0 && ($x['removal_form'] ?? false) === true, json_encode($x));
$m = $step('mapped since');
$t->same('mapped since the refresh: the new domain\'s alias went to Closte as the mapping sent it', ['fresh.example.test'], $m['added'] ?? null);
$t->check('mapped since the refresh: the page names the domain the table lacks and says to press Refresh',
    ($m['stale']['notice'] ?? null) === '1 domain was mapped since the last refresh and is not in this table yet (fresh.example.test): press Refresh to check it.'
    && !in_array('fresh.example.test', $m['stale']['rows'] ?? ['fresh.example.test'], true) && ($m['stale']['state'] ?? null) === 'done', json_encode($m));
$t->check('mapped since the refresh: ... once a refresh read it, its row is there and the notice is gone', array_key_exists('notice_after', $m) && $m['notice_after'] === null
    && in_array('fresh.example.test', $m['rows_after'] ?? [], true), json_encode($m));
$e = $step('empty network');
$closte_now = array_column(Closte\list_domains(), 'domain');
sort($closte_now);
$t->check('empty network: the table holds no name and says so, All (0), the line says 0 names were checked', ($e['rows'] ?? null) === [] && ($e['placeholder'] ?? null) === 'No names in this view.'
    && ($e['views']['all'] ?? null) === 'All (0)' && (bool) preg_match('/^Last checked .*: 0 names in [\d.]+ s\.$/', (string) ($e['checked'] ?? '')) && array_key_exists('stale', $e) && $e['stale'] === null, json_encode($e));
$t->same('empty network: every alias Closte holds is listed as unclaimed', $closte_now, $e['unclaimed'] ?? null);
$t->same('empty network: no removal form; the page says why none is offered', [false, 'No removal is offered: no mapped domain was found, and removing every alias is never what a network wants.'],
    [$e['removal_form'] ?? null, $e['blocked'] ?? null]);
$t->finish();
