<?php
/*
 * make bench: the extension against what the multisite plugin's PHP integration does
 * today (a fresh HTTPS connection and TLS handshake per call, via PHP streams), both
 * talking to the Closte emulator over HTTPS on loopback. Reports times and ratios; it
 * asserts nothing. Usage: php -n -d extension=... bench/api_calls.php [N]
 */

require __DIR__ . '/../tests/server.inc';

$n = (int) ($argv[1] ?? 200);
$certs = closte_certs();
$emu = new ClosteEmulator(['--tls-cert', "$certs/localhost.pem", '--tls-key', "$certs/localhost.key"]);
$emu->use();
ini_set('closte.ca_file', "$certs/ca.pem");

function php_streams_call(string $url, array $fields, string $ca): array
{
    $ctx = stream_context_create([
        'http' => ['method' => 'POST', 'header' => "Content-Type: application/x-www-form-urlencoded\r\n",
            'content' => http_build_query($fields), 'timeout' => 45, 'ignore_errors' => true],
        'ssl' => ['cafile' => $ca, 'verify_peer' => true, 'peer_name' => 'localhost'],
    ]);
    return json_decode((string) file_get_contents($url, false, $ctx), true) ?? [];
}

function measure(string $label, int $n, callable $fn): float
{
    $fn(0); // warm-up: the first call pays for start-up in both cases
    $t = hrtime(true);
    for ($i = 1; $i <= $n; $i++) {
        $fn($i);
    }
    $ms = (hrtime(true) - $t) / 1e6;
    printf("%-46s %5d calls %9.1f ms %8.3f ms/call\n", $label, $n, $ms, $ms / $n);
    return $ms;
}

echo "closte ", phpversion('closte'), ", PHP ", PHP_VERSION, ", emulator over HTTPS on loopback\n\n";
$ext = measure('extension: add_domain (pooled, keep-alive)', $n, fn ($i) => Closte\add_domain("e$i.example.com"));
$php = measure('PHP streams: POST /adddomainalias (new TLS)', $n,
    fn ($i) => php_streams_call("{$emu->api}/adddomainalias", ['apikey' => $emu->key, 'domain' => "p$i.example.com", 'wildcard' => 0], "$certs/ca.pem"));
$list = measure('extension: list_domains', (int) max(1, $n / 4), fn ($i) => Closte\list_domains());
printf("\nratio (PHP streams / extension) for one add: %.1fx\n", $php / $ext);
