<?php
/*
 * One PHP request in one thread of tests/zts/embed.c ($thread, $round come from there).
 * The thread defines its own CLOSTE_CLIENT_API_KEY and CLOSTE_PUBLIC_IP_ADDRESS and sets
 * its own closte.api_url (its own emulator) for this request only, then calls add_domain,
 * add_domains, check_ssl and check_dns while the other threads do the same with theirs.
 * Every fourth request defines no key at all: it must fail, whatever other threads (or
 * this thread's earlier requests) defined. Returns "ok" or "FAIL what went wrong".
 */

// ZTS_CALLS (a comma list) runs only some of the calls: to find which one leaks, say.
$calls = explode(',', getenv('ZTS_CALLS') ?: 'add_domain,add_domains,check_ssl,check_dns');
$c = json_decode(file_get_contents(getenv('CLOSTE_ZTS_CONFIG')), true)[$thread];
$name = "t$thread-r$round";
$errors = [];
$expect = function (string $what, $got, $want) use (&$errors) {
    if ($got !== $want) {
        $errors[] = "$what: got " . json_encode($got) . ', want ' . json_encode($want);
    }
};

try {
    ini_set('closte.api_url', $c['api']);
    ini_set('closte.nameservers', $c['dns']);
    if (($thread + $round) % 4 === 3) {
        $expect('no key: constant', defined('CLOSTE_CLIENT_API_KEY'), false);
        try {
            Closte\add_domain("$name-nokey.example.com");
            $errors[] = 'no key: add_domain succeeded';
        } catch (Closte\ConfigException $e) {
            $expect('no key', str_contains($e->getMessage(), 'CLOSTE_CLIENT_API_KEY is not defined'), true);
        }
        return $errors ? 'FAIL ' . implode('; ', $errors) : 'ok';
    }
    $expect('constant before define', defined('CLOSTE_CLIENT_API_KEY'), false);
    define('CLOSTE_CLIENT_API_KEY', $c['key']);
    define('CLOSTE_PUBLIC_IP_ADDRESS', $c['ip']);

    if (in_array('add_domain', $calls, true)) {
        $r = Closte\add_domain("$name.example.com");
        $expect('add_domain', [$r['domain'], $r['status']], ["$name.example.com", 'added']);
    }
    if (in_array('add_domains', $calls, true)) {
        $rs = Closte\add_domains(["$name-a.example.com", "$name-b.example.com"]);
        $expect('add_domains', array_map(fn ($x) => [$x['domain'], $x['status']], array_values($rs)),
            [["$name-a.example.com", 'added'], ["$name-b.example.com", 'added']]);
    }
    // What this request added is removed again, so the alias list (read once by each batch
    // call) stays the same size from round to round: memory is compared across rounds.
    $added = array_merge(in_array('add_domain', $calls, true) ? ["$name.example.com"] : [],
        in_array('add_domains', $calls, true) ? ["$name-a.example.com", "$name-b.example.com"] : []);
    if ($added !== []) {
        $rs = Closte\remove_domains($added);
        $expect('remove_domains', array_column(array_values($rs), 'status'), array_fill(0, count($added), 'removed'));
    }
    if (in_array('check_ssl', $calls, true)) {
        $s = Closte\check_ssl($c['ssl_name'], ['connect_to' => '127.0.0.1', 'port' => $c['ssl_port'], 'ca_file' => $c['ca']]);
        $expect('check_ssl', $s['valid'] ? 'valid' : $s['reason'], $c['expect_ssl']);
    }
    // The verdict depends on this thread's CLOSTE_PUBLIC_IP_ADDRESS.
    foreach (in_array('check_dns', $calls, true) ? $c['expect_dns'] : [] as $domain => $want) {
        $d = Closte\check_dns($domain);
        $expect("check_dns $domain", $d['ok'] ? 'ok' : $d['reason'], $want);
    }
    $expect('key still ours', CLOSTE_CLIENT_API_KEY, $c['key']);
} catch (Throwable $e) {
    $errors[] = get_class($e) . ': ' . $e->getMessage();
}
return $errors ? 'FAIL ' . implode('; ', $errors) : 'ok';
