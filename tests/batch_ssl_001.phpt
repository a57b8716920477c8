--TEST--
Closte\check_ssl_many(): verdicts identical to check_ssl, input order, a silent host delays only its own result, invalid names in place, per-name connect_to
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$certs = closte_certs();
$valid = closte_tls_server($certs, 'valid');
$expired = closte_tls_server($certs, 'expired');
$wrong = closte_tls_server($certs, 'wrong-host');
$silent = stream_socket_server('tcp://127.0.0.1:0'); // accepts TCP, never answers TLS
$at = fn (ClosteEmulator $s) => '127.0.0.1:' . parse_url($s->url, PHP_URL_PORT);
$targets = [
    'silent.example.test' => stream_socket_get_name($silent, false),
    'valid.example.test' => $at($valid),
    'expired.example.test' => $at($expired),
    'wrong.example.test' => $at($wrong),
];
$names = ['silent.example.test', 'valid.example.test', 'bad..name', 'expired.example.test', 'Valid.Example.Test', 'wrong.example.test', '*.example.test'];
$opts = ['connect_to' => $targets, 'ca_file' => "$certs/ca.pem", 'timeout' => 2];

$r = Closte\check_ssl_many($names, $opts + ['concurrency' => 2]);
var_dump(array_is_list($r));
foreach ($r as $i => $x) {
    echo "$i {$x['domain']}: ", closte_verdict($x), "\n";
}

// The silent host holds one of the two slots for its whole timeout; every other name
// went through the other slot meanwhile.
$fast = array_filter($r, fn ($x) => $x['reason'] !== 'timeout' && $x['reason'] !== 'invalid_domain');
var_dump(max(array_column($fast, 'elapsed_ms')) < $r[0]['elapsed_ms']);

// Each verdict is what check_ssl says for the same name.
$same = true;
foreach ($names as $i => $name) {
    if ($r[$i]['reason'] === 'invalid_domain' || $r[$i]['reason'] === 'timeout') {
        continue;
    }
    [$host, $port] = explode(':', $targets[strtolower($name)]);
    $one = Closte\check_ssl($name, ['connect_to' => $host, 'port' => (int) $port, 'ca_file' => "$certs/ca.pem"]);
    $many = $r[$i];
    // The test certificates were made a moment ago: a whole day can tick over in between.
    $days = abs($one['days_remaining'] - $many['days_remaining']);
    unset($one['elapsed_ms'], $many['elapsed_ms'], $one['days_remaining'], $many['days_remaining']);
    $one['days'] = true;
    $many['days'] = $days <= 1;
    if ($one !== $many) {
        echo "differs for $name:\n", json_encode([$one, $many]), "\n";
        $same = false;
    }
}
var_dump($same);

echo "-- errors\n";
echo closte_throws(fn () => Closte\check_ssl_many(['a.example.com'], ['concurrency' => 257])), "\n";
echo closte_throws(fn () => Closte\check_ssl_many(['a.example.com'], ['connect_to' => ['bad..x' => '127.0.0.1']])), "\n";
echo closte_throws(fn () => Closte\check_ssl_many(['a.example.com'], ['connect_to' => ['a.example.com' => '127.0.0.1:0']])), "\n";
echo closte_throws(fn () => Closte\check_ssl_many(['a.example.com'], ['ca_file' => '/dev/zero'])), "\n";
echo closte_throws(fn () => Closte\check_ssl_many([1])), "\n";
var_dump(Closte\check_ssl_many([]));
?>
--EXPECTF--
bool(true)
0 silent.example.test: timeout: no TLS answer from 127.0.0.1:%d within the 2 s timeout
1 valid.example.test: valid
2 bad..name: invalid_domain: invalid domain "bad..name": it has an empty label ('..' or a leading '.')
3 expired.example.test: expired: %s
4 valid.example.test: valid
5 wrong.example.test: hostname_mismatch: %s
6 *.example.test: invalid_domain: invalid domain "*.example.test": a wildcard has no DNS records or certificate of its own; check a name under it, e.g. www.example.test
bool(true)
bool(true)
-- errors
ValueError: Closte\check_ssl_many(): Argument #2 ($options): option concurrency must be between 1 and 256, got 257 (code 0)
ValueError: Closte\check_ssl_many(): Argument #2 ($options): option connect_to has a key that is not a domain name: invalid domain "bad..x": it has an empty label ('..' or a leading '.') (code 0)
ValueError: Closte\check_ssl_many(): Argument #2 ($options): option connect_to must map "a.example.com" to "host" or "host:port", got "127.0.0.1:0" (code 0)
Closte\ConfigException: %s/dev/zero%s (code 0)
TypeError: Closte\check_ssl_many(): Argument #1 ($domains) must contain only strings, int given at key 0 (code 0)
array(0) {
}
