--TEST--
Closte\add_domains(): one list read, one POST per missing name, results in input order, duplicates sent once, invalid names reported in place, keys kept
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
Closte\add_domain('pre.example.com');
$before = count($emu->requests());

$r = Closte\add_domains(
    ['Shop.Example.com', 'pre.example.com', 'bad..name', 'shop.example.com.', "b\xffc.example.com", 'new.example.com', '*.wild.example.com'],
    ['concurrency' => 4]
);
var_dump(array_is_list($r), count($r));
foreach ($r as $i => $x) {
    printf("%d %s %s attempts=%s %s\n", $i, $x['domain'], $x['status'], var_export($x['attempts'], true),
        $x['error'] === null ? '-' : "{$x['error']['class']}: {$x['error']['message']}");
}
$sent = array_slice($emu->requests(), $before);
$reads = array_filter($sent, fn ($q) => $q['path'] === '/getdomains');
$posts = array_map(fn ($q) => $q['form']['domain'], array_filter($sent, fn ($q) => $q['path'] === '/adddomainalias'));
sort($posts);
echo 'reads: ', count($reads), ', posts: ', implode(' ', $posts), "\n";
var_dump($r[0]['elapsed_ms'] > 0, $r[0] == $r[3]);

// A second run finds everything there: the one read, no POST.
$before = count($emu->requests());
$again = Closte\add_domains(['shop.example.com', 'new.example.com']);
echo implode(' ', array_column($again, 'status')), '; requests: ', count($emu->requests()) - $before, "\n";

// Keys are the caller's, in the caller's order.
$k = Closte\add_domains(['x' => 'k1.example.com', 7 => 'k2.example.com']);
var_dump(array_keys($k));

// The key is in no result.
var_dump(str_contains(json_encode($r) . json_encode($again) . json_encode($k), CLOSTE_CLIENT_API_KEY));
?>
--EXPECT--
bool(true)
int(7)
0 shop.example.com added attempts=1 -
1 pre.example.com already_present attempts=0 -
2 bad..name failed attempts=0 Closte\InvalidDomainException: invalid domain "bad..name": it has an empty label ('..' or a leading '.')
3 shop.example.com added attempts=1 -
4 b\xffc.example.com failed attempts=0 Closte\InvalidDomainException: invalid domain "b\xffc.example.com": it is not valid UTF-8 (byte 0xff at position 1)
5 new.example.com added attempts=1 -
6 *.wild.example.com added attempts=1 -
reads: 1, posts: *.wild.example.com new.example.com shop.example.com
bool(true)
bool(true)
already_present already_present; requests: 1
array(2) {
  [0]=>
  string(1) "x"
  [1]=>
  int(7)
}
bool(false)
