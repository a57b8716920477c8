<?php
/*
 * Test-only must-use plugin (copied next to closte-native by the WordPress tests, never
 * shipped): points the console's certificate and DNS checks at the test's TLS lab and DNS
 * server, through the filters the bridge documents. The lab is the network option
 * closte_test_lab: ['ca_file' => path, 'targets' => [name => 'host:port'], 'nameservers' => [..]].
 */

// php-fpm starts before the test's emulator is known: its URL comes with the lab.
$closte_test_lab = get_network_option(null, 'closte_test_lab', []);
if (!empty($closte_test_lab['api_url'])) {
    ini_set('closte.api_url', $closte_test_lab['api_url']);
}
unset($closte_test_lab);

add_filter('closte_native_console_ssl_options', function ($options, $names) {
    $lab = get_network_option(null, 'closte_test_lab', []);
    if (!$lab) {
        return $options;
    }
    // A worker that dies in the middle of a chunk (tests/wordpress/scale.php): after its
    // DNS batch, before its certificate batch, it says so in a file and waits to be killed.
    static $chunks = 0;
    $stall = getenv('CLOSTE_TEST_STALL');
    if ($stall && ++$chunks > (int) getenv('CLOSTE_TEST_STALL_AFTER')) {
        file_put_contents($stall, implode("\n", $names));
        while (true) {
            sleep(60);
        }
    }
    // The TLS lab's count: every name the certificate batches ask about (one line each).
    if (!empty($lab['ssl_log'])) {
        file_put_contents($lab['ssl_log'], implode("\n", $names) . "\n", FILE_APPEND | LOCK_EX);
    }
    return ['connect_to' => $lab['targets'], 'ca_file' => $lab['ca_file'], 'timeout' => 2] + $options;
}, 10, 2);
add_filter('closte_native_console_dns_options', function ($options, $names) {
    $lab = get_network_option(null, 'closte_test_lab', []);
    return $lab ? ['nameservers' => $lab['nameservers'], 'timeout' => 2] + $options : $options;
}, 10, 2);
