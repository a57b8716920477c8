--TEST--
Each concurrency setting has one range, the same for its INI setting and its option: closte.concurrency (API calls) 1-64, closte.ssl_concurrency and closte.dns_concurrency 1-256
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$calls = [
    'closte.concurrency' => fn (array $o = []) => Closte\add_domains(['a.example.com'], $o),
    'closte.ssl_concurrency' => fn (array $o = []) => Closte\check_ssl_many(['a.example.com'], $o + ['timeout' => 0.5, 'connect_to' => '127.0.0.1', 'port' => 9]),
    'closte.dns_concurrency' => fn (array $o = []) => Closte\check_dns_many(['a.example.com'], $o + ['timeout' => 0.5, 'nameservers' => '127.0.0.1:9']),
];
foreach ($calls as $ini => $call) {
    $max = $ini === 'closte.concurrency' ? 64 : 256;
    foreach ([1, $max] as $ok) {
        ini_set($ini, (string) $ok);
        $a = closte_throws(fn () => $call());
        ini_restore($ini);
        $b = closte_throws(fn () => $call(['concurrency' => $ok]));
        echo "$ini=$ok: ", $a === 'no exception' && $b === 'no exception' ? 'accepted' : "$a / $b", "\n";
    }
    foreach ([0, $max + 1] as $bad) {
        ini_set($ini, (string) $bad);
        echo closte_throws(fn () => $call()), "\n";
        ini_restore($ini);
        echo closte_throws(fn () => $call(['concurrency' => $bad])), "\n";
    }
}
// One API setting does not leak into the checks: 100 is refused for API calls only.
ini_set('closte.concurrency', '100');
echo closte_throws(fn () => Closte\add_domains(['a.example.com'])), "\n";
echo closte_throws(fn () => $calls['closte.dns_concurrency']()), "\n";
?>
--EXPECT--
closte.concurrency=1: accepted
closte.concurrency=64: accepted
Closte\ConfigException: closte.concurrency must be a whole number between 1 and 64, got "0" (code 0)
ValueError: Closte\add_domains(): Argument #2 ($options): option concurrency must be between 1 and 64, got 0 (code 0)
Closte\ConfigException: closte.concurrency must be a whole number between 1 and 64, got "65" (code 0)
ValueError: Closte\add_domains(): Argument #2 ($options): option concurrency must be between 1 and 64, got 65 (code 0)
closte.ssl_concurrency=1: accepted
closte.ssl_concurrency=256: accepted
Closte\ConfigException: closte.ssl_concurrency must be a whole number between 1 and 256, got "0" (code 0)
ValueError: Closte\check_ssl_many(): Argument #2 ($options): option concurrency must be between 1 and 256, got 0 (code 0)
Closte\ConfigException: closte.ssl_concurrency must be a whole number between 1 and 256, got "257" (code 0)
ValueError: Closte\check_ssl_many(): Argument #2 ($options): option concurrency must be between 1 and 256, got 257 (code 0)
closte.dns_concurrency=1: accepted
closte.dns_concurrency=256: accepted
Closte\ConfigException: closte.dns_concurrency must be a whole number between 1 and 256, got "0" (code 0)
ValueError: Closte\check_dns_many(): Argument #2 ($options): option concurrency must be between 1 and 256, got 0 (code 0)
Closte\ConfigException: closte.dns_concurrency must be a whole number between 1 and 256, got "257" (code 0)
ValueError: Closte\check_dns_many(): Argument #2 ($options): option concurrency must be between 1 and 256, got 257 (code 0)
Closte\ConfigException: closte.concurrency must be a whole number between 1 and 64, got "100" (code 0)
no exception
