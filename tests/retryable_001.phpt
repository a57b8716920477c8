--TEST--
Every Closte\Exception says whether retrying later can help and why (the core's one rule); batch error arrays carry the same, with the requests a failed name took
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$certs = closte_certs();
$tls = closte_tls_server($certs, 'localhost');
$dead = new ClosteEmulator();
$deadUrl = $dead->api;
$dead->stop();

function verdict(callable $fn): string
{
    try {
        $fn();
        return 'no exception';
    } catch (Closte\Exception $e) {
        return sprintf('%s %d %s: %s', (new ReflectionClass($e))->getShortName(), $e->getCode(),
            $e->isRetryable() ? 'retryable' : 'permanent', $e->getRetryReason());
    }
}
$cases = [
    '503' => ['status' => 503, 'count' => 10],
    '502' => ['status' => 502, 'count' => 10],
    '429' => ['status' => 429, 'count' => 10],
    '500' => ['status' => 500, 'count' => 10],
    '501' => ['status' => 501, 'count' => 10],
    '403' => ['status' => 403, 'count' => 10],
    'refused' => ['json' => ['success' => false, 'error' => 'not allowed'], 'count' => 10],
    'unreadable' => ['body' => 'malformed', 'count' => 10],
];
foreach ($cases as $what => $fault) {
    $emu->reset();
    $emu->fault(['path' => 'adddomainalias'] + $fault);
    echo str_pad($what, 11), verdict(fn () => Closte\add_domain('a.example.com', ['max_retries' => 1])), "\n";
}
echo 'connect    ', verdict(fn () => Closte\list_domains(['api_url' => $deadUrl, 'max_retries' => 0])), "\n";
$emu->reset();
$emu->fault(['path' => 'getdomains', 'delay_ms' => 3000]);
echo 'timeout    ', verdict(fn () => Closte\list_domains(['timeout' => 0.3])), "\n";
echo 'tls        ', verdict(fn () => Closte\list_domains(['api_url' => $tls->api, 'max_retries' => 0])), "\n";
echo 'config     ', verdict(fn () => Closte\list_domains(['api_url' => 'http://example.com/api'])), "\n";
echo 'invalid    ', verdict(fn () => Closte\add_domain('bad..name')), "\n";
// Not thrown by the extension: the defaults of the class.
$plain = new Closte\ApiException('made by hand');
var_dump($plain->isRetryable(), $plain->getRetryReason());

// A batch item carries the single call's verdict, and the requests it took.
$emu->reset();
$emu->fault(['path' => 'adddomainalias', 'domain' => 'down.example.com', 'status' => 503, 'count' => 10]);
$emu->fault(['path' => 'adddomainalias', 'domain' => 'broken.example.com', 'status' => 501, 'count' => 10]);
$r = Closte\add_domains(['ok.example.com', 'down.example.com', 'broken.example.com', 'x y'], ['max_retries' => 2]);
foreach ($r as $item) {
    printf("%s %s attempts=%d %s\n", $item['domain'], $item['status'], $item['attempts'],
        $item['error'] === null ? '-' : ($item['error']['retryable'] ? 'retryable' : 'permanent') . ': ' . $item['error']['retry_reason']);
}
echo 'sent for down: ', count(array_filter($emu->calls('adddomainalias'), fn ($c) => $c['form']['domain'] === 'down.example.com')), "\n";
$s = Closte\sync_domains(['ok.example.com', 'broken.example.com'], ['max_retries' => 0]);
var_dump(array_keys($s['failed']), $s['failed']['broken.example.com']['retryable']);
?>
--EXPECT--
503        ApiException 503 retryable: Closte is busy, rate-limiting or behind a failing gateway; it may accept it later
502        ApiException 502 retryable: Closte is busy, rate-limiting or behind a failing gateway; it may accept it later
429        ApiException 429 retryable: Closte is busy, rate-limiting or behind a failing gateway; it may accept it later
500        ApiException 500 permanent: Closte answered with an error that does not pass by retrying
501        ApiException 501 permanent: Closte answered with an error that does not pass by retrying
403        ApiException 403 permanent: Closte answered with an error that does not pass by retrying
refused    ApiException 200 permanent: Closte refused the request; it will refuse it again
unreadable TransportException 0 retryable: Closte's reply could not be read; a proxy in front of it may be failing
connect    TransportException 0 retryable: Closte could not be reached; it may be reachable later
timeout    TransportException 0 retryable: Closte did not answer in time; it may answer later
tls        TransportException 0 permanent: the TLS handshake failed; a certificate problem does not pass by retrying
config     ConfigException 0 permanent: a setting or the API key must be fixed first
invalid    InvalidDomainException 0 permanent: the name itself is not valid
bool(false)
string(0) ""
ok.example.com added attempts=1 -
down.example.com failed attempts=3 retryable: Closte is busy, rate-limiting or behind a failing gateway; it may accept it later
broken.example.com failed attempts=1 permanent: Closte answered with an error that does not pass by retrying
x y failed attempts=0 permanent: the name itself is not valid
sent for down: 3
array(1) {
  [0]=>
  string(18) "broken.example.com"
}
bool(false)
