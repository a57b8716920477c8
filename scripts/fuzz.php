<?php
/*
 * Fuzzes every Closte\* function from PHP: generated domain strings (any bytes), option
 * arrays with wrong types and extreme values, and hostile replies queued on the emulator.
 * Asserts, for every call: no crash (a crash ends the run without its closing line), a
 * result of the documented shape or an exception of a documented class, no control
 * character and never the API key in any message; and for every request the emulator
 * received: a valid domain name, never an invalid one.
 *
 * Usage: php -d extension=…/libcloste.so scripts/fuzz.php [CALLS] [SEED]
 * `make test` runs 3,000 calls with the fixed seed; `make fuzz` runs 1,000,000.
 * Only loopback is ever contacted: every api_url and connect_to it generates is local or
 * refused before any connection.
 */

require __DIR__ . '/../tests/server.inc';

$calls = (int) ($argv[1] ?? 3000);
$seed = (int) ($argv[2] ?? 20261125);
mt_srand($seed);

$emu = (new ClosteEmulator())->use();
ini_set('closte.max_retries', '0'); // options may still ask for a retry
ini_set('closte.timeout', '2');
$dead = 'http://127.0.0.1:1/api/client';
// check_dns asks only the emulator's DNS server: never the machine's resolver.
$dns = new ClosteDns(CLOSTE_TEST_ZONE);
ini_set('closte.nameservers', $dns->addr);
ini_set('closte.dns_timeout', '0.3');
$key = $emu->key;

const DOCUMENTED = ['Closte\InvalidDomainException', 'Closte\ConfigException', 'Closte\ApiException',
    'Closte\TransportException', 'TypeError', 'ValueError'];

function pick(array $a)
{
    return $a[mt_rand(0, count($a) - 1)];
}

function chance(float $p): bool
{
    return mt_rand() / mt_getrandmax() < $p;
}

function random_bytes_seeded(int $len, array $alphabet): string
{
    $s = '';
    for ($i = 0; $i < $len; $i++) {
        $s .= pick($alphabet);
    }
    return $s;
}

function gen_domain()
{
    static $good = ['shop.example.com', '*.example.com', 'bücher.example', 'xn--bcher-kva.example', 'a-b.c0.example',
        'Shop.Example.COM.', 'www.shop.example.co.uk', 'münchen.de'];
    static $bytes = ['a', 'b', 'z', 'A', '0', '9', '-', '.', '.', '*', '_', ':', '/', '@', '?', '#', '[', ']', ' ',
        "\0", "\n", "\r", "\t", "\x7f", "\xff", "\xc3", "\xa9", "\xe4\xbe\x8b", "ü", "%", "\\", '"', "'", '<', '>'];
    switch (mt_rand(0, 9)) {
        case 0:
            return pick([42, 4.2, null, true, [], ['a.example.com'], new stdClass()]);
        case 1:
        case 2:
            return random_bytes_seeded(mt_rand(0, 40), $bytes);
        case 3:
            return implode('.', array_fill(0, mt_rand(1, 6), str_repeat(pick(['a', 'ü', '-', '0']), mt_rand(1, 70))));
        case 4:
        case 5:
            // A valid name with one mutation.
            $s = pick($good);
            $at = mt_rand(0, strlen($s));
            return match (mt_rand(0, 2)) {
                0 => substr($s, 0, $at) . pick($bytes) . substr($s, $at),
                1 => substr($s, 0, $at) . substr($s, $at + 1),
                default => substr_replace($s, pick($bytes), min($at, strlen($s) - 1), 1),
            };
        default:
            return pick($good);
    }
}

function gen_value(array $extra = [])
{
    return pick(array_merge([0, 1, 2, -1, 10, 11, 65535, 65536, PHP_INT_MAX, PHP_INT_MIN, 0.0, 0.05, -1.5, 0.001, 1e308,
        NAN, INF, -INF, '', 'x', "\0", '5', '0.1', true, false, null, [], [1, 2], ['a' => 'b'], new stdClass()], $extra));
}

