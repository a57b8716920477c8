<?php
/*
 * The DNS stage in the real multisite: Ultimate Multisite's own async_process_domain_stage
 * runs Domain::has_correct_dns(), whose wu_domain_has_correct_dns filter reaches the bridge,
 * which asks the emulator's DNS server (closte.nameservers) through Closte\check_dns().
 * Run three times: CLOSTE_WP_PUBLIC_IP set to Closte's IP, set to something that is not an
 * IP, and unset. Prints "ok …" / "FAIL …" lines and "N passed, N failed".
 */

require __DIR__ . '/scenario.inc';

use WP_Ultimo\Models\Domain;
use WP_Ultimo\Domain_Mapping\Helper;

$dns = new ClosteDns(CLOSTE_TEST_ZONE);
[$t, $emu] = Scenario::start(['ini' => ['nameservers' => $dns->addr, 'dns_timeout' => 1], 'reset' => true]);
$mode = getenv('CLOSTE_WP_PUBLIC_IP') === false ? 'undefined' : (getenv('CLOSTE_WP_PUBLIC_IP') === '198.51.100.7' ? 'defined' : 'invalid');
$log = fn (string $name) => (string) @file_get_contents(getenv('WU_LOG_DIR') . "/domain-$name.log");
$lines = fn (string $name) => array_map(fn ($l) => preg_replace('/^\[[^]]*\] \[[A-Z]+\] /', '', $l), array_values(array_filter(explode("\n", $log($name)))));
$records = fn (array $r) => update_network_option(null, 'wu_double_dns_records', $r);
$stage = function (string $name) use ($t): Domain {
    $d = new Domain(['blog_id' => 2, 'stage' => 'checking-dns']);
    $d->set_domain($name);
    $d->save();
    global $wpdb;
    $wpdb->query("UPDATE {$wpdb->base_prefix}actionscheduler_actions SET status = 'complete' WHERE status = 'pending'");
    do_action('wu_async_process_domain_stage', $d->get_id(), 0); // the plugin's own stage processing
    return Domain::get_by_id($d->get_id());
};
@unlink(getenv('WU_LOG_DIR') . '/domain-shop.example.com.log');
@unlink(getenv('WU_LOG_DIR') . '/domain-away.example.com.log');

$t->check("[$mode] the DNS stage is hooked", has_filter('wu_domain_has_correct_dns') !== false && has_filter('wu_get_network_public_ip') !== false);

// wu_get_network_public_ip: the plugin's guess is replaced by Closte's constant.
set_site_transient('wu_public_network_ip', '203.0.113.250');
$_SERVER['SERVER_ADDR'] = '10.1.2.3';
$expectedIp = $mode === 'defined' ? '198.51.100.7' : '10.1.2.3';
$t->same("[$mode] Helper::get_network_public_ip() (development mode)", $expectedIp, Helper::get_network_public_ip());
add_filter('wu_is_development_mode', '__return_false');
$t->same("[$mode] Helper::get_network_public_ip() (production)", $mode === 'defined' ? '198.51.100.7' : '203.0.113.250', Helper::get_network_public_ip());
remove_filter('wu_is_development_mode', '__return_false');

