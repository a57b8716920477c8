<?php
/*
 * Time to padlock: the watcher in the real multisite, with the real Action Scheduler
 * (tests/vendor/action-scheduler), the emulator's DNS server and a TLS lab of loopback
 * servers. dns_check_interval is 300 s, as on most networks; the watcher's interval is set
 * to 10 s by its filter. Ticks run through Action Scheduler's own queue runner; their time
 * comes by moving the pending tick's scheduled date to now in its table, not by waiting.
 * Everything is proven from the domain records, Action Scheduler's tables and the domains'
 * logs. Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 */

require __DIR__ . '/scenario.inc';

use WP_Ultimo\Models\Domain;

[$t, $emu] = Scenario::start(['public_ip' => true, 'action_scheduler' => 'real', 'reset' => true]);
$t->check('watcher: this run uses the real Action Scheduler ' . ActionScheduler_Versions::instance()->latest_version(), ActionScheduler_Versions::instance()->latest_version() === '3.8.2');

global $wpdb;
$actions = $wpdb->base_prefix . 'actionscheduler_actions';
$wpdb->query("DELETE FROM $actions WHERE hook IN ('closte_native_watch', 'wu_async_process_domain_stage')");
$wpdb->query("UPDATE $actions SET status = 'canceled' WHERE status = 'pending' AND hook IN ('wu_add_domain', 'wu_remove_domain', 'closte_native_retry')"); // earlier scripts' leftovers
closte_test_forget_watcher();
update_network_option(null, 'wp-ultimo_v2_settings', ['dns_check_interval' => 300, 'auto_create_www_subdomain' => 'always']);
update_network_option(null, 'wu_double_dns_records', []); // the plugin's own lookup recognises nothing: the bridge's DNS check decides
update_network_option(null, 'wu_double_ssl_ok', false);   // what the plugin's own TLS check (port 443) would see
add_filter('closte_native_watch_interval', fn () => 10);

/** The world outside: DNS (one resolver, restarted with a new zone) and TLS hosts (name => certificate served). */
final class World
{
    public ?ClosteDns $dns = null;
    public string $resolver = '';
    public array $tls = [];
    public array $serve = [];
    public string $certs;
    /** @var resource[] listeners that accept and never answer (TCP) or never reply (UDP) */
    public array $silent = [];

    public function __construct()
    {
        $this->certs = closte_certs();
        foreach (['wildcard', 'wrong-host'] as $leaf) {
            $this->tls[$leaf] = closte_tls_server($this->certs, $leaf);
        }
        $this->silent['tcp'] = stream_socket_server('tcp://127.0.0.1:0');
        $this->silent['udp'] = stream_socket_server('udp://127.0.0.1:0', $errno, $errstr, STREAM_SERVER_BIND);
    }

    /** name => IP: a new resolver serving exactly these records. */
    public function dns(array $records): void
    {
        $zone = '';
        foreach ($records as $name => $ip) {
            $zone .= "$name 60 A $ip\n";
        }
        $old = $this->dns;
        $this->dns = new ClosteDns($zone);
        $this->resolver = $this->dns->addr;
        $old?->stop();
    }

    public function silent_resolver(): void
    {
        $this->resolver = stream_socket_get_name($this->silent['udp'], false);
    }

    public function target(string $name): string
    {
        $leaf = $this->serve[$name] ?? 'wrong-host';
        return $leaf === 'silent' ? stream_socket_get_name($this->silent['tcp'], false) : '127.0.0.1:' . parse_url($this->tls[$leaf]->url, PHP_URL_PORT);
    }
}

$world = new World();
// The stage checks' filters, as a network with its own resolver would set them: the watcher takes its options from them too.
$asked = ['dns' => [], 'ssl' => []];
add_filter('closte_native_check_dns_options', function ($options, $name) use ($world, &$asked) {
    $asked['dns'][] = $name;
    return ['nameservers' => [$world->resolver], 'timeout' => 1] + $options;
}, 10, 2);
add_filter('closte_native_check_ssl_options', function ($options, $name) use ($world, &$asked) {
    $asked['ssl'][] = $name;
    $map = [];
    foreach (array_keys($world->serve) as $n) {
        $map[$n] = $world->target($n);
    }
    return ['connect_to' => $map, 'ca_file' => "{$world->certs}/ca.pem", 'timeout' => 1] + $options;
}, 10, 2);

$right = '198.51.100.7';
$wrong = '203.0.113.9';
$zone = [];
foreach (['padlock', 'stays', 'back', 'old', 'cert', 'quiet', 'shy', 'late'] as $n) {
    $zone["$n.example.test"] = $wrong;
    $zone["www.$n.example.test"] = $wrong;
    $world->serve["$n.example.test"] = 'wrong-host';
    $world->serve["www.$n.example.test"] = 'wrong-host';
}
$world->dns($zone);

