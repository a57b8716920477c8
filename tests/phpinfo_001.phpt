--TEST--
phpinfo() has a Closte section: support, version, build facts, TLS backend, whether the key is defined, and the INI rows
--EXTENSIONS--
closte
--INI--
closte.timeout=12
--FILE--
<?php
function section(): string {
    ob_start();
    phpinfo(INFO_MODULES);
    $all = ob_get_clean();
    preg_match('/^Closte support.*?^closte\.timeout => [^\n]*$/ms', $all, $m);
    $s = preg_replace('/^Version => .*$/m', 'Version => X', $m[0] ?? "no closte section\n$all");
    // Build facts vary by checkout and toolchain; their shape does not.
    $s = preg_replace('/^Git revision => ([0-9a-f]{12}|unknown)$/m', 'Git revision => REV', $s);
    $s = preg_replace('/^Built with => rustc \d+\.\d+\.\d+.*$/m', 'Built with => RUSTC', $s);
    return preg_replace('/^Target => [\w.-]+ \((release|debug)\)$/m', 'Target => TRIPLE (PROFILE)', $s);
}
echo section(), "\n--\n";
define('CLOSTE_CLIENT_API_KEY', 'k_should_never_show');
$s = section();
echo preg_match('/^CLOSTE_CLIENT_API_KEY => defined$/m', $s), str_contains($s, 'k_should_never_show') ? ' leaked' : ' hidden', "\n";
?>
--EXPECT--
Closte support => enabled
Version => X
Git revision => REV
Built with => RUSTC
Target => TRIPLE (PROFILE)
TLS backend => rustls (ring)
CLOSTE_CLIENT_API_KEY => not defined

Directive => Local Value => Master Value
closte.api_url => https://app.closte.com/api/client => https://app.closte.com/api/client
closte.ca_file => no value => no value
closte.concurrency => 8 => 8
closte.connect_timeout => 10 => 10
closte.dns_concurrency => 32 => 32
closte.dns_timeout => 5 => 5
closte.max_retries => 2 => 2
closte.nameservers => no value => no value
closte.ssl_concurrency => 32 => 32
closte.ssl_timeout => 10 => 10
closte.timeout => 12 => 12
--
1 hidden
