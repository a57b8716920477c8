--TEST--
Closte\check_ssl(): closed port, unresolvable name, silent server (bounded by timeout), plain HTTP on the TLS port
--EXTENSIONS--
closte
--ENV--
RES_OPTIONS=timeout:2 attempts:1
--FILE--
<?php
require __DIR__ . '/server.inc';
// Closed port: a server that was there and is gone.
$gone = new ClosteEmulator();
$port = parse_url($gone->url, PHP_URL_PORT);
$gone->stop();
$r = Closte\check_ssl('shop.example.test', ['connect_to' => '127.0.0.1', 'port' => $port]);
echo closte_verdict($r), "\n";
var_dump($r['subject'], $r['san'], $r['peer'] === "127.0.0.1:$port");

// Through the system resolver (RES_OPTIONS: a slow one answers within the 10 s check, not after it).
echo closte_verdict(Closte\check_ssl('shop.example.test', ['connect_to' => 'no-such-host.invalid'])), "\n";

// Accepts TCP (the kernel completes it) and never says a word.
$silent = stream_socket_server('tcp://127.0.0.1:0');
$silentPort = parse_url('tcp://' . stream_socket_get_name($silent, false), PHP_URL_PORT);
$t = microtime(true);
$r = Closte\check_ssl('shop.example.test', ['connect_to' => '127.0.0.1', 'port' => $silentPort, 'timeout' => 0.5]);
$took = microtime(true) - $t;
echo closte_verdict($r), "\n";
var_dump($took >= 0.45, $took < 5.0); // bounded by the timeout, not hanging

// A plain-HTTP server where TLS was expected.
$http = new ClosteEmulator();
echo closte_verdict(Closte\check_ssl('shop.example.test', ['connect_to' => '127.0.0.1', 'port' => parse_url($http->url, PHP_URL_PORT)])), "\n";
?>
--EXPECTF--
connect_failed: cannot connect to 127.0.0.1:%d: Connection refused (os error 111)
NULL
array(0) {
}
bool(true)
dns_failed: cannot resolve no-such-host.invalid: %s
timeout: no TLS answer from 127.0.0.1:%d within the 0.5 s timeout
bool(true)
bool(true)
handshake_failed: TLS handshake with 127.0.0.1:%d failed: %s