/** Maps a domain as Ultimate Multisite's wu_create_domain() does: save, then its stage processing queued. */
$map = function (string $name, string $stage = 'checking-dns'): int {
    $d = new Domain(['blog_id' => 2, 'stage' => $stage]);
    $d->set_domain($name);
    $d->save();
    wu_enqueue_async_action('wu_async_process_domain_stage', ['domain_id' => $d->get_id()], 'domain');
    return $d->get_id();
};
$stage = fn (int $id) => wu_get_domain($id)->get_stage();
/** Pending stage actions of one domain, from Action Scheduler's table: [action_id, tries, scheduled time (Unix)].
 * The time is absolute, so two reads of an unchanged action are equal whatever second they happen in. */
$stage_actions = function (int $id) use ($wpdb, $actions): array {
    $rows = $wpdb->get_results("SELECT action_id, args, scheduled_date_gmt FROM $actions WHERE hook = 'wu_async_process_domain_stage' AND status = 'pending'", ARRAY_A);
    $out = [];
    foreach ($rows as $r) {
        $args = json_decode($r['args'], true);
        if ((int) $args['domain_id'] === $id) {
            $out[] = [(int) $r['action_id'], $args['tries'] ?? null, strtotime($r['scheduled_date_gmt'] . ' UTC')];
        }
    }
    return $out;
};
$watch_pending = fn () => array_map(fn ($r) => [(int) $r[0], (int) $r[1]], $wpdb->get_results("SELECT action_id, UNIX_TIMESTAMP(scheduled_date_gmt) - UNIX_TIMESTAMP(UTC_TIMESTAMP()) FROM $actions WHERE hook = 'closte_native_watch' AND status = 'pending'", ARRAY_N));
$ids = [];
/** At most one pending stage action per domain, checked after every step. */
$at_most_one = function (string $step) use ($t, &$ids, $stage_actions) {
    $over = array_filter(array_map(fn ($id) => count($stage_actions($id)), $ids), fn ($n) => $n > 1);
    $t->same("at most one pending stage action per domain ($step)", [], $over);
};
/** One tick: its time comes (its scheduled date moved to now) and Action Scheduler's queue runner runs what is due. */
$tick = function () use ($wpdb, $actions): ?array {
    $now = gmdate('Y-m-d H:i:s', time() - 1);
    $wpdb->query($wpdb->prepare("UPDATE $actions SET scheduled_date_gmt = %s, scheduled_date_local = %s WHERE hook = 'closte_native_watch' AND status = 'pending'", $now, $now));
    ActionScheduler_QueueRunner::instance()->run('closte-test');
    return Closte_Native_Watcher::last_tick();
};
/** Action Scheduler's queue runner, as WP-Cron or the async runner starts it: what is due runs. */
$due = fn () => ActionScheduler_QueueRunner::instance()->run('closte-test');
$log = fn (string $name) => (string) @file_get_contents(getenv('WU_LOG_DIR') . "/domain-$name.log");
foreach (array_keys($zone) as $n) {
    @unlink(getenv('WU_LOG_DIR') . "/domain-$n.log");
}

// Nothing waits: nothing is scheduled, a tick checks nothing.
(new Closte_Native_Watcher())->wake();
do_action('init');
$t->same('idle: no domain waits, no tick is scheduled', [], $watch_pending());
$asked = ['dns' => [], 'ssl' => []];
$idle = (new Closte_Native_Watcher())->tick();
$t->same('idle: a tick with nothing waiting checks nothing', [0, [], []], [$idle['names'], $asked['dns'], $asked['ssl']]);

// A domain mapped while its DNS is wrong, and one whose DNS stays wrong.
$ids['padlock'] = $map('padlock.example.test');
$ids['stays'] = $map('stays.example.test');
$due(); // wu_add_domain (the alias) and the plugin's first check of each
$first = $stage_actions($ids['padlock']);
$t->check('mapped with DNS wrong: checking-dns, its next check in 300 s (tries 1)', $stage($ids['padlock']) === 'checking-dns' && count($first) === 1
    && $first[0][1] === 1 && $first[0][2] - time() > 290 && $first[0][2] - time() <= 300, json_encode([$stage($ids['padlock']), $first]));
