--TEST--
Closte\check_ssl(): expired, not yet valid, wrong host, self-signed, untrusted CA: each named, each described
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$certs = closte_certs();
$cases = [
    ['expired', 'expired.example.test'],
    ['future', 'future.example.test'],
    ['wrong-host', 'shop.example.test'],
    ['self-signed', 'selfsigned.example.test'],
    ['untrusted', 'untrusted.example.test'],
];
foreach ($cases as [$leaf, $domain]) {
    $r = closte_check($domain, closte_tls_server($certs, $leaf), $certs);
    echo "$leaf: ", var_export($r['valid'], true), ' ', closte_verdict($r), "\n";
    echo '  described: ', $r['subject'], ' / ', $r['issuer'], ' / ', implode(' ', $r['san']), ' / ',
        is_int($r['not_before']) && is_int($r['not_after']) ? 'dates' : 'no dates', ' / ', $r['protocol'], "\n";
}
?>
--EXPECTF--
expired: false expired: the certificate expired on %d-%d-%d (1 day ago)
  described: CN=expired.example.test / CN=Closte Test CA, O=closte tests / expired.example.test / dates / TLSv1.3
future: false not_yet_valid: the certificate is not valid before %d-%d-%d
  described: CN=future.example.test / CN=Closte Test CA, O=closte tests / future.example.test / dates / TLSv1.3
wrong-host: false hostname_mismatch: served certificate is for closte.example.test, not shop.example.test
  described: CN=closte.example.test / CN=Closte Test CA, O=closte tests / closte.example.test / dates / TLSv1.3
self-signed: false self_signed: the certificate is self-signed (CN=selfsigned.example.test), not issued by a trusted CA
  described: CN=selfsigned.example.test / CN=selfsigned.example.test / selfsigned.example.test / dates / TLSv1.3
untrusted: false untrusted: the certificate is not issued by a trusted CA (issuer CN=Untrusted Test CA, O=closte tests): %s
  described: CN=untrusted.example.test / CN=Untrusted Test CA, O=closte tests / untrusted.example.test / dates / TLSv1.3
