--TEST--
HTTPS to Closte through rustls: closte.ca_file / the ca_file option trust a private CA; without it the handshake fails
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$certs = closte_certs();
$emu = new ClosteEmulator(['--tls-cert', "$certs/localhost.pem", '--tls-key', "$certs/localhost.key"]);
$emu->use();
var_dump(str_starts_with($emu->api, 'https://127.0.0.1:'));
echo closte_throws(fn () => Closte\list_domains(['max_retries' => 0])), "\n";
echo Closte\add_domain('tls.example.com', ['ca_file' => "$certs/ca.pem"])['status'], "\n";
ini_set('closte.ca_file', "$certs/ca.pem");
echo count(Closte\list_domains()), "\n";
echo closte_throws(fn () => Closte\list_domains(['ca_file' => "$certs/other-ca.pem", 'max_retries' => 0])), "\n";
echo closte_throws(fn () => Closte\list_domains(['ca_file' => "$certs/localhost.key"])), "\n";
?>
--EXPECTF--
bool(true)
Closte\TransportException: TLS handshake with 127.0.0.1:%d failed: invalid peer certificate: UnknownIssuer (code 0)
added
1
Closte\TransportException: TLS handshake with 127.0.0.1:%d failed: invalid peer certificate: UnknownIssuer (code 0)
Closte\ConfigException: CA file %s/localhost.key holds no PEM certificate (code 0)
