--TEST--
Closte\check_dns(): every verdict from the emulator's DNS server, the full result, and CLOSTE_PUBLIC_IP_ADDRESS as the default expectation
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$dns = new ClosteDns(CLOSTE_TEST_ZONE);
ini_set('closte.nameservers', $dns->addr);

// Without the constant there is nothing to compare with (the name still resolves).
echo closte_dns_verdict(Closte\check_dns('shop.example.com')), "\n";
echo closte_dns_verdict(Closte\check_dns('nothing.example.com')), "\n";

define('CLOSTE_PUBLIC_IP_ADDRESS', '198.51.100.7');
$r = Closte\check_dns('shop.example.com');
$r['elapsed_ms'] = is_float($r['elapsed_ms']) && $r['elapsed_ms'] > 0 ? 'float' : $r['elapsed_ms'];
var_dump($r);
foreach (['away.example.com', 'nothing.example.com', 'mail.example.com', 'broken.example.com', 'v6.example.com', 'SHOP.Example.COM.'] as $name) {
    echo "$name: ", closte_dns_verdict(Closte\check_dns($name)), "\n";
}
$r = Closte\check_dns('silent.example.com', ['timeout' => 0.4]);
echo closte_dns_verdict($r), "\n";
var_dump($r['a'], $r['ttl'], $r['expected']);
?>
--EXPECT--
no_expectation: shop.example.com points to 198.51.100.7; there is nothing to compare with (define CLOSTE_PUBLIC_IP_ADDRESS or pass the expect option)
nxdomain: nothing.example.com does not exist in DNS (NXDOMAIN)
array(12) {
  ["domain"]=>
  string(16) "shop.example.com"
  ["ok"]=>
  bool(true)
  ["reason"]=>
  NULL
  ["error"]=>
  NULL
  ["a"]=>
  array(1) {
    [0]=>
    string(12) "198.51.100.7"
  }
  ["aaaa"]=>
  array(0) {
  }
  ["cname"]=>
  array(0) {
  }
  ["expected"]=>
  array(1) {
    [0]=>
    string(12) "198.51.100.7"
  }
  ["matched"]=>
  array(1) {
    [0]=>
    string(12) "198.51.100.7"
  }
  ["ttl"]=>
  int(300)
  ["caa"]=>
  NULL
  ["elapsed_ms"]=>
  string(5) "float"
}
away.example.com: points_elsewhere: away.example.com points to 203.0.113.9; Closte expects 198.51.100.7
nothing.example.com: nxdomain: nothing.example.com does not exist in DNS (NXDOMAIN)
mail.example.com: no_records: mail.example.com has no A or AAAA record
broken.example.com: servfail: the DNS server could not answer for broken.example.com (SERVFAIL)
v6.example.com: points_elsewhere: v6.example.com points to 2001:db8::7; Closte expects 198.51.100.7
SHOP.Example.COM.: ok
timeout: no DNS answer for silent.example.com within 0.4 s
array(0) {
}
NULL
array(1) {
  [0]=>
  string(12) "198.51.100.7"
}
