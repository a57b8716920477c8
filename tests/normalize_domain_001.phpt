--TEST--
Closte\normalize_domain(): the canonical form every call sends and reports (lower case, punycode, no trailing dot, *. kept); invalid names throw
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
foreach (['Shop.Example.COM.', 'bücher.example', 'BÜCHER.example.', 'xn--bcher-kva.example', '*.Wild.Example', 'www.bücher.example'] as $name) {
    echo $name, ' => ', Closte\normalize_domain($name), "\n";
}
// The form Closte gets and lists is exactly the normalized one: a record stored in Unicode
// is the same alias as its punycode form.
$added = Closte\add_domain('Bücher.Example');
var_dump($added['domain'] === Closte\normalize_domain('bücher.example'));
var_dump(in_array(Closte\normalize_domain('BÜCHER.example.'), array_column(Closte\list_domains(), 'domain'), true));
echo $emu->calls('adddomainalias')[0]['form']['domain'] ?? json_encode($emu->calls('adddomainalias')), "\n";
foreach (['', 'a b.example', 'https://x.example', "x\0.example", 'a..b', str_repeat('a', 300) . '.example'] as $bad) {
    echo closte_throws(fn () => Closte\normalize_domain($bad)), "\n";
}
echo closte_throws(fn () => Closte\normalize_domain([])), "\n";
var_dump(count($emu->calls('adddomainalias')));
?>
--EXPECTF--
Shop.Example.COM. => shop.example.com
bücher.example => xn--bcher-kva.example
BÜCHER.example. => xn--bcher-kva.example
xn--bcher-kva.example => xn--bcher-kva.example
*.Wild.Example => *.wild.example
www.bücher.example => www.xn--bcher-kva.example
bool(true)
bool(true)
xn--bcher-kva.example
Closte\InvalidDomainException: invalid domain "": the name is empty (code 0)
Closte\InvalidDomainException: invalid domain "a b.example": it contains whitespace or a control character (U+0020) (code 0)
Closte\InvalidDomainException: invalid domain "https://x.example": it is a URL; give the bare host name, without the scheme (code 0)
Closte\InvalidDomainException: invalid domain "x\x00.example": it contains whitespace or a control character (U+0000) (code 0)
Closte\InvalidDomainException: invalid domain "a..b": it has an empty label ('..' or a leading '.') (code 0)
Closte\InvalidDomainException: invalid domain "%s… (308 bytes)": %s (code 0)
TypeError: Closte\normalize_domain(): Argument #1 ($domain) must be of type string, array given (code 0)
int(1)
