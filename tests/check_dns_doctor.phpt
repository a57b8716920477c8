--TEST--
Closte\check_dns() and check_dns_many(): proxied (Cloudflare), partly_elsewhere (stray A/AAAA), caa_forbids with the caa field, the caa_issuer option
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$dns = new ClosteDns(<<<ZONE
cf.example.com        300 A     104.16.132.229
cf.example.com        300 AAAA  2606:4700::6810:84e5
stray.example.com     300 A     198.51.100.7
stray.example.com     300 AAAA  2001:db8::66
ok.example.com        300 A     198.51.100.7
shop.example.org      300 A     198.51.100.7
example.org           300 CAA   0 issue "sectigo.com"
example.org           300 CAA   128 iodef "mailto:security@example.org"
shop.example.net      300 A     198.51.100.7
example.net           300 CAA   0 issue "sectigo.com"
example.net           300 CAA   0 issuewild "letsencrypt.org"
own.example.net       300 A     198.51.100.7
own.example.net       300 CAA   0 issue "letsencrypt.org"
ZONE);
ini_set('closte.nameservers', $dns->addr);
define('CLOSTE_PUBLIC_IP_ADDRESS', '198.51.100.7');

foreach (['cf.example.com', 'stray.example.com', 'shop.example.org', 'shop.example.net', 'own.example.net', 'ok.example.com'] as $name) {
    $r = Closte\check_dns($name);
    echo "$name: ", closte_dns_verdict($r), "\n  caa: ", json_encode($r['caa']), "\n";
}
// The whole caa field of a name whose parent holds the set.
var_dump(Closte\check_dns('shop.example.org')['caa']);
// caa_issuer: another CA, in any case and with a trailing dot.
echo closte_dns_verdict(Closte\check_dns('shop.example.org', ['caa_issuer' => 'Sectigo.COM.'])), "\n";
echo closte_dns_verdict(Closte\check_dns('own.example.net', ['caa_issuer' => 'sectigo.com'])), "\n";
// The batch gives each name the single check's reason, in the caller's order and keys.
$names = ['p' => 'cf.example.com', 'stray.example.com', 'shop.example.org', 'ok.example.com', 'nothing.example.com'];
echo json_encode(array_map(fn ($r) => $r['reason'], Closte\check_dns_many($names, ['concurrency' => 2]))), "\n";
echo json_encode(array_map(fn ($r) => $r['reason'], Closte\check_dns_many($names, ['caa_issuer' => 'sectigo.com']))), "\n";
?>
--EXPECT--
cf.example.com: proxied: cf.example.com points to 104.16.132.229, 2606:4700::6810:84e5, Cloudflare's proxy: visitors and Let's Encrypt reach Cloudflare, never Closte; in Cloudflare's DNS settings set the record to "DNS only" (grey cloud) and point it at 198.51.100.7
  caa: null
stray.example.com: partly_elsewhere: stray.example.com points to Closte (198.51.100.7) but also elsewhere, through the record AAAA 2001:db8::66: visitors may reach the other server, and Let's Encrypt validates over IPv6 whenever an AAAA record exists, so the certificate may never be issued; remove it or point it at Closte (198.51.100.7)
  caa: null
shop.example.org: caa_forbids: shop.example.org points to Closte, but the CAA records of example.org allow only sectigo.com to issue certificates, not letsencrypt.org (the CA Closte uses): add the record example.org. CAA 0 issue "letsencrypt.org" or remove the CAA records
  caa: {"domain":"example.org","records":[{"flags":0,"tag":"issue","value":"sectigo.com"},{"flags":128,"tag":"iodef","value":"mailto:security@example.org"}]}
shop.example.net: caa_forbids: shop.example.net points to Closte, but the CAA records of example.net allow only sectigo.com to issue certificates, not letsencrypt.org (the CA Closte uses): add the record example.net. CAA 0 issue "letsencrypt.org" or remove the CAA records
  caa: {"domain":"example.net","records":[{"flags":0,"tag":"issue","value":"sectigo.com"},{"flags":0,"tag":"issuewild","value":"letsencrypt.org"}]}
own.example.net: ok
  caa: {"domain":"own.example.net","records":[{"flags":0,"tag":"issue","value":"letsencrypt.org"}]}
ok.example.com: ok
  caa: null
array(2) {
  ["domain"]=>
  string(11) "example.org"
  ["records"]=>
  array(2) {
    [0]=>
    array(3) {
      ["flags"]=>
      int(0)
      ["tag"]=>
      string(5) "issue"
      ["value"]=>
      string(11) "sectigo.com"
    }
    [1]=>
    array(3) {
      ["flags"]=>
      int(128)
      ["tag"]=>
      string(5) "iodef"
      ["value"]=>
      string(27) "mailto:security@example.org"
    }
  }
}
ok
caa_forbids: own.example.net points to Closte, but the CAA records of own.example.net allow only letsencrypt.org to issue certificates, not sectigo.com (the CA Closte uses): add the record own.example.net. CAA 0 issue "sectigo.com" or remove the CAA records
{"p":"proxied","0":"partly_elsewhere","1":"caa_forbids","2":null,"3":"nxdomain"}
{"p":"proxied","0":"partly_elsewhere","1":null,"2":null,"3":"nxdomain"}
