<?php
/*
 * What `make demo` runs: every function of the closte extension against the local Closte
 * emulator. In WordPress, CLOSTE_CLIENT_API_KEY comes from wp-config.php and
 * closte.api_url keeps its default (Closte's real API).
 */
define('CLOSTE_CLIENT_API_KEY', getenv('CLOSTE_DEMO_KEY'));
ini_set('closte.api_url', getenv('CLOSTE_DEMO_URL'));

function show(string $what, callable $call): void
{
    echo str_pad($what, 44), ' ';
    try {
        $r = $call();
        echo json_encode($r, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
    } catch (Closte\Exception $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}

echo 'closte ', phpversion('closte'), "\n\n";
show('test_connection()', fn () => Closte\test_connection());
show("add_domain('Shop.Example.com')", fn () => Closte\add_domain('Shop.Example.com'));
show("add_domain('shop.example.com') again", fn () => Closte\add_domain('shop.example.com'));
show("add_domain('*.customer.example')", fn () => Closte\add_domain('*.customer.example'));
show("add_domain('bücher.example')", fn () => Closte\add_domain('bücher.example'));
show('list_domains()', fn () => array_column(Closte\list_domains(), 'domain'));
show("remove_domain('shop.example.com')", fn () => Closte\remove_domain('shop.example.com'));
show("remove_domain('shop.example.com') again", fn () => Closte\remove_domain('shop.example.com'));
show("add_domain('https://shop.example.com/')", fn () => Closte\add_domain('https://shop.example.com/'));
show('test_connection() with a wrong URL', fn () => Closte\test_connection(['api_url' => 'http://127.0.0.1:1/api/client', 'max_retries' => 0]));

// Certificates: the emulator also serves TLS; the demo starts two servers with test certificates.
$certs = getenv('CLOSTE_DEMO_CERTS');
foreach (['valid' => 'valid.example.test', 'wrong' => 'shop.example.test'] as $which => $domain) {
    $port = (int) getenv('CLOSTE_DEMO_TLS_' . strtoupper($which));
    show("check_ssl('$domain')", function () use ($domain, $port, $certs) {
        $r = Closte\check_ssl($domain, ['connect_to' => '127.0.0.1', 'port' => $port, 'ca_file' => "$certs/ca.pem"]);
        return array_intersect_key($r, array_flip(['valid', 'reason', 'error', 'subject', 'days_remaining', 'protocol']));
    });
}

// Batch calls: the whole network in one call, concurrently; one result per name, in order.
$fleet = array_map(fn ($i) => "site$i.example.net", range(1, 200));
show('add_domains(200 names)', function () use ($fleet) {
    $r = Closte\add_domains(array_merge($fleet, ['bad..name']));
    return ['statuses' => array_count_values(array_column($r, 'status')), 'failed' => end($r)['error']['message']];
});
show('add_domains(same 200) again', fn () => array_count_values(array_column(Closte\add_domains($fleet), 'status')));
show('sync_domains(150 of them, dry_run, remove_unlisted)', function () use ($fleet) {
    $r = Closte\sync_domains(array_slice($fleet, 0, 150), ['remove_unlisted' => true, 'dry_run' => true]);
    return ['would_add' => count($r['added']), 'would_remove' => count($r['removed']), 'unchanged' => count($r['unchanged']), 'requests' => $r['requests']];
});
$ports = ['valid.example.test' => (int) getenv('CLOSTE_DEMO_TLS_VALID'), 'shop.example.test' => (int) getenv('CLOSTE_DEMO_TLS_WRONG')];
show('check_ssl_many(2 names, per-name connect_to)', function () use ($ports, $certs) {
    $map = array_map(fn ($p) => "127.0.0.1:$p", $ports);
    $r = Closte\check_ssl_many(array_keys($ports), ['connect_to' => $map, 'ca_file' => "$certs/ca.pem"]);
    return array_map(fn ($x) => $x['reason'] ?? 'valid', $r);
});

// DNS: does each domain point at Closte? (The demo's DNS server stands in for the resolver.)
ini_set('closte.nameservers', getenv('CLOSTE_DEMO_DNS'));
define('CLOSTE_PUBLIC_IP_ADDRESS', '198.51.100.7');
show("check_dns('www.shop.example.com')", function () {
    $r = Closte\check_dns('www.shop.example.com');
    return ['ok' => $r['ok'], 'a' => $r['a'], 'cname' => $r['cname'], 'ttl' => $r['ttl']];
});
show('check_dns_many(7 names)', function () {
    $r = Closte\check_dns_many(['shop.example.com', 'moved.example.com', 'ipv6.example.com', 'gone.example.com',
        'proxied.example.com', 'stray.example.com', 'shop.example.org']);
    return array_map(fn ($x) => $x['ok'] ? 'ok' : "{$x['reason']}: {$x['error']}", $r);
});
