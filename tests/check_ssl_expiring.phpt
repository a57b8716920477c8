--TEST--
Closte\check_ssl(): expiring_soon when fewer than min_days remain (default 14); still valid
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
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(false)
bool(false)
