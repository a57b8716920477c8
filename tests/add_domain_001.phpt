--TEST--
Closte\add_domain(): one POST /adddomainalias with apikey, normalized domain and wildcard=0
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$r = Closte\add_domain('Shop.Example.COM.');
var_dump(array_keys($r), $r['domain'], $r['wildcard'], $r['status'], $r['attempts'], is_float($r['elapsed_ms']));
$calls = $emu->calls('adddomainalias');
var_dump(count($calls), $calls[0]['method'], $calls[0]['form'], $calls[0]['apikey_ok']);
var_dump(array_column(Closte\list_domains(), 'domain'));
?>
--EXPECT--
array(5) {
  [0]=>
  string(6) "domain"
  [1]=>
  string(8) "wildcard"
  [2]=>
  string(6) "status"
  [3]=>
  string(8) "attempts"
  [4]=>
  string(10) "elapsed_ms"
}
string(16) "shop.example.com"
bool(false)
string(5) "added"
int(1)
bool(true)
int(1)
string(4) "POST"
array(2) {
  ["domain"]=>
  string(16) "shop.example.com"
  ["wildcard"]=>
  string(1) "0"
}
bool(true)
array(1) {
  [0]=>
  string(16) "shop.example.com"
}