// The plugin's own lookup found nothing it recognises: the bridge asks DNS exactly.
$records([]);
$shop = $stage('shop.example.com');
$away = $stage('away.example.com');
if ($mode === 'defined') {
    $t->same('[defined] pointing at Closte: the domain advances to checking-ssl-cert', 'checking-ssl-cert', $shop->get_stage());
    $t->same('[defined] the verdict is in the domain log', 'DNS ready: shop.example.com points to 198.51.100.7, as Closte expects (198.51.100.7)',
        $lines('shop.example.com')[1] ?? null);
    $t->same('[defined] pointing elsewhere: still checking-dns, retry scheduled', ['checking-dns', 1],
        [$away->get_stage(), count(array_filter($t->pending('wu_async_process_domain_stage'), fn ($a) => $a[0]['domain_id'] === $away->get_id()))]);
    $t->same('[defined] the reason is in the domain log',
        'DNS not ready: away.example.com points to 203.0.113.9; Closte expects 198.51.100.7 (points_elsewhere)', $lines('away.example.com')[1] ?? null);
    $www = $stage('www.shop.example.com');
    $t->check('[defined] a CNAME chain ending at Closte counts, and the log shows the chain', $www->get_stage() === 'checking-ssl-cert'
        && str_contains($log('www.shop.example.com'), 'DNS ready: www.shop.example.com points to 198.51.100.7 (through CNAME lb.closte.test → edge.closte.test)'),
        $log('www.shop.example.com'));
    $gone = $stage('gone.example.com');
    $t->check('[defined] a name that does not exist: nxdomain in the log', $gone->get_stage() === 'checking-dns'
        && str_contains($log('gone.example.com'), 'DNS not ready: gone.example.com does not exist in DNS (NXDOMAIN) (nxdomain)'), $log('gone.example.com'));
    $silent = $stage('silent.example.com');
    $t->check('[defined] a silent DNS server: timeout in the log, the plugin retries', $silent->get_stage() === 'checking-dns'
        && str_contains($log('silent.example.com'), 'DNS not ready: no DNS answer for silent.example.com within 1 s (timeout)'), $log('silent.example.com'));

    // Another disagreement keeps the plugin's yes, and is logged.
    $t->same('[defined] a true from the plugin stays true', true, apply_filters('wu_domain_has_correct_dns', true, $away, ['203.0.113.9']));
    $t->check('[defined] ... and the disagreement is logged', str_contains($log('away.example.com'),
        'DNS accepted by Ultimate Multisite, but away.example.com points to 203.0.113.9; Closte expects 198.51.100.7 (points_elsewhere)'), $log('away.example.com'));
    // ... unless DNS shows why no certificate can be issued: a stray AAAA elsewhere, a CAA set
    // that does not allow Closte's CA (check_dns: partly_elsewhere, caa_forbids).
    $doomed = new ClosteDns("mixed.example.com 60 A 198.51.100.7\nmixed.example.com 60 AAAA 2001:db8::66\ncaa.example.com 60 A 198.51.100.7\ncaa.example.com 60 CAA 0 issue \"digicert.com\"\n");
    add_filter('closte_native_check_dns_options', fn ($o, $name) => ['nameservers' => [$doomed->addr]], 10, 2);
    foreach (['mixed.example.com' => 'partly_elsewhere', 'caa.example.com' => 'caa_forbids'] as $name => $reason) {
        $d = new Domain(['blog_id' => 2, 'stage' => 'checking-dns']);
        $d->set_domain($name);
        $t->same("[defined] $reason: the plugin's yes does not pass it", false, apply_filters('wu_domain_has_correct_dns', true, $d, ['198.51.100.7']));
        $t->check("[defined] ... and the domain log says why and that no certificate can be issued", str_contains($log($name), "DNS not ready, though Ultimate Multisite saw its address:")
            && str_contains($log($name), "($reason). No certificate can be issued until this is fixed."), $log($name));
    }
    remove_all_filters('closte_native_check_dns_options');
    // The plugin's own check recognised the network IP: the filter is not reached, nothing logged by the bridge.
    $records(['198.51.100.7']);
    $plain = $stage('plain.example.com');
    $t->same('[defined] the plugin\'s own match needs no DNS check', ['checking-ssl-cert', false], [$plain->get_stage(), (bool) preg_match('/DNS (ready|not ready|accepted|check)/', $log('plain.example.com'))]);
    $records([]);
    // Options from the closte_native_check_dns_options filter reach the check.
    $other = new ClosteDns("away.example.com 60 A 198.51.100.7\n");
    add_filter('closte_native_check_dns_options', fn ($o, $name) => ['nameservers' => [$other->addr]], 10, 2);
    $t->same('[defined] closte_native_check_dns_options: another resolver sees the new record', 'checking-ssl-cert', $stage('away.example.com')->get_stage());
    remove_all_filters('closte_native_check_dns_options');
    // A domain the extension refuses: logged, the plugin's answer kept.
    $bad = new Domain(['blog_id' => 2, 'stage' => 'checking-dns']);
    $bad->set_domain('bad_name!.example.com');
    $t->same('[defined] an invalid name: the plugin\'s false is kept', false, $bad->has_correct_dns());
    $t->check('[defined] ... and the reason is logged', str_contains($log('bad_name!.example.com'), 'DNS check not possible: invalid domain "bad_name!.example.com"'), $log('bad_name!.example.com'));
} else {
    $t->same("[$mode] without Closte's IP nothing is compared: the domain stays at checking-dns", ['checking-dns', 'checking-dns'], [$shop->get_stage(), $away->get_stage()]);
    $want = $mode === 'undefined'
        ? 'DNS not ready: shop.example.com points to 198.51.100.7; there is nothing to compare with (define CLOSTE_PUBLIC_IP_ADDRESS or pass the expect option) (no_expectation)'
        : 'DNS check not possible: CLOSTE_PUBLIC_IP_ADDRESS must be an IP address, got "closte-lb.example.com"';
    $t->same("[$mode] the domain log says why", $want, $lines('shop.example.com')[1] ?? null);
    // Passing an expectation through the filter works without the constant.
    add_filter('closte_native_check_dns_options', fn ($o, $name) => ['expect' => '198.51.100.7'], 10, 2);
    $t->same("[$mode] an expect option from closte_native_check_dns_options decides", 'checking-ssl-cert', $stage('shop.example.com')->get_stage());
}
$t->finish();
