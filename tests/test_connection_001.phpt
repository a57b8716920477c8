--TEST--
Closte\test_connection(): read-only proof the key works; a wrong key is an ApiException
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
Closte\add_domain('a.example.com');
$r = Closte\test_connection();
var_dump(array_keys($r), $r['ok'], $r['domains'], is_float($r['elapsed_ms']));
var_dump(count($emu->calls('adddomainalias')), count($emu->calls('deletedomainalias')));
$other = new ClosteEmulator([], 'a-different-key');
echo closte_throws(fn () => Closte\test_connection(['api_url' => $other->api])), "\n";
var_dump($other->requests()[0]['apikey_ok']);
?>
--EXPECT--
array(3) {
  [0]=>
  string(2) "ok"
  [1]=>
  string(7) "domains"
  [2]=>
  string(10) "elapsed_ms"
}
bool(true)
int(1)
bool(true)
int(1)
int(0)
Closte\ApiException: Invalid API key. (code 200)
bool(false)
