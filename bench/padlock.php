<?php
/*
 * make bench, part 4: time to padlock, in the real stack (MariaDB, the real Action Scheduler
 * 3.8.2 from tests/vendor, the emulator's DNS server, a TLS lab of loopback servers).
 * Run by scripts/test-wordpress.sh --bench-padlock [N]. Prints two tables; asserts nothing.
 *
 * 1. SIMULATED CLOCK. N (20) domains are mapped with DNS already right; each one's
 *    certificate starts being served at a random moment (seeded, SEED, default 17) within
 *    0–PADLOCK_WINDOW s (600). dns_check_interval is 60 s. Run once with the watcher off
 *    (its hooks removed: Ultimate Multisite alone) and once with it on, ticking every 10 s.
 *    One name per domain (auto_create_www_subdomain "never"). Nobody waits: when nothing is
 *    due, the clock jumps to the next event — the next pending Action Scheduler action
 *    (every pending action is moved back by the jump: the date the queue runner claims by,
 *    as tests/wordpress/watcher.php makes ticks due, and the date in its stored schedule,
 *    from which Action Scheduler computes a recurring action's next instance) or the next
 *    certificate (the TLS lab then serves the valid certificate for that name). What is due runs
 *    through Action Scheduler's own queue runner: the plugin's stage checks, the watcher's
 *    ticks, its recurring rescheduling. The checks themselves are real (Closte\check_dns*
 *    against the DNS server, Closte\check_ssl* handshakes with the TLS lab), and the time
 *    they take counts on the simulated clock too. "Served" and "done" are read from that
 *    clock (1 s resolution: Action Scheduler stores seconds).
 *    The plugin's own certificate check (Domain::has_valid_ssl_certificate(), a TLS connect
 *    to the domain in 2.4.10; the test double reads a network option) is answered here by
 *    a real Closte\check_ssl() of that domain against the TLS lab.
 * 2. MEASURED. One real watcher tick (made due, run by Action Scheduler's queue runner) for
 *    TICK_N (1,000) waiting domains, half waiting for DNS (pointing elsewhere), half for a
 *    certificate (the lab serves one for another name), with their www. twins (Ultimate
 *    Multisite's default auto_create_www_subdomain "always"): each DNS answer held RTT_MS
 *    (20) by the DNS server, each TLS host behind `closte-emulator proxy --rtt-ms RTT_MS`.
 *    Wall-clock seconds; once with the default batch, once with the whole set in one tick.
 */

require __DIR__ . '/../tests/server.inc';

use WP_Ultimo\Models\Domain;

$n = max(1, (int) ($argv[1] ?? 20));
$tick_n = max(2, (int) (getenv('TICK_N') ?: 1000));
$rtt = (int) (getenv('RTT_MS') ?: 20);
$seed = (int) (getenv('SEED') ?: 17);
$window = max(1, (int) (getenv('PADLOCK_WINDOW') ?: 600));
const PADLOCK_DNS_INTERVAL = 60;
const PADLOCK_WATCH_INTERVAL = 10;
const PADLOCK_RIGHT = '198.51.100.7';
const PADLOCK_WRONG = '203.0.113.9';

$emu = new ClosteEmulator();
putenv('CLOSTE_WP_KEY=' . $emu->key);
putenv('CLOSTE_WP_PUBLIC_IP=' . PADLOCK_RIGHT);
ini_set('closte.api_url', $emu->api);
require __DIR__ . '/../tests/wordpress/bootstrap.php';

if (!class_exists('ActionScheduler', false)) {
    echo "\nTime to padlock: not run. It needs the real Action Scheduler (tests/vendor/action-scheduler):\n"
        . "the tests' stand-in runs a recurring action once and has no queue runner.\n";
    exit(0);
}

global $wpdb;
$actions = $wpdb->base_prefix . 'actionscheduler_actions';
$certs = closte_certs();
$tls = ['wrong-host' => closte_tls_server($certs, 'wrong-host'), 'wildcard' => closte_tls_server($certs, 'wildcard')];
$target = fn (string $leaf) => (int) parse_url($tls[$leaf]->url, PHP_URL_PORT);

