--TEST--
Closte\check_ssl(): expiring_soon below the smaller of 14 days and a sixth of the certificate's lifetime (certificates of 90, 45 and 6 days), or below min_days when given; still valid
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$certs = closte_certs();
$srv = closte_tls_server($certs, 'expiring');
$r = closte_check('expiring.example.test', $srv, $certs);
var_dump($r['valid'], in_array($r['days_remaining'], [4, 5], true), $r['expiring_soon']); // 5-day leaf
var_dump(closte_check('expiring.example.test', $srv, $certs, ['min_days' => 3])['expiring_soon']);
var_dump(closte_check('expiring.example.test', $srv, $certs, ['min_days' => 0])['expiring_soon']);
// Without min_days: 90 days: 14; 45 days: 7.5; 6 days: 1 (each leaf just inside or outside).
// With min_days 14, as 0.3 had by default: whole days left below 14.
foreach (['life90-13d', 'life90-15d', 'life45-7d', 'life45-8d', 'life6-12h', 'life6-2d'] as $leaf) {
    $srv = closte_tls_server($certs, $leaf);
    $r = closte_check("$leaf.example.test", $srv, $certs);
    $life = intdiv($r['not_after'] - $r['not_before'], 3600);
    echo "$leaf ({$life} h): ", closte_verdict($r), ', expiring_soon ', json_encode($r['expiring_soon']),
        ', with min_days 14: ', json_encode(closte_check("$leaf.example.test", $srv, $certs, ['min_days' => 14])['expiring_soon']), "\n";
}
// check_ssl_many applies the same rule.
$a = closte_tls_server($certs, 'life45-7d');
$b = closte_tls_server($certs, 'life45-8d');
$many = Closte\check_ssl_many(['life45-7d.example.test', 'life45-8d.example.test'], ['ca_file' => "$certs/ca.pem", 'connect_to' => [
    'life45-7d.example.test' => '127.0.0.1:' . parse_url($a->url, PHP_URL_PORT),
    'life45-8d.example.test' => '127.0.0.1:' . parse_url($b->url, PHP_URL_PORT),
]]);
echo json_encode(array_column($many, 'expiring_soon')), "\n";
echo json_encode(array_column(Closte\check_ssl_many(['life45-8d.example.test'], ['ca_file' => "$certs/ca.pem", 'min_days' => 14, 'connect_to' => ['life45-8d.example.test' => '127.0.0.1:' . parse_url($b->url, PHP_URL_PORT)]]), 'expiring_soon')), "\n";
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(false)
bool(false)
life90-13d (2160 h): valid, expiring_soon true, with min_days 14: true
life90-15d (2160 h): valid, expiring_soon false, with min_days 14: false
life45-7d (1080 h): valid, expiring_soon true, with min_days 14: true
life45-8d (1080 h): valid, expiring_soon false, with min_days 14: true
life6-12h (144 h): valid, expiring_soon true, with min_days 14: true
life6-2d (144 h): valid, expiring_soon false, with min_days 14: true
[true,false]
[true]
