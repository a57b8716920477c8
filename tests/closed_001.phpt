--TEST--
A connection Closte closes before answering is said in words, not in the transport's ("client error (SendRequest)")
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
ini_set('closte.max_retries', '0');

$emu->fault(['path' => 'getdomains', 'drop' => true]);
try {
    Closte\list_domains();
    echo "no exception\n";
} catch (Closte\TransportException $e) {
    echo get_class($e), "\n";
    echo preg_replace('/\(127\.0\.0\.1:\d+\)/', '(HOST)', $e->getMessage()), "\n";
    var_dump($e->isRetryable(), str_contains($e->getMessage(), 'SendRequest'));
}
?>
--EXPECT--
Closte\TransportException
Closte (HOST) closed the connection before answering
bool(true)
bool(false)