/** What the lab serves: the stage checks' filters read it (the watcher takes its options from them too). */
final class PadlockLab
{
    public string $resolver = '';
    /** name => port of the loopback TLS server answering for it (the simulation) */
    public array $port = [];
    /** the measured tick: every name to one host behind the latency proxy */
    public ?array $one_host = null;
    public string $ca_file = '';
}
$lab = new PadlockLab();
$lab->ca_file = "$certs/ca.pem";
add_filter('closte_native_check_dns_options', fn ($options, $name) => ['nameservers' => [$lab->resolver]] + (array) $options, 10, 2);
add_filter('closte_native_check_ssl_options', function ($options, $name) use ($lab) {
    // Per name, as check_ssl() takes it; the watcher batches the names whose options are the
    // same, so a tick makes one check_ssl_many() per certificate the lab serves.
    $to = $lab->one_host ?? ['connect_to' => '127.0.0.1', 'port' => $lab->port[$name] ?? 9];
    return $to + ['ca_file' => $lab->ca_file] + (array) $options;
}, 10, 2);

// The plugin's own certificate check, for the domain it is processing (the max-tries filter
// is applied with the domain at the start of each run of async_process_domain_stage).
$processing = null;
add_filter('wu_async_process_domain_stage_max_tries', function ($max, $domain = null) use (&$processing) {
    $processing = is_object($domain) ? (string) $domain->get_domain() : null;
    return $max;
}, 99, 2);
add_filter('pre_site_option_wu_double_ssl_ok', function ($pre) use (&$processing) {
    if ($processing === null) {
        return $pre;
    }
    $r = Closte\check_ssl($processing, (array) apply_filters('closte_native_check_ssl_options', [], $processing));
    return $r['valid'] ? true : $pre;
});
update_network_option(null, 'wu_double_ssl_ok', false);
update_network_option(null, 'wu_double_dns_records', []); // the plugin's own lookup finds nothing: the bridge's DNS check decides
add_filter('closte_native_watch_interval', fn () => PADLOCK_WATCH_INTERVAL);

/** The watcher the bridge registered (to switch it off for "Ultimate Multisite alone"). */
$watcher = null;
foreach ($GLOBALS['wp_filter'][Closte_Native_Watcher::HOOK]->callbacks ?? [] as $callbacks) {
    foreach ($callbacks as $cb) {
        if (is_array($cb['function']) && $cb['function'][0] instanceof Closte_Native_Watcher) {
            $watcher = $cb['function'][0];
        }
    }
}
if ($watcher === null) {
    fwrite(STDERR, "padlock: the bridge registered no watcher (is the extension loaded and the key defined?)\n");
    exit(1);
}
$watcher_off = function () use ($watcher) {
    remove_action(Closte_Native_Watcher::HOOK, [$watcher, 'tick'], 10);
    remove_action('wu_domain_post_save', [$watcher, 'on_domain_saved'], 10);
    remove_action('wu_add_domain', [$watcher, 'wake'], 20);
    remove_action(Closte_Native_Watcher::STAGE_HOOK, [$watcher, 'wake'], 5);
    remove_action('action_scheduler_stored_action', [$watcher, 'on_stored_action'], 10);
};

/** A clean slate: no domain, no pending action, no watcher state. */
$reset = function () use ($wpdb, $actions) {
    Domain::double_reset();
    $wpdb->query("UPDATE $actions SET status = 'canceled' WHERE status = 'pending'");
    delete_network_option(null, Closte_Native_Watcher::STATE_OPTION);
};

// ---------------------------------------------------------------------------------------
// 1. Time to padlock on a simulated clock.

mt_srand($seed);
$plan = []; // index => simulated second at which its certificate starts being served
for ($i = 1; $i <= $n; $i++) {
    $plan[$i] = mt_rand(0, $window * 1000) / 1000;
}

