--TEST--
Batch rate limit: one 429 pauses every worker of the batch once (request timestamps prove it); a Retry-After beyond the cap fails the remaining names at once
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$names = array_map(fn ($i) => "n$i.example.com", range(1, 24));

$emu->fault(['path' => 'adddomainalias', 'status' => 429, 'retry_after' => 1]);
$r = Closte\add_domains($names, ['concurrency' => 6]);
echo 'statuses: ', implode(',', array_unique(array_column($r, 'status'))), "\n";
$posts = $emu->calls('adddomainalias');
echo 'posts: ', count($posts), "\n"; // 24 names + the one re-sent after the 429
$limited = array_values(array_filter($posts, fn ($q) => $q['fault'] !== null));
echo 'limited: ', count($limited), "\n";
$t429 = $limited[0]['t_ms'];
// Only the requests the other five workers already had on the wire when the 429 came back
// may arrive after it; after that no worker starts anything until the second Closte asked
// for has passed. (Without the shared pause the other workers would send the remaining
// names at once, all inside that second.)
$during = array_filter($posts, fn ($q) => $q['t_ms'] > $t429 && $q['t_ms'] < $t429 + 950);
$after = array_filter($posts, fn ($q) => $q['t_ms'] >= $t429 + 950);
echo 'started during the pause: at most the 5 in flight: ', var_export(count($during) <= 5, true), "\n";
var_dump(count($after) >= 24 - 6);

echo "-- Retry-After beyond what a call may wait\n";
$emu->reset();
$emu->fault(['path' => 'adddomainalias', 'status' => 429, 'retry_after' => 3600]);
$t = microtime(true);
$r = Closte\add_domains($names, ['concurrency' => 2]);
$counts = array_count_values(array_map(fn ($x) => $x['status'] === 'failed' ? "failed {$x['error']['class']} {$x['error']['code']}" : $x['status'], $r));
ksort($counts);
print_r($counts);
echo 'posts: ', count($emu->calls('adddomainalias')), "\n";
var_dump(microtime(true) - $t < 60); // returned, did not wait for the hour
?>
--EXPECTF--
statuses: added
posts: 25
limited: 1
started during the pause: at most the 5 in flight: true
bool(true)
-- Retry-After beyond what a call may wait
Array
(
    [added] => %d
    [failed Closte\ApiException 429] => %d
)
posts: %d
bool(true)
