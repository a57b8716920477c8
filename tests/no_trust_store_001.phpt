--TEST--
Without a system trust store (a minimal container without ca-certificates): plain http:// to the emulator works, https:// fails saying what to install
--EXTENSIONS--
closte
--ENV--
SSL_CERT_FILE=/nonexistent/closte-test/ca.pem
SSL_CERT_DIR=/nonexistent/closte-test
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
echo Closte\add_domain('a.example.com')['status'], "\n";
$certs = closte_certs();
$tls = new ClosteEmulator(['--tls-cert', "$certs/localhost.pem", '--tls-key', "$certs/localhost.key"], $emu->key);
echo closte_throws(fn () => Closte\list_domains(['api_url' => $tls->api, 'max_retries' => 0])), "\n";
// With the CA file, the same server is trusted.
echo count(Closte\list_domains(['api_url' => $tls->api, 'ca_file' => "$certs/ca.pem"])), "\n";
echo closte_throws(fn () => Closte\check_ssl('a.example.com', ['connect_to' => '127.0.0.1'])), "\n";
?>
--EXPECTF--
added
Closte\TransportException: TLS handshake with 127.0.0.1:%d failed: invalid peer certificate: UnknownIssuer (no trusted root certificates found: install the ca-certificates package or set closte.ca_file) (code 0)
0
Closte\TransportException: no trusted root certificates found: install the ca-certificates package or set closte.ca_file (code 0)
