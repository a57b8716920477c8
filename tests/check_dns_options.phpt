--TEST--
Closte\check_dns(): the nameservers option overrides closte.nameservers; a silent server ends in timeout within timeout + 2 s; closte.dns_timeout is the default
--EXTENSIONS--
closte
--INI--
closte.dns_timeout=0.5
--FILE--
<?php
require __DIR__ . '/server.inc';
$good = new ClosteDns(CLOSTE_TEST_ZONE);
$other = new ClosteDns("shop.example.com 300 A 203.0.113.50\n");
// A server that never answers: a bound UDP socket nobody reads.
$silent = stream_socket_server('udp://127.0.0.1:0', $errno, $errstr, STREAM_SERVER_BIND);
$silentAddr = stream_socket_get_name($silent, false);
$expect = ['expect' => '198.51.100.7'];

ini_set('closte.nameservers', $other->addr);
echo closte_dns_verdict(Closte\check_dns('shop.example.com', $expect)), "\n";
echo closte_dns_verdict(Closte\check_dns('shop.example.com', $expect + ['nameservers' => [$good->addr]])), "\n";
// Several servers, written with spaces or commas in the INI setting.
ini_set('closte.nameservers', "{$good->addr}, {$good->addr}");
echo closte_dns_verdict(Closte\check_dns('shop.example.com', $expect)), "\n";

// The INI timeout (0.5 s), then the option's (1.5 s): each ends in timeout, within timeout + 2 s.
foreach ([[], ['timeout' => 1.5]] as $t) {
    $start = microtime(true);
    $r = Closte\check_dns('shop.example.com', $expect + $t + ['nameservers' => $silentAddr]);
    $took = microtime(true) - $start;
    $limit = ($t['timeout'] ?? 0.5);
    echo closte_dns_verdict($r), ' | waited at least the timeout: ', json_encode($took >= $limit * 0.95),
        ', at most timeout + 2 s: ', json_encode($took < $limit + 2), "\n";
}
// The same against the emulator's SILENT name, in a batch: each name has its own timeout.
$start = microtime(true);
$rs = Closte\check_dns_many(['silent.example.com', 'shop.example.com'], $expect + ['nameservers' => $good->addr, 'timeout' => 1]);
echo json_encode(array_column($rs, 'reason')), ' within timeout + 2 s: ', json_encode(microtime(true) - $start < 3), "\n";
?>
--EXPECT--
points_elsewhere: shop.example.com points to 203.0.113.50; Closte expects 198.51.100.7
ok
ok
timeout: no DNS answer for shop.example.com within 0.5 s | waited at least the timeout: true, at most timeout + 2 s: true
timeout: no DNS answer for shop.example.com within 1.5 s | waited at least the timeout: true, at most timeout + 2 s: true
["timeout",null] within timeout + 2 s: true
