--TEST--
Closte\list_domain_names(): each alias once, in normalize_domain()'s form, as strings
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
var_dump(Closte\list_domain_names());
Closte\add_domain('One.Example.com');
var_dump(Closte\list_domain_names());
// Closte's items as they may come: plain strings, objects, a Unicode name, a flag-only
// wildcard, a trailing dot, the same alias twice in two spellings, a name that is not one.
$emu->fault(['path' => 'getdomains', 'json' => ['success' => true, 'domains' => [
    'Plain.Example.com.', ['domain' => 'bücher.example', 'wildcard' => false], ['domain' => 'wild.example.com', 'wildcard' => 1],
    'xn--bcher-kva.example', ['name' => 'PLAIN.example.com'], 'not a name',
]]]);
$names = Closte\list_domain_names();
echo json_encode($names), "\n";
// The same form the bridge compares in: every valid listed name is its own normalize_domain().
foreach ($names as $n) {
    try {
        $form = Closte\normalize_domain($n) === $n ? 'canonical' : 'NOT canonical';
        echo $n, ' => ', $form, "\n";
    } catch (Closte\InvalidDomainException $e) {
        echo $n, " => kept as listed (not a domain name)\n";
    }
}
// One GET, as list_domains(); options are checked the same way.
echo count($emu->calls('getdomains')), "\n";
try {
    Closte\list_domain_names(['nope' => 1]);
} catch (ValueError $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
$emu->fault(['path' => 'getdomains', 'json' => ['success' => false, 'error' => 'Invalid API key']]);
try {
    Closte\list_domain_names();
} catch (Closte\ApiException $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECTF--
array(0) {
}
array(1) {
  [0]=>
  string(15) "one.example.com"
}
["plain.example.com","xn--bcher-kva.example","*.wild.example.com","not a name"]
plain.example.com => canonical
xn--bcher-kva.example => canonical
*.wild.example.com => canonical
not a name => kept as listed (not a domain name)
3
ValueError: %s
Closte\ApiException: %s
