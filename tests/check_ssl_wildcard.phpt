--TEST--
Closte\check_ssl(): *.example.test covers exactly one label (RFC 6125), unlike the multisite plugin's check
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$certs = closte_certs();
$srv = closte_tls_server($certs, 'wildcard');
foreach (['a.example.test', 'www.example.test', 'a.b.example.test', 'example.test'] as $d) {
    echo "$d: ", closte_verdict(closte_check($d, $srv, $certs)), "\n";
}
echo closte_throws(fn () => Closte\check_ssl('*.example.test')), "\n";
?>
--EXPECT--
a.example.test: valid
www.example.test: valid
a.b.example.test: hostname_mismatch: served certificate is for *.example.test, not a.b.example.test
example.test: hostname_mismatch: served certificate is for *.example.test, not example.test
Closte\InvalidDomainException: invalid domain "*.example.test": a wildcard has no DNS records or certificate of its own; check a name under it, e.g. www.example.test (code 0)
