--TEST--
One client per process: consecutive calls reuse the same connection (keep-alive)
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
Closte\add_domain('a.example.com');
Closte\list_domains();
Closte\remove_domain('a.example.com');
Closte\test_connection();
$conns = array_unique(array_column($emu->requests(), 'conn'));
var_dump(count($emu->requests()), count($conns));
?>
--EXPECT--
int(4)
int(1)
