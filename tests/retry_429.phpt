--TEST--
429 with Retry-After is honoured (the wait is at least what Closte asked); one longer than the cap fails at once
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$emu->fault(['path' => 'adddomainalias', 'status' => 429, 'retry_after' => 1]);
$r = Closte\add_domain('a.example.com');
echo $r['status'], ' after ', $r['attempts'], " attempts\n";
var_dump($r['elapsed_ms'] >= 1000.0);

$emu->fault(['path' => 'adddomainalias', 'status' => 429, 'retry_after' => 3600]);
echo closte_throws(fn () => Closte\add_domain('b.example.com')), "\n";
echo 'calls for b: ', count(array_filter($emu->calls('adddomainalias'), fn ($c) => $c['form']['domain'] === 'b.example.com')), "\n";
?>
--EXPECT--
added after 2 attempts
bool(true)
Closte\ApiException: Closte answered HTTP 429 Too Many Requests: Emulated fault: HTTP 429 (code 429)
calls for b: 1
