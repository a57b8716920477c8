<?php
/*
 * The multi-threaded run (see embed.c): one emulator per thread, each with its own API
 * key, a TLS server with a valid and one with an expired certificate, the DNS emulator;
 * then THREADS threads x ROUNDS requests in one process, all at once. Checks: every
 * request got the right results; each thread's emulator saw that thread's requests only,
 * every one with that thread's key; the requests without a key sent nothing; no crash,
 * no PHP output (warnings, notices); fds and memory flat across rounds.
 * usage: php -n -d extension=libcloste.so run.php ZTS-EMBED-BINARY LIBCLOSTE.SO
 * ZTS_THREADS (8) and ZTS_ROUNDS (400) change the load. Ends with "N passed, N failed".
 */
require dirname(__DIR__) . '/server.inc';

[, $bin, $so] = $argv;
$threads = (int) (getenv('ZTS_THREADS') ?: 8);
$rounds = (int) (getenv('ZTS_ROUNDS') ?: 400);
$passed = $failed = 0;
function check(bool $ok, string $what): void
{
    global $passed, $failed;
    echo $ok ? 'ok ' : 'FAIL ', $what, "\n";
    $ok ? $passed++ : $failed++;
}

$certs = closte_certs();
$tls = ['valid' => closte_tls_server($certs, 'valid'), 'expired' => closte_tls_server($certs, 'expired')];
$dns = new ClosteDns(CLOSTE_TEST_ZONE);
$emulators = [];
$config = [];
for ($t = 0; $t < $threads; $t++) {
    $emulators[$t] = new ClosteEmulator();
    $odd = $t % 2 === 1;
    $config[$t] = [
        'key' => $emulators[$t]->key,
        'api' => $emulators[$t]->api,
        'dns' => $dns->addr,
        'ip' => $odd ? '203.0.113.9' : '198.51.100.7',
        'expect_dns' => $odd
            ? ['shop.example.com' => 'points_elsewhere', 'away.example.com' => 'ok']
            : ['shop.example.com' => 'ok', 'away.example.com' => 'points_elsewhere'],
        'ssl_name' => $odd ? 'expired.example.test' : 'valid.example.test',
        'ssl_port' => parse_url($tls[$odd ? 'expired' : 'valid']->url, PHP_URL_PORT),
        'ca' => "$certs/ca.pem",
        'expect_ssl' => $odd ? 'expired' : 'valid',
    ];
}
$dir = sys_get_temp_dir() . '/closte-zts-' . getmypid();
@mkdir($dir);
file_put_contents("$dir/config.json", json_encode($config));
// No closte.api_url that works by default: a request that lost its ini_set would fail.
file_put_contents("$dir/php.ini", "extension=$so\nerror_reporting=E_ALL\ndisplay_errors=1\nlog_errors=0\n"
    . "closte.api_url=http://127.0.0.1:9/api/client\ncloste.max_retries=0\n");
register_shutdown_function(function () use ($dir) {
    array_map('unlink', glob("$dir/*"));
    @rmdir($dir);
});

$env = getenv();
$env['CLOSTE_ZTS_CONFIG'] = "$dir/config.json";
$env['CLOSTE_ZTS_INI'] = "$dir/php.ini";
$started = microtime(true);
$proc = proc_open([$bin, __DIR__ . '/thread.php', (string) $threads, (string) $rounds],
    [1 => ['file', "$dir/stdout", 'w'], 2 => ['file', "$dir/stderr", 'w']], $pipes, null, $env);
$deadline = $started + 600;
do {
    usleep(50000);
    $st = proc_get_status($proc);
} while ($st['running'] && microtime(true) < $deadline);
if ($st['running']) {
    proc_terminate($proc, 9);
}
proc_close($proc);
$secs = round(microtime(true) - $started, 1);
$out = (string) file_get_contents("$dir/stdout");
$err = (string) file_get_contents("$dir/stderr");

check(!$st['running'] && !$st['signaled'] && $st['exitcode'] === 0 && str_ends_with($err, "done\n"),
    "$threads threads x $rounds requests ran and PHP shut down cleanly in {$secs}s"
    . ($st['signaled'] ? " (killed by signal {$st['termsig']})" : " (exit {$st['exitcode']})"));
