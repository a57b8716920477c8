--TEST--
Unreadable replies, refused connections and timeouts are Closte\TransportException, within the timeout
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
foreach (['malformed', 'empty', 'oversized'] as $body) {
    $emu->fault(['path' => 'getdomains', 'body' => $body]);
    echo $body, ': ', closte_throws(fn () => Closte\list_domains()), "\n";
}
$emu->fault(['path' => 'getdomains', 'json' => ['domains' => []]]);
echo 'no success field: ', closte_throws(fn () => Closte\list_domains()), "\n";
$emu->fault(['path' => 'getdomains', 'json' => ['success' => true, 'domains' => 'many']]);
echo 'domains not a list: ', closte_throws(fn () => Closte\list_domains()), "\n";

// Nothing listens on this port any more.
$dead = new ClosteEmulator();
$deadUrl = $dead->api;
$dead->stop();
$t = microtime(true);
echo 'refused: ', closte_throws(fn () => Closte\list_domains(['api_url' => $deadUrl, 'max_retries' => 2])), "\n";

// A server that answers too late: the whole call is bounded by `timeout`.
$emu->fault(['path' => 'getdomains', 'delay_ms' => 10000, 'count' => 3]);
$t = microtime(true);
echo 'slow: ', closte_throws(fn () => Closte\list_domains(['timeout' => 0.5])), "\n";
$took = microtime(true) - $t;
var_dump($took < 5.0); // not a speed check: a hang would take 10 s per attempt
?>
--EXPECTF--
malformed: Closte\TransportException: unreadable reply from Closte: it is not JSON (code 0)
empty: Closte\TransportException: unreadable reply from Closte: it is empty (code 0)
oversized: Closte\TransportException: unreadable reply from Closte: it exceeds 8 MiB (code 0)
no success field: Closte\TransportException: unreadable reply from Closte: it has no boolean "success" field (code 0)
domains not a list: Closte\TransportException: unreadable reply from Closte: its "domains" field is not a list (code 0)
refused: Closte\TransportException: cannot connect to 127.0.0.1:%d: Connection refused (os error 111) (code 0)
slow: Closte\TransportException: Closte did not answer within the 0.5 s timeout (code 0)
bool(true)
