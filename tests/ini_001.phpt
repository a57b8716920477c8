--TEST--
INI settings are read at call time: closte.max_retries and closte.timeout from --INI--, changed with ini_set()
--EXTENSIONS--
closte
--INI--
closte.max_retries=0
closte.timeout=20
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
var_dump(ini_get('closte.max_retries'), ini_get('closte.api_url') === $emu->api);
$emu->fault(['status' => 503, 'count' => 5]);
echo closte_throws(fn () => Closte\list_domains()), "\n";
var_dump(count($emu->calls('getdomains')));
ini_set('closte.max_retries', '2');
echo closte_throws(fn () => Closte\list_domains()), "\n";
var_dump(count($emu->calls('getdomains')));
ini_set('closte.max_retries', '1');
var_dump(Closte\list_domains());
var_dump(count($emu->calls('getdomains')));
?>
--EXPECT--
string(1) "0"
bool(true)
Closte\ApiException: Closte answered HTTP 503 Service Unavailable: Emulated fault: HTTP 503 (code 503)
int(1)
Closte\ApiException: Closte answered HTTP 503 Service Unavailable: Emulated fault: HTTP 503 (code 503)
int(4)
array(0) {
}
int(6)