check($out === '', 'no PHP output (no warning, notice or deprecation)' . ($out === '' ? '' : ': ' . substr($out, 0, 2000)));

$results = [];
$mem = [];
$other = [];
foreach (explode("\n", trim($err)) as $line) {
    if (preg_match('/^req (\d+) (\d+) (.*)$/', $line, $m)) {
        $results[(int) $m[1]][(int) $m[2]] = $m[3];
    } elseif (preg_match('/^mem (\d+) (\d+) (\d+)$/', $line, $m)) {
        $mem[(int) $m[1]] = [(int) $m[2], (int) $m[3]];
    } elseif ($line !== 'done') {
        $other[] = $line;
    }
}
check($other === [], 'nothing unexpected on stderr' . ($other ? ': ' . implode(' | ', array_slice($other, 0, 10)) : ''));

$bad = [];
$count = 0;
foreach ($results as $t => $byRound) {
    foreach ($byRound as $r => $verdict) {
        $count++;
        if ($verdict !== 'ok') {
            $bad[] = "thread $t round $r: $verdict";
        }
    }
}
check($count === $threads * $rounds && $bad === [], "every request got the right results ($count of " . ($threads * $rounds) . ')'
    . ($bad ? ":\n  " . implode("\n  ", array_slice($bad, 0, 10)) : ''));

// What each thread's emulator received: that thread's names only, always with its key.
for ($t = 0; $t < $threads; $t++) {
    $want = [];
    for ($r = 1; $r <= $rounds; $r++) {
        if (($t + $r) % 4 !== 3) {
            // Each name added, then removed again by the same request.
            array_push($want, "t$t-r$r.example.com", "t$t-r$r-a.example.com", "t$t-r$r-b.example.com");
            array_push($want, "t$t-r$r.example.com", "t$t-r$r-a.example.com", "t$t-r$r-b.example.com");
        }
    }
    $seen = [];
    $keyBad = 0;
    foreach ($emulators[$t]->requests() as $req) {
        $keyBad += $req['apikey_ok'] ? 0 : 1;
        if (isset($req['form']['domain'])) {
            $seen[] = $req['form']['domain'];
        }
    }
    sort($want);
    sort($seen);
    $foreign = array_values(array_filter($seen, fn ($d) => !str_starts_with($d, "t$t-r")));
    check($keyBad === 0 && $seen === $want,
        "thread $t's emulator saw its " . count($want) . " adds and removes, each with thread $t's key"
        . ($keyBad ? "; $keyBad with a wrong key" : '')
        . ($foreign ? '; names of other threads: ' . implode(' ', array_slice($foreign, 0, 5)) : '')
        . ($seen !== $want && !$foreign ? '; got ' . count($seen) . ' names' : ''));
}
check($dns->stats()['queries'] > 0, 'the DNS emulator answered the threads');

// Leaks: after a warm-up third of the rounds, open fds and resident memory stay flat.
if (count($mem) === $rounds && $rounds >= 6) {
    $warm = intdiv($rounds, 3);
    [$rss0, $fd0] = $mem[$warm];
    [$rss1, $fd1] = $mem[$rounds];
    $fdMax = max(array_column(array_slice($mem, $warm - 1), 1));
    check($fd1 <= $fd0 && $fdMax <= $fd0 + 2 * $threads, "open fds flat: $fd0 after round $warm, $fd1 after round $rounds (max $fdMax)");
    $growth = $rss1 - $rss0;
    $trace = implode(' ', array_map(fn ($r) => "$r:{$mem[$r][0]}", range($warm, $rounds, max(1, intdiv($rounds - $warm, 8)))));
    check($growth < 4096, "resident memory flat: {$rss0} kB after round $warm, {$rss1} kB after round $rounds (+$growth kB)"
        . ($growth < 4096 ? '' : "; kB by round: $trace"));
} else {
    check(false, 'memory and fd samples for every round (got ' . count($mem) . ')');
}

echo "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
