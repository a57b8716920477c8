--TEST--
Closte\check_ssl(): a certificate from a trusted CA, in date, for the host: valid, fully described
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$certs = closte_certs();
$srv = closte_tls_server($certs, 'valid');
$r = closte_check('Valid.Example.Test', $srv, $certs);
echo implode(',', array_keys($r)), "\n";
var_dump($r['domain'], $r['valid'], $r['reason'], $r['error'], $r['subject'], $r['issuer'], $r['san']);
var_dump($r['not_before'] < time(), $r['not_after'] > time(), in_array($r['days_remaining'], [89, 90], true), $r['expiring_soon']); // 90-day leaf
var_dump($r['protocol'], $r['peer'] === '127.0.0.1:' . parse_url($srv->url, PHP_URL_PORT), is_float($r['elapsed_ms']));
// closte.ca_file is the default CA file; without it the test CA is unknown.
ini_set('closte.ca_file', "$certs/ca.pem");
echo closte_verdict(Closte\check_ssl('valid.example.test', ['connect_to' => '127.0.0.1', 'port' => parse_url($srv->url, PHP_URL_PORT)])), "\n";
ini_set('closte.ca_file', '');
echo closte_verdict(Closte\check_ssl('valid.example.test', ['connect_to' => '127.0.0.1', 'port' => parse_url($srv->url, PHP_URL_PORT)])), "\n";
?>
--EXPECTF--
domain,valid,reason,error,subject,issuer,san,not_before,not_after,days_remaining,expiring_soon,protocol,peer,elapsed_ms
string(18) "valid.example.test"
bool(true)
NULL
NULL
string(21) "CN=valid.example.test"
string(33) "CN=Closte Test CA, O=closte tests"
array(1) {
  [0]=>
  string(18) "valid.example.test"
}
bool(true)
bool(true)
bool(true)
bool(false)
string(7) "TLSv1.3"
bool(true)
bool(true)
valid
untrusted: the certificate is not issued by a trusted CA (issuer CN=Closte Test CA, O=closte tests): %s
