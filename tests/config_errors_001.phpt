--TEST--
Configuration problems are Closte\ConfigException and send nothing: missing and empty key, plain http to a remote host, bad scheme, bad closte.timeout and closte.max_retries, unreadable CA file
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = new ClosteEmulator();
ini_set('closte.api_url', $emu->api);
echo closte_throws(fn () => Closte\list_domains()), "\n";
echo closte_throws(fn () => Closte\add_domain('a.example.com')), "\n";
define('CLOSTE_CLIENT_API_KEY', '');
echo closte_throws(fn () => Closte\test_connection()), "\n";
echo closte_throws(fn () => Closte\list_domains(['api_url' => 'http://app.closte.com/api/client'])), "\n";
echo closte_throws(fn () => Closte\list_domains(['api_url' => 'ftp://127.0.0.1/x'])), "\n";
ini_set('closte.timeout', 'soon');
echo closte_throws(fn () => Closte\list_domains()), "\n";
ini_set('closte.timeout', '0');
echo closte_throws(fn () => Closte\list_domains()), "\n";
ini_set('closte.timeout', '30');
ini_set('closte.max_retries', '99');
echo closte_throws(fn () => Closte\list_domains()), "\n";
ini_set('closte.max_retries', '2');
echo closte_throws(fn () => Closte\list_domains(['ca_file' => '/nonexistent/ca.pem'])), "\n";
var_dump(count($emu->requests()));
?>
--EXPECT--
Closte\ConfigException: CLOSTE_CLIENT_API_KEY is not defined; define it in wp-config.php (Closte hosting defines it for you) (code 0)
Closte\ConfigException: CLOSTE_CLIENT_API_KEY is not defined; define it in wp-config.php (Closte hosting defines it for you) (code 0)
Closte\ConfigException: the Closte API key is empty; define CLOSTE_CLIENT_API_KEY in wp-config.php (code 0)
Closte\ConfigException: the Closte API key is empty; define CLOSTE_CLIENT_API_KEY in wp-config.php (code 0)
Closte\ConfigException: the Closte API key is empty; define CLOSTE_CLIENT_API_KEY in wp-config.php (code 0)
Closte\ConfigException: closte.timeout must be a number of seconds, got "soon" (code 0)
Closte\ConfigException: closte.timeout must be a number of seconds above 0 and at most 600, got 0 (code 0)
Closte\ConfigException: closte.max_retries must be between 0 and 10, got 99 (code 0)
Closte\ConfigException: the Closte API key is empty; define CLOSTE_CLIENT_API_KEY in wp-config.php (code 0)
int(0)
