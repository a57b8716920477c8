--TEST--
1,000 distinct connect_timeout and ca_file values in one process: file descriptors and memory stay flat (HTTP clients are bounded, the CA file read once per version)
--EXTENSIONS--
closte
--SKIPIF--
<?php if (!is_dir('/proc/self/fd')) die('skip needs /proc'); ?>
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$certs = closte_certs();
$fds = fn () => count(scandir('/proc/self/fd'));
$rss = function (): int {
    preg_match('/^VmRSS:\s+(\d+) kB/m', file_get_contents('/proc/self/status'), $m);
    return (int) $m[1];
};
// Warm up: the runtime, a few clients and their connections exist from here on.
for ($i = 0; $i < 20; $i++) {
    Closte\list_domains(['connect_timeout' => 1 + $i / 1000]);
}
[$fd0, $rss0] = [$fds(), $rss()];
for ($i = 0; $i < 1000; $i++) {
    Closte\list_domains(['connect_timeout' => 2 + $i / 1000]);
}
for ($i = 0; $i < 200; $i++) {
    // The same CA file under many option values, and a rewritten CA file: each read once per version.
    Closte\list_domains(['connect_timeout' => 5 + $i / 1000, 'ca_file' => "$certs/ca.pem"]);
}
[$fd1, $rss1] = [$fds(), $rss()];
echo 'requests: ', count($emu->calls('getdomains')), "\n";
// Before the fix: +1 descriptor and about 110 KB per distinct value (2,000 values: +220 MB).
echo 'fds flat: ', json_encode($fd1 - $fd0 <= 8), ' (', $fd1 - $fd0, ")\n";
echo 'memory flat: ', json_encode($rss1 - $rss0 < 16 * 1024), "\n";
?>
--EXPECTF--
requests: 1220
fds flat: true (%i)
memory flat: true
