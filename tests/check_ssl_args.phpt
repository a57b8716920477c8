--TEST--
Closte\check_ssl(): bad names and options throw; closte.ssl_timeout is the default timeout
--EXTENSIONS--
closte
--INI--
closte.ssl_timeout=0.3
--FILE--
<?php
require __DIR__ . '/server.inc';
echo closte_throws(fn () => Closte\check_ssl('https://shop.example.com')), "\n";
echo closte_throws(fn () => Closte\check_ssl('shop.example.com', ['port' => 0])), "\n";
echo closte_throws(fn () => Closte\check_ssl('shop.example.com', ['port' => '443'])), "\n";
echo closte_throws(fn () => Closte\check_ssl('shop.example.com', ['connect_to' => 'a b'])), "\n";
echo closte_throws(fn () => Closte\check_ssl('shop.example.com', ['min_days' => -1])), "\n";
echo closte_throws(fn () => Closte\check_ssl('shop.example.com', ['api_url' => 'x'])), "\n";
echo closte_throws(fn () => Closte\check_ssl('shop.example.com', ['ca_file' => '/nonexistent.pem'])), "\n";
$silent = stream_socket_server('tcp://127.0.0.1:0');
$port = parse_url('tcp://' . stream_socket_get_name($silent, false), PHP_URL_PORT);
echo closte_verdict(Closte\check_ssl('shop.example.com', ['connect_to' => '127.0.0.1', 'port' => $port])), "\n";
?>
--EXPECTF--
Closte\InvalidDomainException: invalid domain "https://shop.example.com": it is a URL; give the bare host name, without the scheme (code 0)
ValueError: Closte\check_ssl(): Argument #2 ($options): option port must be between 1 and 65535, got 0 (code 0)
TypeError: Closte\check_ssl(): Argument #2 ($options): option "port" must be of type int, string given (code 0)
ValueError: Closte\check_ssl(): Argument #2 ($options): option connect_to must be a host name or IP address, got "a b" (code 0)
ValueError: Closte\check_ssl(): Argument #2 ($options): option min_days must be between 0 and 3650, got -1 (code 0)
ValueError: Closte\check_ssl(): Argument #2 ($options) has an unknown option "api_url"; known options are: port, connect_to, timeout, ca_file, min_days (code 0)
Closte\ConfigException: cannot read CA file /nonexistent.pem: %s (code 0)
timeout: no TLS answer from 127.0.0.1:%d within the 0.3 s timeout
