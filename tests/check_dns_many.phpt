--TEST--
Closte\check_dns_many(): one result per name in input order with keys kept, duplicates asked once, invalid names as items, concurrency counted by the DNS server
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$zone = CLOSTE_TEST_ZONE;
for ($i = 0; $i < 12; $i++) {
    $zone .= "n$i.example.com 60 A 198.51.100.$i\nn$i.example.com DELAY 40\n";
}
$dns = new ClosteDns($zone);
ini_set('closte.nameservers', $dns->addr);
define('CLOSTE_PUBLIC_IP_ADDRESS', '198.51.100.7');

$rs = Closte\check_dns_many(['first' => 'away.example.com', 'shop.example.com', 'bad' => 'not a name', '*.wild.example.com', 'SHOP.example.com', 'x' => 'nothing.example.com']);
foreach ($rs as $k => $r) {
    echo "$k => {$r['domain']}: ", closte_dns_verdict($r), "\n";
}
var_dump(Closte\check_dns_many([]));
$dns->stats(true);
Closte\check_dns_many(['shop.example.com', 'Shop.Example.com.', 'shop.example.com']);
// A and AAAA, then (the name points at Closte) CAA of shop.example.com, example.com and com.
echo 'duplicates asked once: ', $dns->stats()['queries'], " queries\n";

// Concurrency: the server holds each query 40 ms and counts how many it holds at once;
// a name's A and AAAA are asked together, so c names in flight are 2c queries. The one name
// pointing at Closte (n7) then asks CAA for n7.example.com, example.com and com: 24 + 3 queries.
$names = array_map(fn ($i) => "n$i.example.com", range(11, 0));
foreach ([1, 4] as $c) {
    $dns->stats(true);
    $rs = Closte\check_dns_many($names, ['concurrency' => $c]);
    echo "concurrency $c: ", json_encode($dns->stats()), ' order kept: ',
        json_encode(array_column($rs, 'domain') === $names && array_merge(...array_column($rs, 'a')) === array_map(fn ($i) => "198.51.100.$i", range(11, 0))),
        ' ok: ', implode(',', array_keys(array_filter(array_column($rs, 'ok')))), "\n";
}
// The default is closte.dns_concurrency; closte.concurrency (API calls, 1-64) plays no part.
ini_set('closte.dns_concurrency', '3');
ini_set('closte.concurrency', '100');
$dns->stats(true);
Closte\check_dns_many($names);
echo 'closte.dns_concurrency=3: ', json_encode($dns->stats()), "\n";
ini_set('closte.dns_concurrency', '257');
try {
    Closte\check_dns_many($names);
} catch (Closte\ConfigException $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
first => away.example.com: points_elsewhere: away.example.com points to 203.0.113.9; Closte expects 198.51.100.7
0 => shop.example.com: ok
bad => not a name: invalid_domain: invalid domain "not a name": it contains whitespace or a control character (U+0020)
1 => *.wild.example.com: invalid_domain: invalid domain "*.wild.example.com": a wildcard has no DNS records or certificate of its own; check a name under it, e.g. www.wild.example.com
2 => shop.example.com: ok
x => nothing.example.com: nxdomain: nothing.example.com does not exist in DNS (NXDOMAIN)
array(0) {
}
duplicates asked once: 5 queries
concurrency 1: {"queries":27,"max_pending":2,"caa":3,"addresses":24} order kept: true ok: 4
concurrency 4: {"queries":27,"max_pending":8,"caa":3,"addresses":24} order kept: true ok: 4
closte.dns_concurrency=3: {"queries":27,"max_pending":6,"caa":3,"addresses":24}
closte.dns_concurrency must be a whole number between 1 and 256, got "257"
