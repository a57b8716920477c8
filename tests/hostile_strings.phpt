--TEST--
Any PHP string is taken as a domain: bytes that are not UTF-8 and NUL bytes give InvalidDomainException; no message can break an exception
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
foreach (['Closte\add_domain', 'Closte\remove_domain', 'Closte\check_ssl'] as $fn) {
    echo closte_throws(fn () => $fn("b\xffc.example.com")), "\n";
    echo closte_throws(fn () => $fn("a\0b.example.com")), "\n";
    echo closte_throws(fn () => $fn("\xc3\x28.example.com")), "\n";
    echo closte_throws(fn () => $fn(42)), "\n";
}
// Every exception class, fed a message with control characters, is still created.
echo closte_throws(fn () => Closte\add_domain('x.example.com', ["op\0t" => 1])), "\n";
echo closte_throws(fn () => Closte\add_domain('x.example.com', ['timeout' => "1\0"])), "\n";
echo closte_throws(fn () => Closte\add_domain('x.example.com', ['ca_file' => "\0"])), "\n";
$emu->fault(['path' => 'adddomainalias', 'status' => 400, 'json' => ['success' => false, 'error' => "no\0pe\r\nX-Injected: 1"]]);
echo closte_throws(fn () => Closte\add_domain('x.example.com')), "\n";
echo "requests that reached the emulator: ", count($emu->requests()), "\n";
?>
--EXPECT--
Closte\InvalidDomainException: invalid domain "b\xffc.example.com": it is not valid UTF-8 (byte 0xff at position 1) (code 0)
Closte\InvalidDomainException: invalid domain "a\x00b.example.com": it contains whitespace or a control character (U+0000) (code 0)
Closte\InvalidDomainException: invalid domain "\xc3(.example.com": it is not valid UTF-8 (byte 0xc3 at position 0) (code 0)
TypeError: Closte\add_domain(): Argument #1 ($domain) must be of type string, int given (code 0)
Closte\InvalidDomainException: invalid domain "b\xffc.example.com": it is not valid UTF-8 (byte 0xff at position 1) (code 0)
Closte\InvalidDomainException: invalid domain "a\x00b.example.com": it contains whitespace or a control character (U+0000) (code 0)
Closte\InvalidDomainException: invalid domain "\xc3(.example.com": it is not valid UTF-8 (byte 0xc3 at position 0) (code 0)
TypeError: Closte\remove_domain(): Argument #1 ($domain) must be of type string, int given (code 0)
Closte\InvalidDomainException: invalid domain "b\xffc.example.com": it is not valid UTF-8 (byte 0xff at position 1) (code 0)
Closte\InvalidDomainException: invalid domain "a\x00b.example.com": it contains whitespace or a control character (U+0000) (code 0)
Closte\InvalidDomainException: invalid domain "\xc3(.example.com": it is not valid UTF-8 (byte 0xc3 at position 0) (code 0)
TypeError: Closte\check_ssl(): Argument #1 ($domain) must be of type string, int given (code 0)
ValueError: Closte\add_domain(): Argument #2 ($options) has an unknown option "op\x00t"; known options are: api_url, timeout, connect_timeout, max_retries, ca_file (code 0)
TypeError: Closte\add_domain(): Argument #2 ($options): option "timeout" must be of type int|float, string given (code 0)
Closte\ConfigException: cannot read CA file \x00: file name contained an unexpected NUL byte (code 0)
Closte\ApiException: Closte answered HTTP 400 Bad Request: no\x00pe\x0d\x0aX-Injected: 1 (code 400)
requests that reached the emulator: 1