$pending = $watch_pending();
$t->check('a stage change scheduled the watcher: one recurring tick, in the closte-native group, due within 10 s', count($pending) === 1 && $pending[0][1] <= 10
    && $wpdb->get_var($wpdb->prepare("SELECT g.slug FROM $actions a JOIN {$wpdb->base_prefix}actionscheduler_groups g ON g.group_id = a.group_id WHERE a.action_id = %d", $pending[0][0] ?? 0)) === 'closte-native'
    && ActionScheduler::store()->fetch_action((string) ($pending[0][0] ?? 0))->get_schedule()->is_recurring(), json_encode($pending));
(new Closte_Native_Watcher())->wake();
(new Closte_Native_Watcher())->wake();
$t->same('waking it again schedules nothing more', 1, count($watch_pending()));
$at_most_one('mapped');

// Tick: DNS still wrong. Nothing moves; the plugin's own check stays where it was.
$asked = ['dns' => [], 'ssl' => []];
$r = $tick();
$t->same('tick, DNS wrong: still checking-dns, the same pending check (same action, tries 1)', ['checking-dns', $first], [$stage($ids['padlock']), $stage_actions($ids['padlock'])]);
sort($asked['dns']);
$t->same('tick: one DNS batch over both waiting domains and their www. twins', [4, ['padlock.example.test', 'stays.example.test', 'www.padlock.example.test', 'www.stays.example.test'], []],
    [$r['names'], $asked['dns'], $asked['ssl']]);
$again = $watch_pending();
$t->check('Action Scheduler stored the next tick about 10 s out', count($again) === 1 && $again[0][0] !== $pending[0][0] && $again[0][1] > 0 && $again[0][1] <= 10, json_encode($again));
// The spacing itself: Action Scheduler schedules each next instance at the run's time plus
// the schedule's recurrence (ActionScheduler_IntervalSchedule::calculate_next), so the
// recurrence is what keeps ticks apart; tick() moves the due date only.
$t->same('... its recurrence is the watcher\'s interval (10 s): ticks are that far apart', [10, 10],
    [(int) (($schedule = ActionScheduler::store()->fetch_action((string) ($again[0][0] ?? 0))->get_schedule()) && method_exists($schedule, 'get_recurrence') ? $schedule->get_recurrence() : 0), Closte_Native_Watcher::interval()]);
$at_most_one('DNS wrong');

// DNS made right: the next tick has the plugin check it now, not in 300 s.
$world->dns(['padlock.example.test' => $right, 'www.padlock.example.test' => $right] + $zone);
$r = $tick();
$t->same('DNS made right: checking-ssl-cert within one tick', 'checking-ssl-cert', $stage($ids['padlock']));
$t->same('... its pending 300 s check was unscheduled (canceled in Action Scheduler)', 'canceled',
    $wpdb->get_var($wpdb->prepare("SELECT status FROM $actions WHERE action_id = %d", $first[0][0])));
$t->check('... the plugin advanced it itself: its own log lines', str_contains($log('padlock.example.test'), '- DNS propagation finished, advancing domain to next step...')
    && str_contains($log('padlock.example.test'), 'DNS ready: padlock.example.test points to 198.51.100.7'), $log('padlock.example.test'));
$t->check('... and the log says why it was early', (bool) preg_match('/DNS now points at Closte \(198\.51\.100\.7\): checking now, instead of in [45] min/', $log('padlock.example.test')), $log('padlock.example.test'));
$ssl = $stage_actions($ids['padlock']);
$t->check('... the plugin\'s SSL check ran (queued by the plugin) and waits 300 s: one pending action', count($ssl) === 1 && $ssl[0][1] === 1 && $ssl[0][2] - time() > 290, json_encode($ssl));
$t->same('... the report: one domain advanced', ['padlock.example.test'], $r['advanced']);
$t->same('a domain whose DNS stays wrong is never advanced', ['checking-dns', 1], [$stage($ids['stays']), count($stage_actions($ids['stays']))]);
$at_most_one('DNS right');

// Tick: the certificate not issued yet. Nothing moves.
$asked = ['dns' => [], 'ssl' => []];
$tick();
sort($asked['ssl']);
$t->same('tick, no certificate yet: still checking-ssl-cert, the same pending check', ['checking-ssl-cert', $ssl], [$stage($ids['padlock']), $stage_actions($ids['padlock'])]);
$t->same('tick: one certificate batch, the domain and its www. twin, through the stage filter', ['padlock.example.test', 'www.padlock.example.test'], $asked['ssl']);

