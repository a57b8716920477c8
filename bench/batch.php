<?php
/*
 * make bench, part 2: whole-network work at a realistic latency. Every request goes through
 * `closte-emulator proxy` (20 ms round trip by default: RTT_MS) to the emulator over HTTPS.
 * Prints one table; asserts nothing. Slow sequential variants run on a sample (SAMPLE) and are
 * projected to N, which the table says.
 * Usage: php -d extension=... bench/batch.php [N=1000]
 */

require __DIR__ . '/../tests/server.inc';

$n = (int) ($argv[1] ?? 1000);
$rtt = (int) (getenv('RTT_MS') ?: 20);
$sample = (int) (getenv('SAMPLE') ?: 100);
$sslSample = (int) (getenv('SSL_SAMPLE') ?: 40);
$certs = closte_certs();

$rows = [];
function row(string $what, int $count, float $ms, string $note = ''): float
{
    global $rows;
    $rows[] = [$what, $count, $ms, $note];
    return $ms;
}

function seconds(callable $fn): float
{
    $t = hrtime(true);
    $fn();
    return (hrtime(true) - $t) / 1e6;
}

// ---------------------------------------------------------------- adds over TLS
$emu = new ClosteEmulator(['--tls-cert', "$certs/localhost.pem", '--tls-key', "$certs/localhost.key"]);
$emu->use();
[$pport] = latency_proxy(hostport($emu->url), $rtt);
$api = "https://localhost:$pport/api/client";
ini_set('closte.api_url', $api);
ini_set('closte.ca_file', "$certs/ca.pem");
ini_set('closte.timeout', '120');
$names = fn (string $p, int $k) => array_map(fn ($i) => "$p$i.example.com", range(1, $k));
Closte\list_domains(); // warm: the pooled client exists in every variant below

$loop = seconds(function () use ($names, $sample) {
    foreach ($names('loop', $sample) as $d) {
        Closte\add_domain($d);
    }
}) * $n / $sample;
row('add_domain in a loop', $n, $loop, "projected from $sample");
$b8 = row('add_domains, concurrency 8', $n, seconds(fn () => Closte\add_domains($names('b8-', $n), ['concurrency' => 8])));
$b32 = row('add_domains, concurrency 32', $n, seconds(fn () => Closte\add_domains($names('b32-', $n), ['concurrency' => 32])));

/** PHP's own best: ext-curl's curl_multi, keeping $c transfers in flight on reused connections. */
function curl_multi_adds(string $api, string $key, string $ca, array $domains, int $c): void
{
    $mh = curl_multi_init();
    curl_multi_setopt($mh, CURLMOPT_MAX_TOTAL_CONNECTIONS, $c);
    $queue = $domains;
    $active = 0;
    $start = function () use (&$queue, &$active, $mh, $api, $key, $ca) {
        $d = array_shift($queue);
        $h = curl_init("$api/adddomainalias");
        curl_setopt_array($h, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => http_build_query(['apikey' => $key, 'domain' => $d, 'wildcard' => 0]),
            CURLOPT_RETURNTRANSFER => true, CURLOPT_CAINFO => $ca, CURLOPT_TIMEOUT => 60]);
        curl_multi_add_handle($mh, $h);
        $active++;
    };
    while ($queue && $active < $c) {
        $start();
    }
    do {
        curl_multi_exec($mh, $running);
        while ($done = curl_multi_info_read($mh)) {
            curl_multi_remove_handle($mh, $done['handle']);
            curl_close($done['handle']);
            $active--;
            if ($queue) {
                $start();
            }
        }
        if ($running || $active) {
            curl_multi_select($mh, 0.05);
        }
    } while ($running || $active || $queue);
    curl_multi_close($mh);
}
$c8 = row('PHP curl_multi, 8 connections', $n, seconds(fn () => curl_multi_adds($api, $emu->key, "$certs/ca.pem", $names('c8-', $n), 8)));
$c32 = row('PHP curl_multi, 32 connections', $n, seconds(fn () => curl_multi_adds($api, $emu->key, "$certs/ca.pem", $names('c32-', $n), 32)));
$plugin = seconds(function () use ($api, $emu, $certs, $names, $sample) {
    foreach ($names('wp', $sample) as $d) { // what the plugin does: a new connection and TLS handshake per request
        $ctx = stream_context_create(['http' => ['method' => 'POST', 'header' => "Content-Type: application/x-www-form-urlencoded\r\n",
            'content' => http_build_query(['apikey' => $emu->key, 'domain' => $d, 'wildcard' => 0]), 'ignore_errors' => true],
            'ssl' => ['cafile' => "$certs/ca.pem"]]);
        file_get_contents("$api/adddomainalias", false, $ctx);
    }
}) * $n / $sample;
row('new connection per request (the plugin today)', $n, $plugin, "projected from $sample");

