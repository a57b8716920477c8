--TEST--
Configuration problems with a valid key set: plain http to a remote host, bad scheme, unreadable CA file; nothing is sent
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
echo closte_throws(fn () => Closte\list_domains(['api_url' => 'http://app.closte.com/api/client'])), "\n";
echo closte_throws(fn () => Closte\list_domains(['api_url' => 'ftp://127.0.0.1/x'])), "\n";
echo closte_throws(fn () => Closte\list_domains(['ca_file' => '/nonexistent/ca.pem'])), "\n";
var_dump(count($emu->requests()));
?>
--EXPECTF--
Closte\ConfigException: closte.api_url uses plain http:// for a host that is not loopback; the API key must travel over https:// (code 0)
Closte\ConfigException: closte.api_url has the unsupported scheme "ftp" (code 0)
Closte\ConfigException: cannot read CA file /nonexistent/ca.pem: %s (code 0)
int(0)
