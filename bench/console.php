<?php
/*
 * make bench, part 3: the network admin console for N mapped domains (default 500) at a
 * realistic latency, in the real stack (php-fpm behind nginx, MariaDB, headless Chromium).
 * Closte's API and every customer's HTTPS server are reached through `closte-emulator
 * proxy` (RTT_MS, default 20 ms round trip); each DNS answer is held RTT_MS by the DNS
 * server. Run by scripts/test-wordpress.sh --bench-console N. Prints one table; asserts nothing.
 */

require __DIR__ . '/../tests/server.inc';

$n = (int) ($argv[1] ?? 500);
$rtt = (int) (getenv('RTT_MS') ?: 20);
$emu = new ClosteEmulator([], getenv('CLOSTE_WP_KEY'));
[$apiPort] = latency_proxy(hostport($emu->url), $rtt);
$certs = closte_certs();
$tls = closte_tls_server($certs, 'wildcard'); // *.example.test: one server for every name
[$tlsPort] = latency_proxy(hostport($tls->url), $rtt);
$names = array_map(fn ($i) => "site$i.example.test", range(1, $n));
$zone = '';
foreach ($names as $name) {
    $zone .= "$name 300 A 198.51.100.7\n$name DELAY $rtt\n";
}
$dns = new ClosteDns($zone);

putenv('CLOSTE_WP_PUBLIC_IP=198.51.100.7');
ini_set('closte.api_url', $emu->api);
require __DIR__ . '/../tests/wordpress/bootstrap.php';
global $wpdb;
\WP_Ultimo\Models\Domain::double_reset();
foreach ($names as $name) { // records as the plugin stores them, without queuing 500 events
    $wpdb->insert(\WP_Ultimo\Models\Domain::double_table(), ['blog_id' => 1, 'domain' => $name, 'stage' => 'done', 'active' => 1]);
}
Closte\add_domains($names, ['concurrency' => 32]);
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'never']);
update_network_option(null, 'closte_test_lab', [
    'api_url' => "http://127.0.0.1:$apiPort/api/client",
    'ca_file' => "$certs/ca.pem",
    'targets' => array_fill_keys($names, "127.0.0.1:$tlsPort"),
    'nameservers' => [$dns->addr],
]);
Closte_Native_Status::forget();

$cmd = [getenv('CLOSTE_WP_PYTHON'), __DIR__ . '/console.py', getenv('CLOSTE_WP_PROXY_PORT')];
$proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$out = stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
if (proc_close($proc) !== 0 || !is_array($m = json_decode($out, true))) {
    fwrite(STDERR, "console.py failed: $err$out\n");
    exit(1);
}
$snapshot = Closte_Native_Status::cached();
printf("\nThe console, %d domains, %d ms RTT to Closte, to each HTTPS server and per DNS answer\n\n", $n, $rtt);
printf("| %-66s | %9s |\n|%s|%s|\n", 'what', 'ms', str_repeat('-', 68), str_repeat('-', 11));
printf("| %-66s | %9.0f |\n", 'Refresh: click to the rendered page (snapshot + redirect + page)', $m['refresh_ms']);
printf("| %-66s | %9.0f |\n", '  of which the snapshot (1 list, 1 TLS batch, 1 DNS batch)', $snapshot['elapsed_ms'] ?? -1);
printf("| %-66s | %9.0f |\n", 'Opening the page from the snapshot', $m['view_ms']);
printf("\nRows rendered: %d; certificates valid: %d; DNS ok: %d (of %d).\n", $m['rows'], count(array_filter(array_column($snapshot['ssl'] ?? [], 'valid'))),
    count(array_filter(array_column($snapshot['dns'] ?? [], 'ok'))), $n);