function gen_options(array $known, array $values)
{
    $options = [];
    for ($i = mt_rand(0, 3); $i > 0; $i--) {
        $name = chance(0.9) ? pick($known) : pick(['tiemout', '', 0, 7, "op\0t", 'ÿ']);
        $options[$name] = chance(0.6) && isset($values[$name]) ? pick($values[$name]) : gen_value();
    }
    return chance(0.03) ? pick(['not an array', 3, null, new stdClass()]) : $options;
}

$api_values = [
    'api_url' => [$emu->api, $emu->api, $dead, 'ftp://127.0.0.1/x', 'not a url', 'http://example.com/api', "http://127.0.0.1\0/", ''],
    'timeout' => [0.2, 1, 0.001, 0, -1, 601, NAN],
    'connect_timeout' => [0.2, 1, 0, 700],
    'max_retries' => [0, 1, -1, 11, 1 << 40],
    'ca_file' => ['', '/dev/zero', '/nonexistent.pem', "\0", '/', __FILE__],
];
$ssl_values = [
    'port' => [1, 0, -1, 65536, PHP_INT_MAX],
    'connect_to' => ['127.0.0.1', '127.0.0.1', '::1', '', 'a b', 'x/y', "\0"],
    'timeout' => [0.2, 0.001, 0, -3, NAN],
    'min_days' => [0, 14, -1, 3651, PHP_INT_MAX],
    'ca_file' => ['', '/dev/zero', "\0", '/'],
];
$api_keys = array_keys($api_values);
$ssl_keys = array_keys($ssl_values);
$batch_values = $api_values + ['concurrency' => [1, 8, 64, 0, 65, -1, '8']];
$sync_values = $batch_values + ['remove_unlisted' => [true, false, 1], 'dry_run' => [true, false, 'yes']];
$ssl_many_values = $ssl_values + ['concurrency' => [1, 32, 256, 0, 257]];
$dns_values = [
    'nameservers' => [$dns->addr, [$dns->addr, $dns->addr], '', 'ns.example.com', '127.0.0.1:0', [5], "\0"],
    'expect' => ['198.51.100.7', ['2001:db8::7', 'edge.closte.test'], [], '*.x.com', 'a b', [5], "\0"],
    'timeout' => [0.2, 0.001, 0, -3, NAN],
    'caa_issuer' => ['letsencrypt.org', 'sectigo.com', '', '*.x.com', 'a b', "\0", 'letsencrypt.org; x=y', 5],
];
$dns_many_values = $dns_values + ['concurrency' => [1, 32, 256, 0, 257]];

/** PHP 8.4's array_all(), for 8.2. */
function all_of(array $a, callable $f): bool
{
    foreach ($a as $v) {
        if (!$f($v)) {
            return false;
        }
    }
    return true;
}

/** A batch argument: mostly a list of generated names, sometimes with keys, non-strings, or not an array. */
function gen_list()
{
    $list = [];
    for ($i = mt_rand(0, 6); $i > 0; $i--) {
        $item = chance(0.95) ? gen_domain() : gen_value();
        if (chance(0.1)) {
            $list[pick(['k', 7, '', "\0"])] = $item;
        } else {
            $list[] = $item;
        }
    }
    return chance(0.03) ? pick(['a.example.com', 3, null, new stdClass()]) : $list;
}

/** A value JSON can carry (no NAN or INF). */
function gen_json()
{
    $v = gen_value();
    return is_float($v) && !is_finite($v) ? 1.5 : $v;
}

function gen_fault(string $key): array
{
    $path = pick(['adddomainalias', 'deletedomainalias', 'getdomains', null]);
    $fault = match (mt_rand(0, 7)) {
        0 => ['status' => mt_rand(100, 599)],
        1 => ['status' => pick([429, 503]), 'retry_after' => pick([0, 31, 3600])],
        2 => ['json' => ['success' => gen_json(), 'error' => pick(['nope', "a\0b", "key $key", str_repeat('x', 5000), 7])]],
        3 => ['json' => ['success' => true, 'domains' => pick([[gen_json(), 'a.example.com'], 'x', [['domain' => 5]], [['name' => "\0"]]])]],
        4 => ['body' => pick(['malformed', 'empty', 'malformed', 'empty', 'oversized'])],
        5 => ['drop' => true],
        6 => ['delay_ms' => mt_rand(0, 30)],
        default => ['json' => gen_json()],
    };
    if ($path !== null) {
        $fault['path'] = $path;
    }
    if (($fault['body'] ?? '') === 'oversized' && !chance(0.05)) {
        $fault['body'] = 'malformed'; // 16 MiB replies are slow: keep a few
    }
    return $fault;
}

