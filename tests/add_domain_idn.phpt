--TEST--
Closte\add_domain(): internationalized names are sent in their punycode form
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
var_dump(Closte\add_domain('Bücher.Example')['domain']);
var_dump($emu->calls('adddomainalias')[0]['form']['domain']);
?>
--EXPECT--
string(21) "xn--bcher-kva.example"
string(21) "xn--bcher-kva.example"
