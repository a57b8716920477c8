--TEST--
Closte\check_dns(): a CNAME chain to an expected host counts, the chain is reported in order with the lowest TTL; IPv6 expectations match AAAA records; an address that is not expected beside one that is is partly_elsewhere
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$dns = new ClosteDns(CLOSTE_TEST_ZONE);
$opts = ['nameservers' => [$dns->addr]];

$r = Closte\check_dns('www.shop.example.com', $opts + ['expect' => 'edge.closte.test']);
echo closte_dns_verdict($r), "\n";
echo json_encode([$r['cname'], $r['a'], $r['matched'], $r['ttl']]), "\n";
// An intermediate host counts as well; a host the chain never reaches does not.
echo closte_dns_verdict(Closte\check_dns('www.shop.example.com', $opts + ['expect' => ['LB.closte.test.']])), "\n";
echo closte_dns_verdict(Closte\check_dns('www.shop.example.com', $opts + ['expect' => ['other.closte.test', '192.0.2.1']])), "\n";

// IPv6: an AAAA record matches an expected IPv6 address (in any spelling); the A record
// beside it is not Closte's, so the name is partly elsewhere.
$r = Closte\check_dns('dual.example.com', $opts + ['expect' => ['198.51.100.7', '2001:0db8:0:0::7']]);
echo closte_dns_verdict($r), ' ', json_encode([$r['a'], $r['aaaa'], $r['expected'], $r['matched']]), "\n";
$r = Closte\check_dns('v6.example.com', $opts + ['expect' => '[2001:db8::7]']);
echo closte_dns_verdict($r), ' ', json_encode($r['aaaa']), "\n";
?>
--EXPECT--
ok
[["lb.closte.test","edge.closte.test"],["198.51.100.7"],["edge.closte.test"],30]
ok
points_elsewhere: www.shop.example.com points to 198.51.100.7 (through CNAME lb.closte.test → edge.closte.test); Closte expects other.closte.test or 192.0.2.1
partly_elsewhere: dual.example.com points to Closte (2001:db8::7) but also elsewhere, through the record A 203.0.113.9: visitors may reach the other server, and Let's Encrypt may validate against the other server, so the certificate may never be issued; remove it or point it at Closte (198.51.100.7 or 2001:db8::7) [["203.0.113.9"],["2001:db8::7"],["198.51.100.7","2001:db8::7"],["2001:db8::7"]]
ok ["2001:db8::7"]
