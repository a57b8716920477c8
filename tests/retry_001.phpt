--TEST--
Transient failures are retried (503, 502, 504, connection drop before processing); permanent ones are not (400, 404, 500)
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$emu->fault(['path' => 'adddomainalias', 'status' => 503, 'count' => 2]);
$r = Closte\add_domain('a.example.com');
echo $r['status'], ' after ', $r['attempts'], " attempts\n";

foreach ([400, 404, 500] as $status) {
    $emu->reset();
    $emu->fault(['path' => 'adddomainalias', 'status' => $status, 'json' => ['success' => false, 'error' => "nope $status"]]);
    echo closte_throws(fn () => Closte\add_domain('b.example.com')), ' / calls: ', count($emu->calls('adddomainalias')), "\n";
}

// list_domains (a read) retries drops and gateway errors alike.
$emu->reset();
$emu->fault(['faults' => [['path' => 'getdomains', 'drop' => true], ['path' => 'getdomains', 'status' => 502]]]);
var_dump(Closte\list_domains());
echo 'getdomains calls: ', count($emu->calls('getdomains')), "\n";

// Exhausted: the last status is reported.
$emu->reset();
$emu->fault(['status' => 504, 'count' => 10]);
echo closte_throws(fn () => Closte\list_domains(['max_retries' => 3])), "\n";
echo 'getdomains calls: ', count($emu->calls('getdomains')), "\n";
?>
--EXPECT--
added after 3 attempts
Closte\ApiException: Closte answered HTTP 400 Bad Request: nope 400 (code 400) / calls: 1
Closte\ApiException: Closte answered HTTP 404 Not Found: nope 404 (code 404) / calls: 1
Closte\ApiException: Closte answered HTTP 500 Internal Server Error: nope 500 (code 500) / calls: 1
array(0) {
}
getdomains calls: 3
Closte\ApiException: Closte answered HTTP 504 Gateway Timeout: Emulated fault: HTTP 504 (code 504)
getdomains calls: 4
