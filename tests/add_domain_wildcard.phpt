--TEST--
Closte\add_domain(): a leading *. sends the name with the prefix and wildcard=1
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$r = Closte\add_domain('*.Customer.Example');
var_dump($r['domain'], $r['wildcard'], $r['status']);
var_dump($emu->calls('adddomainalias')[0]['form']);
$r = Closte\remove_domain('*.customer.example');
var_dump($r['status'], $emu->calls('deletedomainalias')[0]['form']['wildcard']);
?>
--EXPECT--
string(18) "*.customer.example"
bool(true)
string(5) "added"
array(2) {
  ["domain"]=>
  string(18) "*.customer.example"
  ["wildcard"]=>
  string(1) "1"
}
string(7) "removed"
string(1) "1"