// The certificate made valid: done and secure within one tick.
$world->serve['padlock.example.test'] = 'wildcard';
update_network_option(null, 'wu_double_ssl_ok', true);
$r = $tick();
$d = wu_get_domain($ids['padlock']);
$t->same('certificate valid: done and secure within one tick', ['done', true], [$d->get_stage(), $d->is_secure()]);
$t->check('... by the plugin: its own log line, and ours saying why', str_contains($log('padlock.example.test'), '- Valid SSL cert found. Marking domain as done.')
    && (bool) preg_match('/the certificate is now valid \(.*\): checking now, instead of in [45] min/', $log('padlock.example.test')), $log('padlock.example.test'));
$t->same('... no stage action left for it', [], $stage_actions($ids['padlock']));
$at_most_one('certificate valid');
update_network_option(null, 'wu_double_ssl_ok', false);

// Revival: a failed domain inside the window comes back when its DNS is right; one outside does not.
$ids['back'] = $map('back.example.test', 'failed');
$ids['old'] = $map('old.example.test', 'failed');
$wpdb->query("DELETE FROM $actions WHERE hook = 'wu_async_process_domain_stage' AND status = 'pending' AND args LIKE '%\"domain_id\":{$ids['back']}}%'");
$wpdb->query("DELETE FROM $actions WHERE hook = 'wu_async_process_domain_stage' AND status = 'pending' AND args LIKE '%\"domain_id\":{$ids['old']}}%'");
$eight_days = gmdate('Y-m-d H:i:s', time() - 8 * DAY_IN_SECONDS);
$wpdb->update(Domain::double_table(), ['date_modified' => $eight_days], ['id' => $ids['old']]); // failed eight days ago
$world->dns(['back.example.test' => $right, 'old.example.test' => $right] + $zone);
$r = $tick();
$t->same('revival: failed 0 days ago, DNS right → back, checked and on to checking-ssl-cert', 'checking-ssl-cert', $stage($ids['back']));
$t->check('... its log says so, and the plugin\'s own lines follow', str_contains($log('back.example.test'), 'reviving the domain (failed since')
    && str_contains($log('back.example.test'), '- DNS propagation finished'), $log('back.example.test'));
$t->same('revival: failed 8 days ago (outside the 7-day window) is left alone', ['failed', $eight_days, [], ''], [$stage($ids['old']), wu_get_domain($ids['old'])->get_date_modified(), $stage_actions($ids['old']), $log('old.example.test')]);
$t->same('... the report', ['back.example.test'], $r['revived']);
$at_most_one('revival');

// An ssl-failed domain whose certificate is now valid: back, and done.
$ids['cert'] = $map('cert.example.test', 'ssl-failed');
$wpdb->query("DELETE FROM $actions WHERE hook = 'wu_async_process_domain_stage' AND status = 'pending' AND args LIKE '%\"domain_id\":{$ids['cert']}}%'");
$world->serve['cert.example.test'] = 'wildcard';
update_network_option(null, 'wu_double_ssl_ok', true);
$tick();
$t->same('revival: ssl-failed with a valid certificate → done', 'done', $stage($ids['cert']));
update_network_option(null, 'wu_double_ssl_ok', false);
$at_most_one('ssl revival');

// A silent resolver and a silent TLS host change nothing.
$ids['quiet'] = $map('quiet.example.test');
$ids['shy'] = $map('shy.example.test', 'checking-ssl-cert');
$due(); // the plugin's first check of each
$world->dns(['quiet.example.test' => $right, 'www.quiet.example.test' => $right] + $zone);
$world->silent_resolver();
$world->serve['shy.example.test'] = 'silent';
update_network_option(null, 'wu_double_ssl_ok', true); // the plugin's own check would pass: only the watcher's silence holds it
$held = fn () => [array_map(fn ($a) => array_slice($a, 0, 2), $stage_actions($ids['quiet'])), array_map(fn ($a) => array_slice($a, 0, 2), $stage_actions($ids['shy'])), $stage($ids['quiet']), $stage($ids['shy'])];
$before = $held();
$r = $tick();
$t->same('silent resolver and TLS host: no stage, no action changed (same actions, same tries)', $before, $held());
$seen = (new Closte_Native_Watched())->all();
$t->check('... and the watcher says what it saw, each check with the scenario\'s 1 s timeout (its filters applied, not the defaults)',
    (bool) preg_match('/no DNS answer for quiet\.example\.test within 1 s \(timeout\)/', (string) ($seen['quiet.example.test']['verdict'] ?? ''))
    && (bool) preg_match('/within the 1 s timeout \(timeout\)/', (string) ($seen['shy.example.test']['verdict'] ?? '')), json_encode($seen));
$world->dns(['quiet.example.test' => $right, 'www.quiet.example.test' => $right] + $zone);
update_network_option(null, 'wu_double_ssl_ok', false);
$tick();
$t->same('... the resolver back: the next tick advances it', 'checking-ssl-cert', $stage($ids['quiet']));
update_network_option(null, 'wu_double_ssl_ok', false);
$at_most_one('silent');

