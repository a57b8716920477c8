--TEST--
add/remove are idempotent: Closte's refusal is checked against /getdomains
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
echo Closte\add_domain('a.example.com')['status'], "\n";
echo Closte\add_domain('a.example.com')['status'], "\n";
echo Closte\remove_domain('a.example.com')['status'], "\n";
echo Closte\remove_domain('a.example.com')['status'], "\n";
echo implode(' ', array_map(fn ($r) => $r['method'] . ' ' . $r['path'], $emu->requests())), "\n";
// A refusal that the list does not explain, and that stands when re-sent, is an error with Closte's words.
$emu->reset();
$emu->fault(['path' => 'adddomainalias', 'json' => ['success' => false, 'error' => 'Quota exceeded'], 'count' => 4]);
echo closte_throws(fn () => Closte\add_domain('b.example.com')), "\n";
echo implode(' ', array_map(fn ($r) => $r['method'] . ' ' . $r['path'], $emu->requests())), "\n";
?>
--EXPECT--
added
already_present
removed
not_present
POST /adddomainalias POST /adddomainalias GET /getdomains POST /deletedomainalias POST /deletedomainalias GET /getdomains
Closte\ApiException: Quota exceeded (code 200)
POST /adddomainalias GET /getdomains POST /adddomainalias GET /getdomains POST /adddomainalias GET /getdomains POST /adddomainalias GET /getdomains
