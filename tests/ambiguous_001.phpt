--TEST--
A request that may have reached Closte is confirmed through /getdomains, not blindly re-sent
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();

// Closte applied the add, then the connection dropped: confirmed, sent once.
$emu->fault(['path' => 'adddomainalias', 'drop' => true, 'apply' => true]);
$r = Closte\add_domain('a.example.com');
echo $r['status'], ' / attempts ', $r['attempts'], ' / add calls ', count($emu->calls('adddomainalias')), "\n";

// Dropped before Closte acted: the list says absent, so it is sent again.
$emu->fault(['path' => 'adddomainalias', 'drop' => true]);
$r = Closte\add_domain('b.example.com');
echo $r['status'], ' / attempts ', $r['attempts'], "\n";

// 502 after the gateway forwarded the removal: confirmed absent, not re-sent.
$emu->fault(['path' => 'deletedomainalias', 'status' => 502, 'apply' => true]);
$r = Closte\remove_domain('a.example.com');
echo $r['status'], ' / attempts ', $r['attempts'], ' / delete calls ', count($emu->calls('deletedomainalias')), "\n";

echo implode(' ', array_map(fn ($x) => $x['path'], $emu->requests())), "\n";
$l = array_column(Closte\list_domains(), "domain");
sort($l);
var_dump($l);
?>
--EXPECT--
added / attempts 1 / add calls 1
added / attempts 2
removed / attempts 1 / delete calls 1
/adddomainalias /getdomains /adddomainalias /getdomains /adddomainalias /deletedomainalias /getdomains
array(1) {
  [0]=>
  string(13) "b.example.com"
}
