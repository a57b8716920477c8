--TEST--
Batch calls throw only for the call as a whole, before anything is sent: no key, bad INI, bad options, non-array, non-string element; a failed list read fails every name with its exception
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = new ClosteEmulator();
ini_set('closte.api_url', $emu->api);
echo closte_throws(fn () => Closte\add_domains(['a.example.com'])), "\n";
echo closte_throws(fn () => Closte\sync_domains(['a.example.com'])), "\n";
define('CLOSTE_CLIENT_API_KEY', $emu->key);
echo closte_throws(fn () => Closte\remove_domains(null)), "\n";
echo closte_throws(fn () => Closte\add_domains(['a.example.com', ['b.example.com']])), "\n";
echo closte_throws(fn () => Closte\add_domains(['k' => 1.5])), "\n";
echo closte_throws(fn () => Closte\add_domains(['a.example.com'], ['concurrency' => 65])), "\n";
echo closte_throws(fn () => Closte\add_domains(['a.example.com'], ['concurrency' => '8'])), "\n";
echo closte_throws(fn () => Closte\add_domains(['a.example.com'], ['dry_run' => true])), "\n";
ini_set('closte.concurrency', '0');
echo closte_throws(fn () => Closte\add_domains(['a.example.com'])), "\n";
ini_set('closte.concurrency', 'many');
echo closte_throws(fn () => Closte\remove_domains(['a.example.com'])), "\n";
ini_set('closte.concurrency', '8'); // (ini_restore() cannot undo these at run time: no on_modify handler)
ini_set('closte.ssl_concurrency', '257');
echo closte_throws(fn () => Closte\check_ssl_many(['a.example.com'])), "\n";
ini_set('closte.ssl_concurrency', '32');
echo 'sent: ', count($emu->requests()), "\n";

// Closte cannot be read: every name carries that exception; nothing else is sent.
// Closte echoes the key in its error text: the items carry the message, never the key.
$emu->fault(['path' => 'getdomains', 'status' => 401, 'json' => ['success' => false, 'error' => 'Invalid API key ' . CLOSTE_CLIENT_API_KEY]]);
$r = Closte\add_domains(['a.example.com', 'b.example.com', 'bad..x']);
foreach ($r as $x) {
    echo $x['domain'], ' ', $x['status'], ' ', $x['error']['class'], ' ', $x['error']['code'], "\n";
}
echo 'sent: ', count($emu->requests()), "\n";
echo $r[0]['error']['message'], "\n";
var_dump(str_contains(json_encode($r), CLOSTE_CLIENT_API_KEY));
?>
--EXPECT--
Closte\ConfigException: CLOSTE_CLIENT_API_KEY is not defined; define it in wp-config.php (Closte hosting defines it for you) (code 0)
Closte\ConfigException: CLOSTE_CLIENT_API_KEY is not defined; define it in wp-config.php (Closte hosting defines it for you) (code 0)
TypeError: Closte\remove_domains(): Argument #1 ($domains) must be of type array, null given (code 0)
TypeError: Closte\add_domains(): Argument #1 ($domains) must contain only strings, array given at key 1 (code 0)
TypeError: Closte\add_domains(): Argument #1 ($domains) must contain only strings, float given at key "k" (code 0)
ValueError: Closte\add_domains(): Argument #2 ($options): option concurrency must be between 1 and 64, got 65 (code 0)
TypeError: Closte\add_domains(): Argument #2 ($options): option "concurrency" must be of type int, string given (code 0)
ValueError: Closte\add_domains(): Argument #2 ($options) has an unknown option "dry_run"; known options are: api_url, timeout, connect_timeout, max_retries, ca_file, concurrency (code 0)
Closte\ConfigException: closte.concurrency must be a whole number between 1 and 64, got "0" (code 0)
Closte\ConfigException: closte.concurrency must be a whole number between 1 and 64, got "many" (code 0)
Closte\ConfigException: closte.ssl_concurrency must be a whole number between 1 and 256, got "257" (code 0)
sent: 0
a.example.com failed Closte\ApiException 401
b.example.com failed Closte\ApiException 401
bad..x failed Closte\InvalidDomainException 0
sent: 1
Closte answered HTTP 401 Unauthorized: Invalid API key [redacted]
bool(false)
