--TEST--
Closte\check_dns() and check_dns_many(): bad names, options (caa_issuer included), INI settings and constant throw precise exceptions before anything is asked
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$dns = new ClosteDns(CLOSTE_TEST_ZONE);
$ns = ['nameservers' => $dns->addr];
$cases = [
    fn () => Closte\check_dns('https://shop.example.com', $ns),
    fn () => Closte\check_dns('*.example.com', $ns),
    fn () => Closte\check_dns("shop\0.example.com", $ns),
    fn () => Closte\check_dns(['shop.example.com']),
    fn () => Closte\check_dns('shop.example.com', ['nameservers' => 'ns1.example.com']),
    fn () => Closte\check_dns('shop.example.com', ['nameservers' => ['127.0.0.1:0']]),
    fn () => Closte\check_dns('shop.example.com', ['nameservers' => 53]),
    fn () => Closte\check_dns('shop.example.com', ['nameservers' => [53]]),
    fn () => Closte\check_dns('shop.example.com', $ns + ['expect' => 'shop example']),
    fn () => Closte\check_dns('shop.example.com', $ns + ['expect' => '*.closte.com']),
    fn () => Closte\check_dns('shop.example.com', $ns + ['expect' => 7]),
    fn () => Closte\check_dns('shop.example.com', $ns + ['timeout' => 0]),
    fn () => Closte\check_dns('shop.example.com', $ns + ['timeout' => '5']),
    fn () => Closte\check_dns('shop.example.com', $ns + ['caa_issuer' => '']),
    fn () => Closte\check_dns('shop.example.com', $ns + ['caa_issuer' => 'letsencrypt.org; validationmethods=http-01']),
    fn () => Closte\check_dns('shop.example.com', $ns + ['caa_issuer' => '*.letsencrypt.org']),
    fn () => Closte\check_dns('shop.example.com', $ns + ['caa_issuer' => 'https://letsencrypt.org']),
    fn () => Closte\check_dns('shop.example.com', $ns + ['caa_issuer' => "lets\0encrypt.org"]),
    fn () => Closte\check_dns('shop.example.com', $ns + ['caa_issuer' => ['letsencrypt.org']]),
    fn () => Closte\check_dns_many(['shop.example.com'], $ns + ['caa_issuer' => 'letsencrypt']),
    fn () => Closte\check_dns('shop.example.com', $ns + ['concurrency' => 2]),
    fn () => Closte\check_dns('shop.example.com', ['port' => 53]),
    fn () => Closte\check_dns_many('shop.example.com'),
    fn () => Closte\check_dns_many(['shop.example.com', 5]),
    fn () => Closte\check_dns_many(['shop.example.com'], $ns + ['concurrency' => 0]),
    fn () => Closte\check_dns_many(['shop.example.com'], $ns + ['concurrency' => 257]),
];
foreach ($cases as $case) {
    echo closte_throws($case), "\n";
}
echo "-- INI\n";
ini_set('closte.nameservers', '127.0.0.1:53, resolver.example.com');
echo closte_throws(fn () => Closte\check_dns('shop.example.com')), "\n";
echo closte_throws(fn () => Closte\check_dns_many(['shop.example.com'])), "\n";
ini_set('closte.nameservers', $dns->addr);
ini_set('closte.dns_timeout', 'soon');
echo closte_throws(fn () => Closte\check_dns('shop.example.com')), "\n";
ini_set('closte.dns_timeout', '5');
echo "-- constant\n";
define('CLOSTE_PUBLIC_IP_ADDRESS', 'closte-lb.example.com');
echo closte_throws(fn () => Closte\check_dns('shop.example.com')), "\n";
// An explicit expect does not need the constant.
echo closte_dns_verdict(Closte\check_dns('shop.example.com', ['expect' => '198.51.100.7'])), "\n";
?>
--EXPECT--
Closte\InvalidDomainException: invalid domain "https://shop.example.com": it is a URL; give the bare host name, without the scheme (code 0)
Closte\InvalidDomainException: invalid domain "*.example.com": a wildcard has no DNS records or certificate of its own; check a name under it, e.g. www.example.com (code 0)
Closte\InvalidDomainException: invalid domain "shop\x00.example.com": it contains whitespace or a control character (U+0000) (code 0)
TypeError: Closte\check_dns(): Argument #1 ($domain) must be of type string, array given (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options): option nameservers must list IP addresses or IP:port, got "ns1.example.com" (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options): option nameservers must list IP addresses or IP:port, got "127.0.0.1:0" (code 0)
TypeError: Closte\check_dns(): Argument #2 ($options): option "nameservers" must be of type array|string, int given (code 0)
TypeError: Closte\check_dns(): Argument #2 ($options): option "nameservers" must contain only strings, int given (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options): option expect must list IP addresses or host names: "shop example" is neither an IP address nor a host name: it contains whitespace or a control character (U+0020) (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options): option expect must list IP addresses or host names: "*.closte.com" is a wildcard; give an IP address or a host name (code 0)
TypeError: Closte\check_dns(): Argument #2 ($options): option "expect" must be of type array|string, int given (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options): option timeout must be a number of seconds above 0 and at most 600, got 0 (code 0)
TypeError: Closte\check_dns(): Argument #2 ($options): option "timeout" must be of type int|float, string given (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options): option caa_issuer must be a CA's domain name, e.g. letsencrypt.org; "": the name is empty (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options): option caa_issuer must be a CA's domain name, e.g. letsencrypt.org; "letsencrypt.org; validationmethods=http-01": it contains whitespace or a control character (U+0020) (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options): option caa_issuer must be a CA's domain name, e.g. letsencrypt.org; "*.letsencrypt.org" is a wildcard (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options): option caa_issuer must be a CA's domain name, e.g. letsencrypt.org; "https://letsencrypt.org": it is a URL; give the bare host name, without the scheme (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options): option caa_issuer must be a CA's domain name, e.g. letsencrypt.org; "lets\x00encrypt.org": it contains whitespace or a control character (U+0000) (code 0)
TypeError: Closte\check_dns(): Argument #2 ($options): option "caa_issuer" must be of type string, array given (code 0)
ValueError: Closte\check_dns_many(): Argument #2 ($options): option caa_issuer must be a CA's domain name, e.g. letsencrypt.org; "letsencrypt": it is a single label; a full name such as example.com is needed (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options) has an unknown option "concurrency"; known options are: nameservers, expect, timeout, caa_issuer (code 0)
ValueError: Closte\check_dns(): Argument #2 ($options) has an unknown option "port"; known options are: nameservers, expect, timeout, caa_issuer (code 0)
TypeError: Closte\check_dns_many(): Argument #1 ($domains) must be of type array, string given (code 0)
TypeError: Closte\check_dns_many(): Argument #1 ($domains) must contain only strings, int given at key 1 (code 0)
ValueError: Closte\check_dns_many(): Argument #2 ($options): option concurrency must be between 1 and 256, got 0 (code 0)
ValueError: Closte\check_dns_many(): Argument #2 ($options): option concurrency must be between 1 and 256, got 257 (code 0)
-- INI
Closte\ConfigException: closte.nameservers must list IP addresses or IP:port, got "resolver.example.com" (code 0)
Closte\ConfigException: closte.nameservers must list IP addresses or IP:port, got "resolver.example.com" (code 0)
Closte\ConfigException: closte.dns_timeout must be a number of seconds, got "soon" (code 0)
-- constant
Closte\ConfigException: CLOSTE_PUBLIC_IP_ADDRESS must be an IP address, got "closte-lb.example.com" (code 0)
ok