// Chunks: with a batch of 1, one domain per tick, the one checked longest ago first.
add_filter('closte_native_watch_batch', fn () => 1);
$r = $tick();
$t->check('chunked: one domain this tick, the others left for the next', $r['domains'] === 1 && $r['left'] >= 2, json_encode($r));
remove_all_filters('closte_native_watch_batch');

// No overlap: while another runner holds a claim, the queue runner starts no second tick.
$now = gmdate('Y-m-d H:i:s', time() - 1);
$wpdb->query($wpdb->prepare("UPDATE $actions SET scheduled_date_gmt = %s, scheduled_date_local = %s WHERE hook = 'closte_native_watch' AND status = 'pending'", $now, $now));
$claim = ActionScheduler::store()->stake_claim(10, null, ['closte_native_watch']); // by hook: before Action Scheduler's own migration has run, its posts store knows no group
update_network_option(null, Closte_Native_Watcher::STATE_OPTION, ['last_tick' => ['at' => 12345] + (array) Closte_Native_Watcher::last_tick()]); // a tick would overwrite it
$ran = ActionScheduler_QueueRunner::instance()->run('closte-test');
$t->same('claimed by another runner: no second tick runs', [1, 0, 12345], [count($claim->get_actions()), $ran, Closte_Native_Watcher::last_tick()['at'] ?? null]);
ActionScheduler::store()->release_claim($claim);

// The console: what each waiting domain waits for and when it was last checked, and the last tick.
wp_set_current_user(1);
grant_super_admin(1);
$t->refresh(); // the console's rows come from its status table, written by a refresh
$page = $t->console_page();
$t->check('console: a waiting domain says what it waits for and when it was last checked', (bool) preg_match('/closte-watch[^>]*>waiting for DNS, last checked [^<]*ago: stays\.example\.test points to 203\.0\.113\.9/', $page), $page);
$t->check('console: the watcher\'s last tick (time, names checked, domains advanced)', (bool) preg_match('/closte-native-watcher[^>]*>.*last tick .* UTC.*\d+ names? checked.*\d+ domains? advanced/s', $page), $page);

// Nothing waits any more: the watcher unschedules itself, though Action Scheduler stores
// the next instance right after the run.
foreach ($ids as $id) {
    $d = wu_get_domain($id);
    if (in_array($d->get_stage(), ['checking-dns', 'checking-ssl-cert', 'failed', 'ssl-failed'], true) && $id !== $ids['old']) {
        $d->set_stage('done');
        $d->save();
    }
}
$wpdb->query("UPDATE $actions SET status = 'canceled' WHERE hook = 'wu_async_process_domain_stage' AND status = 'pending'");
$canceled = (int) $wpdb->get_var("SELECT COUNT(*) FROM $actions WHERE hook = 'closte_native_watch' AND status = 'canceled'");
$last = $watch_pending()[0][0] ?? 0;
$r = $tick();
$t->same('nothing waits: the last tick checked nothing and said so', [true, 0], [$r['idle'] ?? false, $r['names']]);
$t->same('... and the watcher follows no domain any more (its rows are gone)', [], (new Closte_Native_Watched())->all());
$t->same('... no tick is pending in Action Scheduler', [], $watch_pending());
$t->check('... the instance Action Scheduler stored after that run was canceled as it was stored',
    (int) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM $actions WHERE hook = 'closte_native_watch' AND status = 'canceled' AND action_id > %d", $last)) === 1
    && $wpdb->get_var($wpdb->prepare("SELECT status FROM $actions WHERE action_id = %d", $last)) === 'complete');
$t->same('... and no stage action is left', 0, (int) $wpdb->get_var("SELECT COUNT(*) FROM $actions WHERE hook = 'wu_async_process_domain_stage' AND status IN ('pending', 'in-progress')"));
$page = $t->console_page();
$t->check('console: the watcher is idle', str_contains($page, 'Watcher: idle'), $page);

// A domain event wakes it again.
$ids['late'] = $map('late.example.test');
$t->same('a newly mapped domain schedules the watcher again', 1, count($watch_pending()));

// Leave no domain and no queued work to the scripts that follow.
Domain::double_reset();
$wpdb->query("UPDATE $actions SET status = 'canceled' WHERE status = 'pending' AND hook IN ('wu_add_domain', 'wu_async_process_domain_stage', 'closte_native_watch')");
closte_test_forget_watcher();
update_network_option(null, 'wu_double_ssl_ok', false);
$t->finish();