function valid_wire(string $d): bool
{
    $host = str_starts_with($d, '*.') ? substr($d, 2) : $d;
    return strlen($d) <= 253 && preg_match('/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/', $host) === 1;
}

// One check per function fuzzed, and two for what the emulator received.
$failures = ['invalid name sent' => 0, 'key in the emulator log' => 0];
$problems = [];
$fail = function (string $check, string $what) use (&$failures, &$problems) {
    $failures[$check] = ($failures[$check] ?? 0) + 1;
    if (count($problems) < 20) {
        $problems[] = $what;
    }
};
$audit = function () use ($emu, $key, $fail) {
    foreach ($emu->requests() as $r) {
        $d = $r['form']['domain'] ?? null;
        if ($d !== null && $d !== '' && !valid_wire($d)) {
            $fail('invalid name sent', 'an invalid name reached the emulator: ' . json_encode($d));
        }
    }
    if (str_contains($emu->rawLog(), $key)) {
        $fail('key in the emulator log', 'the emulator log holds the key');
    }
    $emu->reset();
};

$functions = ['Closte\add_domain', 'Closte\remove_domain', 'Closte\list_domains', 'Closte\list_domain_names', 'Closte\test_connection', 'Closte\check_ssl',
    'Closte\add_domains', 'Closte\remove_domains', 'Closte\sync_domains', 'Closte\check_ssl_many',
    'Closte\check_dns', 'Closte\check_dns_many', 'Closte\normalize_domain'];
$dns_ok = fn ($x) => is_array($x) && is_bool($x['ok']) && $x['ok'] === ($x['reason'] === null)
    && ($x['ok'] || is_string($x['error']) && !preg_match('/[\x00-\x1f\x7f]/', $x['error']));
$item_ok = fn ($x) => is_array($x) && (in_array($x['status'], ['added', 'already_present', 'removed', 'not_present'], true) && valid_wire($x['domain']) && $x['error'] === null
    || $x['status'] === 'failed' && in_array($x['error']['class'], DOCUMENTED, true) && !preg_match('/[\x00-\x1f\x7f]/', $x['error']['message'])
        && is_int($x['attempts']) && is_bool($x['error']['retryable']) && $x['error']['retry_reason'] !== '');
