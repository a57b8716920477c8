--TEST--
ini_set() and ini_restore() of every closte.* setting work at run time, and each setting's default is the one the stubs document
--EXTENSIONS--
closte
--INI--
closte.timeout=12
closte.dns_concurrency=7
--FILE--
<?php
$values = ['closte.api_url' => 'http://127.0.0.1:1/api/client', 'closte.timeout' => '3', 'closte.connect_timeout' => '2',
    'closte.max_retries' => '5', 'closte.ca_file' => '/tmp/ca.pem', 'closte.ssl_timeout' => '4', 'closte.concurrency' => '9',
    'closte.ssl_concurrency' => '33', 'closte.dns_concurrency' => '31', 'closte.nameservers' => '127.0.0.1:53', 'closte.dns_timeout' => '6'];
var_dump(array_keys(ini_get_all('closte')) == array_keys($values) || count(array_diff(array_keys(ini_get_all('closte')), array_keys($values))) === 0);
$before = array_map(fn ($e) => $e['local_value'], ini_get_all('closte'));
$bad = [];
foreach ($values as $name => $value) {
    if (ini_set($name, $value) === false || ini_get($name) !== $value) {
        $bad[] = "set $name";
    }
    ini_restore($name);
    if (ini_get($name) !== $before[$name]) {
        $bad[] = "restore $name: " . var_export(ini_get($name), true);
    }
}
var_dump($bad);
// php.ini values are what ini_restore() goes back to.
echo ini_get('closte.timeout'), ' ', ini_get('closte.dns_concurrency'), "\n";
ini_set('closte.timeout', '1');
ini_restore('closte.timeout');
echo ini_get('closte.timeout'), "\n";
?>
--EXPECT--
bool(true)
array(0) {
}
12 7
12
