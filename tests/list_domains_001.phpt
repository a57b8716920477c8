--TEST--
Closte\list_domains(): objects with unknown fields passed through, plain strings accepted
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
var_dump(Closte\list_domains());
Closte\add_domain('one.example.com');
$l = Closte\list_domains();
var_dump(count($l), $l[0]['domain'], $l[0]['wildcard'], $l[0]['ssl'], is_int($l[0]['created']));
$emu->fault(['path' => 'getdomains', 'json' => ['success' => true, 'domains' => [
    'plain.example.com', '*.wild.example.com', ['domain' => 'obj.example.com', 'wildcard' => 0, 'meta' => ['a' => [1, 2]]],
]]]);
var_dump(Closte\list_domains());
echo $emu->calls('getdomains')[0]['method'], "\n";
// An item keyed by `name` gives `domain`, and `name` is not repeated beside it.
$emu->fault(['path' => 'getdomains', 'json' => ['success' => true, 'domains' => [['name' => 'named.example.com', 'ssl' => 'active']]]]);
echo json_encode(Closte\list_domains()), "\n";
?>
--EXPECT--
array(0) {
}
int(1)
string(15) "one.example.com"
bool(false)
string(7) "pending"
bool(true)
array(3) {
  [0]=>
  array(2) {
    ["domain"]=>
    string(17) "plain.example.com"
    ["wildcard"]=>
    bool(false)
  }
  [1]=>
  array(2) {
    ["domain"]=>
    string(18) "*.wild.example.com"
    ["wildcard"]=>
    bool(true)
  }
  [2]=>
  array(3) {
    ["domain"]=>
    string(15) "obj.example.com"
    ["wildcard"]=>
    bool(false)
    ["meta"]=>
    array(1) {
      ["a"]=>
      array(2) {
        [0]=>
        int(1)
        [1]=>
        int(2)
      }
    }
  }
}
GET
[{"domain":"named.example.com","wildcard":false,"ssl":"active"}]