$failures += array_fill_keys($functions, 0);
for ($i = 1; $i <= $calls; $i++) {
    if (chance(0.25)) {
        $emu->fault(gen_fault($key));
    }
    $fn = pick($functions);
    $ssl = $fn === 'Closte\check_ssl' || $fn === 'Closte\check_ssl_many';
    $options = match ($fn) {
        'Closte\check_ssl' => gen_options($ssl_keys, $ssl_values),
        'Closte\check_ssl_many' => gen_options(array_keys($ssl_many_values), $ssl_many_values),
        'Closte\add_domains', 'Closte\remove_domains' => gen_options(array_keys($batch_values), $batch_values),
        'Closte\sync_domains' => gen_options(array_keys($sync_values), $sync_values),
        'Closte\check_dns' => gen_options(array_keys($dns_values), $dns_values),
        'Closte\check_dns_many' => gen_options(array_keys($dns_many_values), $dns_many_values),
        default => gen_options($api_keys, $api_values),
    };
    if ($ssl && is_array($options) && !is_string($options['connect_to'] ?? null)) {
        $options['connect_to'] = '127.0.0.1'; // never resolve a generated name through real DNS
    }
    if (str_starts_with($fn, 'Closte\check_dns') && is_array($options) && ($options['nameservers'] ?? null) === []) {
        $options['nameservers'] = $dns->addr; // an empty list means the system's resolver
    }
    $args = match ($fn) {
        'Closte\list_domains', 'Closte\list_domain_names', 'Closte\test_connection' => [$options],
        'Closte\normalize_domain' => [gen_domain()],
        'Closte\add_domains', 'Closte\remove_domains', 'Closte\sync_domains', 'Closte\check_ssl_many', 'Closte\check_dns_many' => [gen_list(), $options],
        default => [gen_domain(), $options],
    };
    $t0 = microtime(true);
    try {
        $r = $fn(...$args);
        $shape = match ($fn) {
            'Closte\list_domains' => array_is_list($r),
            'Closte\list_domain_names' => array_is_list($r) && all_of($r, 'is_string') && count(array_unique($r)) === count($r),
            'Closte\test_connection' => $r['ok'] === true && is_int($r['domains']),
            'Closte\check_ssl' => is_bool($r['valid']) && ($r['valid'] || is_string($r['reason'])),
            'Closte\check_ssl_many' => count($r) === count($args[0]) && array_keys($r) === array_keys($args[0])
                && all_of($r, fn ($x) => is_bool($x['valid']) && ($x['valid'] || is_string($x['reason']))),
            'Closte\add_domains', 'Closte\remove_domains' => array_keys($r) === array_keys($args[0]) && all_of($r, $item_ok),
            'Closte\check_dns' => $dns_ok($r),
            // Canonical: a valid wire name, and normalizing it again changes nothing.
            'Closte\normalize_domain' => is_string($r) && valid_wire($r) && Closte\normalize_domain($r) === $r,
            'Closte\check_dns_many' => array_keys($r) === array_keys($args[0]) && all_of($r, $dns_ok),
            'Closte\sync_domains' => is_int($r['requests']) && all_of(array_merge($r['added'], $r['removed'], $r['unchanged']), 'valid_wire')
                && all_of($r['failed'], fn ($e) => in_array($e['class'], DOCUMENTED, true)),
            default => in_array($r['status'], ['added', 'already_present', 'removed', 'not_present'], true) && valid_wire($r['domain']),
        };
        if (!$shape) {
            $fail($fn, "$fn returned an unexpected shape: " . json_encode($r));
        }
    } catch (Throwable $e) {
        $class = get_class($e);
        $message = $e->getMessage();
        $batch = in_array($fn, ['Closte\add_domains', 'Closte\remove_domains', 'Closte\sync_domains', 'Closte\check_ssl_many', 'Closte\check_dns_many'], true);
        $stringDomain = ($fn === 'Closte\normalize_domain' || count($args) === 2)
            && ($batch ? is_array($args[0]) && all_of($args[0], 'is_string') : is_string($args[0]));
        if (!in_array($class, DOCUMENTED, true)) {
            $fail($fn, "$fn threw $class: $message");
        } elseif ($stringDomain && $class === 'TypeError' && !str_contains($message, '$options')) {
            // A string (or a list of strings) is never refused as a type.
            $fail($fn, "$fn: a string domain was refused as a type: $message");
        } elseif (preg_match('/[\x00-\x1f\x7f]/', $message)) {
            $fail($fn, "$fn: a control character in the message: " . json_encode($message));
        } elseif (str_contains($message, $key) || str_contains($e->getTraceAsString(), $key)) {
            $fail($fn, "$fn: the key is in the message");
        } elseif ($e instanceof Closte\Exception && $e->getRetryReason() === '') {
            $fail($fn, "$fn: $class says nothing about retrying");
        }
    }
    if (getenv('FUZZ_SLOW') && microtime(true) - $t0 > 0.1) {
        fprintf(STDERR, "%.2fs %s %s %s\n", microtime(true) - $t0, $fn, json_encode($options, JSON_PARTIAL_OUTPUT_ON_ERROR), isset($e) ? $e->getMessage() : '');
    }
    unset($e);
    if ($i % 250 === 0) {
        $audit();
    }
}
$audit();
foreach ($problems as $p) {
    echo "FAIL $p\n";
}
foreach ($failures as $check => $n) {
    echo $n === 0 ? "ok $check\n" : "FAIL $check: $n times\n";
}
$failed = count(array_filter($failures));
echo "fuzz: $calls calls, seed $seed\n";
echo (count($failures) - $failed) . " passed, $failed failed\n";
exit($failed ? 1 : 0);