// ---------------------------------------------------------------- certificate checks
$servers = [
    'v' => closte_tls_server($certs, 'wildcard'),  // *.example.test: valid
    'e' => closte_tls_server($certs, 'expired'),
    'w' => closte_tls_server($certs, 'wrong-host'),
];
$targets = [];
foreach ($servers as $k => $s) {
    [$port] = latency_proxy(hostport($s->url), $rtt);
    $targets[$k] = "127.0.0.1:$port";
}
$silent = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr, STREAM_SERVER_BIND | STREAM_SERVER_LISTEN);
$targets['q'] = stream_socket_get_name($silent, false); // accepts TCP, never answers
$kind = fn (int $i) => match (true) { $i % 10 === 0 => 'q', $i % 20 === 1 => 'e', $i % 20 === 11 => 'w', default => 'v' };
$sslNames = array_map(fn ($i) => $kind($i) . "$i.example.test", range(0, $n - 1));
$map = [];
foreach ($sslNames as $d) {
    $map[$d] = $targets[$d[0]];
}
$sslOpts = ['ca_file' => "$certs/ca.pem", 'timeout' => 5];
$samples = array_slice($sslNames, 0, $sslSample);
$single = [];
$sslLoop = seconds(function () use ($samples, $map, $sslOpts, &$single) {
    foreach ($samples as $d) {
        [$h, $p] = explode(':', $map[$d]);
        $single[$d] = Closte\check_ssl($d, $sslOpts + ['connect_to' => $h, 'port' => (int) $p]);
    }
}) * $n / $sslSample;
row('check_ssl in a loop (10% silent, timeout 5 s)', $n, $sslLoop, "projected from $sslSample");
$many = [];
$sslMany = row('check_ssl_many, concurrency 128', $n, seconds(function () use ($sslNames, $map, $sslOpts, &$many) {
    $many = Closte\check_ssl_many($sslNames, $sslOpts + ['connect_to' => $map, 'concurrency' => 128]);
}));
$phpCheck = seconds(function () use ($samples, $map, $certs) {
    foreach ($samples as $d) { // Helper::has_valid_ssl_certificate's way: PHP streams + openssl_x509_parse
        $ctx = stream_context_create(['ssl' => ['capture_peer_cert' => true, 'verify_peer' => true, 'peer_name' => $d, 'cafile' => "$certs/ca.pem"]]);
        $s = @stream_socket_client("ssl://{$map[$d]}", $errno, $errstr, 5, STREAM_CLIENT_CONNECT, $ctx);
        if ($s) {
            $cert = stream_context_get_params($s)['options']['ssl']['peer_certificate'] ?? null;
            $cert && openssl_x509_parse($cert);
            fclose($s);
        }
    }
}) * $n / $sslSample;
row('PHP stream_socket_client + openssl_x509_parse', $n, $phpCheck, "projected from $sslSample");
$same = 0;
foreach ($samples as $i => $d) {
    $same += (int) ($single[$d]['valid'] === $many[$i]['valid'] && $single[$d]['reason'] === $many[$i]['reason']);
}
$reasons = array_count_values(array_map(fn ($r) => $r['reason'] ?? 'valid', $many));
ksort($reasons);

// ---------------------------------------------------------------- memory
// Plain HTTP on loopback, with the key this process already defined (a new emulator with a
// key of its own would refuse every name: the line below once measured 10,000 failures).
$plain = new ClosteEmulator([], $emu->key);
ini_set('closte.api_url', $plain->api);
$rss = fn () => preg_match('/^VmRSS:\s+(\d+)/m', file_get_contents('/proc/self/status'), $m) ? (int) $m[1] : 0; // kB
$before = $rss();
$r = Closte\add_domains($names('mem', 10000), ['concurrency' => 64]);
$after = $rss();
$memAdded = count(array_filter($r, fn ($x) => $x['status'] === 'added'));
unset($r);

// Closte's whole list in PHP's memory, as the must-use plugin compares a network against
// it: list_domains() (an array per alias) against list_domain_names() (a string per alias).
// ALIASES (100,000) aliases, served by the emulator as one answer (a queued reply).
$aliases = (int) (getenv('ALIASES') ?: 100000);
$listed = array_map(fn ($i) => ['domain' => "customer-site-$i.example.com", 'wildcard' => false], range(1, $aliases));
$held = [];
foreach (['list_domains', 'list_domain_names'] as $fn) {
    $plain->fault(['path' => 'getdomains', 'json' => ['success' => true, 'domains' => $listed]]);
    $m = memory_get_usage();
    $t = hrtime(true);
    $r = ('Closte\\' . $fn)();
    $held[$fn] = [memory_get_usage() - $m, (hrtime(true) - $t) / 1e6, count($r)];
    unset($r);
}
unset($listed);

// ---------------------------------------------------------------- the table
printf("closte %s, PHP %s; every request through a %d ms round-trip proxy, HTTPS\n\n", phpversion('closte'), PHP_VERSION, $rtt);
printf("%-48s %6s %10s  %s\n", 'what', 'names', 'seconds', 'note');
foreach ($rows as [$what, $count, $ms, $note]) {
    printf("%-48s %6d %10.2f  %s\n", $what, $count, $ms / 1000, $note);
}
printf("\nratios (higher is better for the extension)\n");
printf("  add_domain loop / add_domains c=32         %6.1fx\n", $loop / $b32);
printf("  curl_multi c=8 / add_domains c=8           %6.2fx\n", $c8 / $b8);
printf("  curl_multi c=32 / add_domains c=32         %6.2fx\n", $c32 / $b32);
printf("  plugin today / add_domains c=32            %6.1fx\n", $plugin / $b32);
printf("  check_ssl loop / check_ssl_many            %6.1fx\n", $sslLoop / $sslMany);
printf("  PHP streams check / check_ssl_many         %6.1fx\n", $phpCheck / $sslMany);
printf("\ncheck_ssl_many verdicts: %s; identical to check_ssl on %d of %d sampled names\n",
    json_encode($reasons), $same, count($samples));
printf("RSS of this PHP process around a 10,000-name add_domains (%d added): %.1f MB -> %.1f MB\n", $memAdded, $before / 1024, $after / 1024);
printf("PHP memory holding Closte's list of %d aliases (%d and %d listed): list_domains %.1f MB (%.0f ms), list_domain_names %.1f MB (%.0f ms): %.1fx less\n",
    $aliases, $held['list_domains'][2], $held['list_domain_names'][2], $held['list_domains'][0] / 1e6, $held['list_domains'][1], $held['list_domain_names'][0] / 1e6, $held['list_domain_names'][1],
    $held['list_domains'][0] / max(1, $held['list_domain_names'][0]));
