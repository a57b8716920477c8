--TEST--
Batch scale: 10,000 names in one call, each POSTed once at concurrency 64, all present afterwards; a second pass sends only the list read
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$names = array_map(fn ($i) => "site$i.example.com", range(1, 10000));
$r = Closte\add_domains($names, ['concurrency' => 64]);
print_r(array_count_values(array_column($r, 'status')));
var_dump(array_column($r, 'domain') === $names);
$posts = $emu->calls('adddomainalias');
echo 'posts: ', count($posts), ', distinct: ', count(array_unique(array_map(fn ($q) => $q['form']['domain'], $posts))), "\n";
echo 'connections: ', count(array_unique(array_column($emu->requests(), 'conn'))) <= 64 ? 'at most 64' : 'more than 64', "\n";
echo 'on Closte: ', count(Closte\list_domains()), "\n";
$before = count($emu->requests());
$again = Closte\add_domains($names, ['concurrency' => 64]);
print_r(array_count_values(array_column($again, 'status')));
echo 'requests: ', count($emu->requests()) - $before, "\n";
?>
--EXPECT--
Array
(
    [added] => 10000
)
bool(true)
posts: 10000, distinct: 10000
connections: at most 64
on Closte: 10000
Array
(
    [already_present] => 10000
)
requests: 1
