--TEST--
Closte\sync_domains(): adds the missing, removes the unlisted only when asked, dry_run sends no change, an empty list never removes everything
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
foreach (['keep.example.com', 'old.example.com', '*.w.example.com'] as $d) {
    Closte\add_domain($d);
}
$n = fn () => count($emu->requests());
$show = function (array $r) {
    foreach (['added', 'removed', 'unchanged'] as $k) {
        echo "$k: ", implode(' ', $r[$k]), "\n";
    }
    echo 'failed: ', implode(' ', array_map(fn ($name, $e) => "$name ({$e['class']})", array_keys($r['failed']), $r['failed'])), "\n";
    echo 'dry_run: ', var_export($r['dry_run'], true), ', requests: ', $r['requests'], "\n";
};
$wanted = ['keep.example.com', 'New.example.com', 'new.example.com', 'bad..x'];

echo "-- dry run\n";
$before = $n();
$show(Closte\sync_domains($wanted, ['remove_unlisted' => true, 'dry_run' => true]));
echo 'sent: ', $n() - $before, "\n";
echo 'on Closte: ', implode(' ', array_column(Closte\list_domains(), 'domain')), "\n";

echo "-- adds only\n";
$show(Closte\sync_domains($wanted));
echo 'on Closte: ', implode(' ', array_column(Closte\list_domains(), 'domain')), "\n";

echo "-- remove_unlisted\n";
$r = Closte\sync_domains($wanted, ['remove_unlisted' => true, 'concurrency' => 2]);
$show($r);
var_dump(is_float($r['elapsed_ms']));
echo 'on Closte: ', implode(' ', array_column(Closte\list_domains(), 'domain')), "\n";

echo "-- guards\n";
$before = $n();
echo closte_throws(fn () => Closte\sync_domains([], ['remove_unlisted' => true])), "\n";
echo closte_throws(fn () => Closte\sync_domains(['bad..x'], ['remove_unlisted' => true])), "\n";
echo closte_throws(fn () => Closte\sync_domains(['a.example.com'], ['dry_run' => 1])), "\n";
echo closte_throws(fn () => Closte\sync_domains(['a.example.com'], ['remove' => true])), "\n";
echo 'sent: ', $n() - $before, "\n";
$emu->fault(['path' => 'getdomains', 'status' => 500]);
echo closte_throws(fn () => Closte\sync_domains(['a.example.com'])), "\n";
var_dump(Closte\sync_domains([])['requests']);
?>
--EXPECT--
-- dry run
added: new.example.com
removed: old.example.com *.w.example.com
unchanged: keep.example.com
failed: bad..x (Closte\InvalidDomainException)
dry_run: true, requests: 1
sent: 1
on Closte: keep.example.com old.example.com *.w.example.com
-- adds only
added: new.example.com
removed: 
unchanged: keep.example.com
failed: bad..x (Closte\InvalidDomainException)
dry_run: false, requests: 2
on Closte: keep.example.com old.example.com *.w.example.com new.example.com
-- remove_unlisted
added: 
removed: old.example.com *.w.example.com
unchanged: keep.example.com new.example.com
failed: bad..x (Closte\InvalidDomainException)
dry_run: false, requests: 3
bool(true)
on Closte: keep.example.com new.example.com
-- guards
ValueError: Closte\sync_domains(): Argument #1 ($wanted) must name at least one valid domain when remove_unlisted is set (an empty list would remove every alias) (code 0)
ValueError: Closte\sync_domains(): Argument #1 ($wanted) must name at least one valid domain when remove_unlisted is set (an empty list would remove every alias) (code 0)
TypeError: Closte\sync_domains(): Argument #2 ($options): option "dry_run" must be of type bool, int given (code 0)
ValueError: Closte\sync_domains(): Argument #2 ($options) has an unknown option "remove"; known options are: api_url, timeout, connect_timeout, max_retries, ca_file, concurrency, remove_unlisted, dry_run (code 0)
sent: 0
Closte\ApiException: Closte answered HTTP 500 Internal Server Error: Emulated fault: HTTP 500 (code 500)
int(0)
