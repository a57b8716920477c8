--TEST--
Closte\remove_domains(): only present names are sent; a 503 on one name fails that name alone, with the single call's exception
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
Closte\add_domains(['a.example.com', 'b.example.com', 'c.example.com']);
$emu->fault(['path' => 'deletedomainalias', 'domain' => 'b.example.com', 'status' => 503, 'count' => 10]);
$before = count($emu->requests());

$r = Closte\remove_domains(['a.example.com', 'b.example.com', 'c.example.com', 'gone.example.com'], ['max_retries' => 1]);
foreach ($r as $x) {
    echo $x['domain'], ' ', $x['status'], ' ', $x['error'] === null ? '-' : "{$x['error']['class']} {$x['error']['code']}: {$x['error']['message']}", "\n";
}
$sent = array_slice($emu->requests(), $before);
$deletes = array_count_values(array_map(fn ($q) => $q['form']['domain'],
    array_filter($sent, fn ($q) => $q['path'] === '/deletedomainalias')));
ksort($deletes);
print_r($deletes);
echo 'left on Closte: ', implode(' ', array_column(Closte\list_domains(), 'domain')), "\n";

// The same failure from the single call: the batch item carries exactly that exception.
$emu->fault(['path' => 'deletedomainalias', 'domain' => 'b.example.com', 'status' => 503, 'count' => 10]);
try {
    Closte\remove_domain('b.example.com', ['max_retries' => 1]);
} catch (Closte\ApiException $e) {
    var_dump($r[1]['error'] === ['class' => get_class($e), 'message' => $e->getMessage(), 'code' => $e->getCode(),
        'retryable' => $e->isRetryable(), 'retry_reason' => $e->getRetryReason()]);
    // A 503 can pass: retryable, and the item says how many requests it took.
    var_dump($e->isRetryable(), $r[1]['attempts']);
}
?>
--EXPECT--
a.example.com removed -
b.example.com failed Closte\ApiException 503: Closte answered HTTP 503 Service Unavailable: Emulated fault: HTTP 503
c.example.com removed -
gone.example.com not_present -
Array
(
    [a.example.com] => 1
    [b.example.com] => 2
    [c.example.com] => 1
)
left on Closte: b.example.com
bool(true)
bool(true)
int(2)
