--TEST--
A key that Closte echoes back encoded (percent-encoded either case, form-encoded, JSON-escaped) is redacted in exceptions and batch error arrays too
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
// A key with the characters every encoding changes.
$key = 'Lk+Canary/7f3a=' . bin2hex(random_bytes(6)) . '~x y';
$emu = (new ClosteEmulator([], $key))->use();
$forms = [
    'raw' => $key,
    'rawurlencode' => rawurlencode($key),
    'urlencode' => urlencode($key),
    'lower-case %xx' => preg_replace_callback('/%[0-9A-F]{2}/', fn ($m) => strtolower($m[0]), rawurlencode($key)),
    'json' => trim(json_encode($key), '"'),
];
foreach ($forms as $what => $echoed) {
    $emu->reset();
    $emu->fault(['path' => 'adddomainalias', 'status' => 400, 'count' => 2, 'json' => ['success' => false, 'error' => "bad apikey=$echoed."]]);
    try {
        Closte\add_domain('a.example.com');
        echo "$what: no exception\n";
    } catch (Closte\ApiException $e) {
        $seen = $e->getMessage() . $e . print_r($e, true);
        echo "$what: ", $e->getMessage(), ' | leaked: ', json_encode(array_keys(array_filter($forms, fn ($f) => str_contains($seen, $f)))), "\n";
    }
    $r = Closte\add_domains(['b.example.com']);
    $seen = print_r($r, true);
    echo "  batch: ", $r[0]['error']['message'] ?? '-', ' | leaked: ', json_encode(array_keys(array_filter($forms, fn ($f) => str_contains($seen, $f)))), "\n";
}
// Long input quoted in a message is cut, with its length, not repeated whole.
$long = str_repeat('x', 1000) . '.example';
try {
    Closte\add_domain($long);
} catch (Closte\InvalidDomainException $e) {
    var_dump(strlen($e->getMessage()) < 200, str_contains($e->getMessage(), '(1008 bytes)'));
}
?>
--EXPECT--
raw: Closte answered HTTP 400 Bad Request: bad apikey=[redacted]. | leaked: []
  batch: Closte answered HTTP 400 Bad Request: bad apikey=[redacted]. | leaked: []
rawurlencode: Closte answered HTTP 400 Bad Request: bad apikey=[redacted]. | leaked: []
  batch: Closte answered HTTP 400 Bad Request: bad apikey=[redacted]. | leaked: []
urlencode: Closte answered HTTP 400 Bad Request: bad apikey=[redacted]. | leaked: []
  batch: Closte answered HTTP 400 Bad Request: bad apikey=[redacted]. | leaked: []
lower-case %xx: Closte answered HTTP 400 Bad Request: bad apikey=[redacted]. | leaked: []
  batch: Closte answered HTTP 400 Bad Request: bad apikey=[redacted]. | leaked: []
json: Closte answered HTTP 400 Bad Request: bad apikey=[redacted]. | leaked: []
  batch: Closte answered HTTP 400 Bad Request: bad apikey=[redacted]. | leaked: []
bool(true)
bool(true)
