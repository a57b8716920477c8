--TEST--
Invalid names throw Closte\InvalidDomainException with the reason, before anything is sent
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$bad = ['', 'https://shop.example.com', 'shop.example.com/path', 'shop.example.com:8443', 'user@shop.example.com',
    'shop example.com', "shop.example.com\n", '192.168.1.10', '[2001:db8::1]', 'localhost', 'a.*.example.com',
    '-shop.example.com', 'shop_1.example.com', 'shop..example.com', str_repeat('a', 64) . '.com',
    implode('.', array_fill(0, 5, str_repeat('a', 60))) . '.com', '1.2.3'];
foreach ($bad as $d) {
    echo closte_throws(fn () => Closte\add_domain($d)), "\n";
}
echo closte_throws(fn () => Closte\remove_domain('https://x.example.com')), "\n";
var_dump(count($emu->requests()));
?>
--EXPECTF--
Closte\InvalidDomainException: invalid domain "": the name is empty (code 0)
Closte\InvalidDomainException: invalid domain "https://shop.example.com": it is a URL; give the bare host name, without the scheme (code 0)
Closte\InvalidDomainException: invalid domain "shop.example.com/path": it contains a path ('/'); give the bare host name (code 0)
Closte\InvalidDomainException: invalid domain "shop.example.com:8443": it contains a port (':'); give the host name alone (code 0)
Closte\InvalidDomainException: invalid domain "user@shop.example.com": it contains user info ('@'); give the bare host name (code 0)
Closte\InvalidDomainException: invalid domain "shop example.com": it contains whitespace or a control character (U+0020) (code 0)
Closte\InvalidDomainException: invalid domain "shop.example.com\x0a": it contains whitespace or a control character (U+000A) (code 0)
Closte\InvalidDomainException: invalid domain "192.168.1.10": it is an IP address; Closte maps host names only (code 0)
Closte\InvalidDomainException: invalid domain "[2001:db8::1]": it is an IP address; Closte maps host names only (code 0)
Closte\InvalidDomainException: invalid domain "localhost": it is a single label; a full name such as example.com is needed (code 0)
Closte\InvalidDomainException: invalid domain "a.*.example.com": '*' is allowed only as a whole first label ('*.example.com') (code 0)
Closte\InvalidDomainException: invalid domain "-shop.example.com": the label "-shop" starts or ends with a hyphen (code 0)
Closte\InvalidDomainException: invalid domain "shop_1.example.com": it contains '_'; only letters, digits and hyphens are allowed (code 0)
Closte\InvalidDomainException: invalid domain "shop..example.com": it has an empty label ('..' or a leading '.') (code 0)
Closte\InvalidDomainException: invalid domain "%s.com": the label "aaaaaaaaaaaaaaaa…" is longer than 63 characters (code 0)
Closte\InvalidDomainException: invalid domain "%s… (%d bytes)": it is longer than 253 characters (%d) (code 0)
Closte\InvalidDomainException: invalid domain "1.2.3": it looks like an IP address (the last label is numeric) (code 0)
Closte\InvalidDomainException: invalid domain "https://x.example.com": it is a URL; give the bare host name, without the scheme (code 0)
int(0)
