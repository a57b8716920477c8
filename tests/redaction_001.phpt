--TEST--
The API key never appears in exception messages, traces, phpinfo(), warnings or the emulator's log
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$key = CLOSTE_CLIENT_API_KEY;
$seen = '';
$dead = new ClosteEmulator([], $key);
$deadUrl = $dead->api;
$dead->stop();
$calls = [
    fn () => Closte\list_domains(['api_url' => $deadUrl, 'max_retries' => 0]),            // key in GET query
    fn () => Closte\add_domain('a.example.com', ['api_url' => $deadUrl, 'max_retries' => 0]),
    function () use ($emu, $key) {                                                      // Closte echoes the key
        $emu->fault(['path' => 'getdomains', 'json' => ['success' => false, 'error' => "bad key $key"]]);
        Closte\list_domains();
    },
    function () use ($emu, $key) {
        $emu->fault(['path' => 'adddomainalias', 'status' => 400, 'json' => ['success' => false, 'error' => "key=$key"]]);
        Closte\add_domain('b.example.com');
    },
    function () use ($emu) {
        $emu->fault(['path' => 'getdomains', 'delay_ms' => 3000]);
        Closte\list_domains(['timeout' => 0.2]);
    },
];
set_error_handler(function ($no, $str) use (&$seen) { $seen .= $str; return true; });
foreach ($calls as $i => $call) {
    try {
        $call();
        echo "$i: no exception\n";
    } catch (Closte\Exception $e) {
        echo "$i: ", get_class($e), "\n";
        $seen .= $e->getMessage() . $e->getTraceAsString() . $e . var_export($e, true) . print_r($e, true);
    }
}
ob_start();
phpinfo();
$seen .= ob_get_clean();
ob_start();
var_dump(ini_get_all('closte'), get_defined_constants(true)['closte'] ?? []);
$seen .= ob_get_clean();
var_dump(str_contains($seen, 'redacted'));      // Closte's echo was scrubbed, not dropped
var_dump(str_contains($seen, $key));
var_dump(str_contains($emu->rawLog(), $key), count($emu->requests()) > 0);
?>
--EXPECT--
0: Closte\TransportException
1: Closte\TransportException
2: Closte\ApiException
3: Closte\ApiException
4: Closte\TransportException
bool(true)
bool(false)
bool(false)
bool(true)