/** One run: latencies (served → done, simulated s), how many the watcher advanced, plugin checks and ticks run, wall and simulated seconds, how many not done. */
$simulate = function (string $prefix, bool $with_watcher) use ($n, $plan, $lab, $target, $wpdb, $actions, $reset, $watcher, $watcher_off): array {
    $reset();
    if ($with_watcher) {
        $watcher->register();
    } else {
        $watcher_off();
    }
    update_network_option(null, 'wp-ultimo_v2_settings', ['dns_check_interval' => PADLOCK_DNS_INTERVAL, 'auto_create_www_subdomain' => 'never']);
    $names = [];
    $zone = '';
    foreach ($plan as $i => $at) {
        $names[$i] = sprintf('%s-%02d.example.test', $prefix, $i);
        $zone .= "{$names[$i]} 60 A " . PADLOCK_RIGHT . "\n";
        $lab->port[$names[$i]] = $target('wrong-host'); // what Closte serves before it has the certificate
    }
    $dns = new ClosteDns($zone);
    $lab->resolver = $dns->addr;
    $lab->one_host = null;
    $first_id = (int) $wpdb->get_var("SELECT COALESCE(MAX(action_id), 0) FROM $actions");

    $start = microtime(true);
    $shift = 0; // simulated seconds skipped so far
    $clock = function () use ($start, &$shift): float {
        return microtime(true) - $start + $shift; // the simulated clock: real time plus the jumps
    };
    // Moves every pending action $seconds earlier: the dates the queue runner claims by, and
    // the dates in its stored schedule (a recurring action's next instance is computed from
    // that one: now + interval once it is past, else that date itself).
    $jump = function (int $seconds) use (&$shift, $wpdb, $actions) {
        if ($seconds <= 0) {
            return;
        }
        $wpdb->query($wpdb->prepare("UPDATE $actions SET scheduled_date_gmt = scheduled_date_gmt - INTERVAL %d SECOND,
            scheduled_date_local = scheduled_date_local - INTERVAL %d SECOND WHERE status = 'pending'", $seconds, $seconds));
        foreach ($wpdb->get_results("SELECT action_id, schedule FROM $actions WHERE status = 'pending'", ARRAY_A) as $row) {
            $schedule = preg_replace_callback('/((?:scheduled|first)_timestamp";i:)(\d+)/', fn ($m) => $m[1] . ((int) $m[2] - $seconds), (string) $row['schedule']);
            if ($schedule !== $row['schedule']) {
                $wpdb->update($actions, ['schedule' => $schedule], ['action_id' => $row['action_id']]);
            }
        }
        $shift += $seconds;
    };
    $served = [];
    $done = [];
    $on_save = function ($data, $domain = null) use (&$done, $clock) {
        if (is_object($domain) && $domain->get_stage() === 'done' && !isset($done[$domain->get_domain()])) {
            $done[$domain->get_domain()] = [$clock(), doing_action(Closte_Native_Watcher::HOOK)];
        }
    };
    add_action('wu_domain_post_save', $on_save, 99, 2);

    foreach ($names as $name) { // mapped as wu_create_domain() does: saved, then its stage processing queued
        $d = new Domain(['blog_id' => 2, 'stage' => 'checking-dns']);
        $d->set_domain($name);
        $d->save();
        wu_enqueue_async_action('wu_async_process_domain_stage', ['domain_id' => $d->get_id()], 'domain');
    }
    $order = $plan;
    asort($order);
    $limit = max($plan) + 3600;
    $runner = ActionScheduler_QueueRunner::instance();
    for ($guard = 0; $guard < 100000; $guard++) {
        $ran = $runner->run('closte-bench');
        if (count($done) === $n || $clock() > $limit) {
            break;
        }
        $next = null;
        foreach ($order as $i => $at) {
            if (!isset($served[$names[$i]])) {
                $next = $i;
                break;
            }
        }
        $due = $wpdb->get_var("SELECT MIN(scheduled_date_gmt) FROM $actions WHERE status = 'pending'");
        $wait_action = $due === null ? INF : strtotime("$due UTC") - time();
        $wait_cert = $next === null ? INF : $plan[$next] - $clock();
        if ($wait_action === INF && $wait_cert === INF) {
            break; // nothing more will happen
        }
        if ($wait_cert <= $wait_action) {
            $jump((int) ceil($wait_cert));
            foreach ($order as $i => $at) {
                if (!isset($served[$names[$i]]) && $at <= $clock()) {
                    $lab->port[$names[$i]] = $target('wildcard'); // Closte now serves a valid certificate for it
                    $served[$names[$i]] = $clock();
                }
            }
        } else {
            $jump($wait_action > 0 ? (int) $wait_action : ($ran === 0 ? 1 : 0));
        }
    }
    remove_action('wu_domain_post_save', $on_save, 99);
    $wall = microtime(true) - $start;
    $sim_end = $clock();
    $latency = [];
    $by_watcher = 0;
    foreach ($done as $name => [$at, $watched]) {
        if (isset($served[$name])) {
            $latency[] = $at - $served[$name];
            $by_watcher += $watched ? 1 : 0;
        }
    }
    $count = fn (string $hook) => (int) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM $actions WHERE hook = %s AND status = 'complete' AND action_id > %d", $hook, $first_id));
    $dns->stop();
    return ['latency' => $latency, 'by_watcher' => $by_watcher, 'checks' => $count('wu_async_process_domain_stage'),
        'ticks' => $count(Closte_Native_Watcher::HOOK), 'wall' => $wall, 'sim_end' => $sim_end, 'not_done' => $n - count($latency)];
};

$median = function (array $v): float {
    sort($v);
    $c = count($v);
    if ($c === 0) {
        return NAN;
    }
    return $c % 2 ? $v[intdiv($c, 2)] : ($v[$c / 2 - 1] + $v[$c / 2]) / 2;
};

$alone = $simulate('alone', false);
$watched = $simulate('watched', true);

printf("\nTime to padlock: %d domains, each one's certificate served from a random moment in 0-%d s (seed %d);\n", $n, $window, $seed);
printf("dns_check_interval %d s; Action Scheduler %s (the real one). SIMULATED seconds: the clock jumps to the next\n",
    PADLOCK_DNS_INTERVAL, ActionScheduler_Versions::instance()->latest_version());
echo "due action or certificate; checks, ticks and handshakes are real, and their time counts too. The plugin's own\n";
echo "certificate check is a real Closte\\check_ssl() of the domain against the TLS lab; one name per domain.\n\n";
printf("| %-42s | %10s | %10s | %14s | %13s | %6s | %8s |\n", 'served -> done (simulated s)', 'median', 'max', 'by the watcher', 'plugin checks', 'ticks', 'wall s');
printf("|%s|%s|%s|%s|%s|%s|%s|\n", str_repeat('-', 44), str_repeat('-', 12), str_repeat('-', 12), str_repeat('-', 16), str_repeat('-', 15), str_repeat('-', 8), str_repeat('-', 10));
foreach ([['Ultimate Multisite alone (watcher off)', $alone], [sprintf('with the watcher (every %d s)', PADLOCK_WATCH_INTERVAL), $watched]] as [$label, $r]) {
    printf("| %-42s | %10.1f | %10.1f | %14s | %13d | %6d | %8.1f |\n", $label, $median($r['latency']), $r['latency'] ? max($r['latency']) : NAN,
        sprintf('%d / %d', $r['by_watcher'], count($r['latency'])), $r['checks'], $r['ticks'], $r['wall']);
}
printf("| %-42s | %9.1fx | %9.1fx | %14s | %13s | %6s | %8s |\n", 'ratio (alone / with the watcher)',
    $median($alone['latency']) / max(0.001, $median($watched['latency'])), max($alone['latency'] ?: [NAN]) / max(0.001, max($watched['latency'] ?: [0.001])), '', '', '', '');
foreach (['alone' => $alone, 'with the watcher' => $watched] as $label => $r) {
    if ($r['not_done'] > 0) {
        printf("note: %s: %d of %d domains not done when the simulation ended\n", $label, $r['not_done'], $n);
    }
}
printf("(simulated span: alone %.0f s, with the watcher %.0f s; \"plugin checks\" = wu_async_process_domain_stage actions run by the queue runner.\n"
    . " Where the ticks fall depends on real sub-second timing, so with %d domains the watcher's median moves by a few seconds between runs.)\n",
    $alone['sim_end'], $watched['sim_end'], $n);

// ---------------------------------------------------------------------------------------
// 2. One real tick, TICK_N waiting domains, RTT_MS to each HTTPS server and per DNS answer.

$reset();
$watcher->register();
update_network_option(null, 'wp-ultimo_v2_settings', ['dns_check_interval' => 300, 'auto_create_www_subdomain' => 'always']);
$zone = '';
$now = gmdate('Y-m-d H:i:s');
$table = Domain::double_table();
$rows = [];
for ($i = 1; $i <= $tick_n; $i++) {
    $name = sprintf('site%04d.example.test', $i);
    $for_dns = $i % 2 === 1;
    foreach ([$name, "www.$name"] as $wire) {
        $zone .= sprintf("%s 300 A %s\n%s DELAY %d\n", $wire, $for_dns ? PADLOCK_WRONG : PADLOCK_RIGHT, $wire, $rtt);
    }
    $rows[] = $wpdb->prepare('(%d, %s, %d, %s, %s, %s)', 2, $name, 1, $for_dns ? 'checking-dns' : 'checking-ssl-cert', $now, $now);
}
foreach (array_chunk($rows, 500) as $chunk) { // records as the plugin stores them, without queuing TICK_N events
    $wpdb->query("INSERT INTO $table (blog_id, domain, active, stage, date_created, date_modified) VALUES " . implode(',', $chunk));
}
$dns = new ClosteDns($zone);
[$tls_port] = latency_proxy(hostport($tls['wrong-host']->url), $rtt);
$lab->resolver = $dns->addr;
$lab->one_host = ['connect_to' => '127.0.0.1', 'port' => $tls_port];

$one_tick = function () use ($watcher, $wpdb, $actions): array {
    if (Closte_Native_Watcher::scheduled() === false) {
        $watcher->wake();
    }
    $now = gmdate('Y-m-d H:i:s', time() - 1);
    $wpdb->query($wpdb->prepare("UPDATE $actions SET scheduled_date_gmt = %s, scheduled_date_local = %s WHERE hook = %s AND status = 'pending'", $now, $now, Closte_Native_Watcher::HOOK));
    $start = microtime(true);
    $ran = ActionScheduler_QueueRunner::instance()->run('closte-bench');
    $wall = microtime(true) - $start;
    return [$wall, $ran, Closte_Native_Watcher::state()['last_tick'] ?? []];
};
$default_batch = Closte_Native_Watcher::BATCH;
$first = $one_tick();
add_filter('closte_native_watch_batch', fn () => $tick_n);
$whole = $one_tick();
remove_all_filters('closte_native_watch_batch');

printf("\nOne watcher tick, %s waiting domains (%s for DNS, %s for a certificate; with www. twins, %s names), %d ms RTT\n",
    number_format($tick_n), number_format((int) ceil($tick_n / 2)), number_format(intdiv($tick_n, 2)), number_format(2 * $tick_n), $rtt);
printf("to each HTTPS server and per DNS answer; closte.dns_concurrency %s, closte.ssl_concurrency %s. MEASURED: wall-clock seconds\n",
    ini_get('closte.dns_concurrency'), ini_get('closte.ssl_concurrency'));
echo "of Action Scheduler's queue runner running the due tick (the watcher's own timing in brackets).\n\n";
printf("| %-58s | %8s | %8s | %6s | %13s |\n|%s|%s|%s|%s|%s|\n", 'tick', 'domains', 'names', 'left', 'seconds', str_repeat('-', 60), str_repeat('-', 10), str_repeat('-', 10), str_repeat('-', 8), str_repeat('-', 15));
foreach ([[sprintf('default batch (%d domains a tick, oldest-checked first)', $default_batch), $first], [sprintf('all %s in one tick (closte_native_watch_batch %d)', number_format($tick_n), $tick_n), $whole]] as [$label, [$wall, $ran, $report]]) {
    printf("| %-58s | %8d | %8d | %6d | %13s |\n", $label, $report['domains'] ?? 0, $report['names'] ?? 0, $report['left'] ?? 0, sprintf('%.2f (%.2f)', $wall, $report['seconds'] ?? NAN));
    if (!empty($report['errors']) || $ran !== 1 || !empty($report['advanced'])) {
        printf("note: %s: %d action(s) ran, errors %s, advanced %d\n", $label, $ran, json_encode($report['errors'] ?? []), count($report['advanced'] ?? []));
    }
}
printf("(a full pass over the %s domains with the default batch: %d tick(s), one every closte_native_watch_interval: 60 s by default, %d s here)\n",
    number_format($tick_n), (int) ceil($tick_n / $default_batch), PADLOCK_WATCH_INTERVAL);

$reset();
update_network_option(null, 'wu_double_ssl_ok', false);
