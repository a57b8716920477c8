--TEST--
A refusal the confirming read contradicts (another client changed the alias meanwhile) is settled by re-sending, not reported
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$from = 0; // the requests before this index belong to an earlier step
$log = function () use ($emu, &$from) {
    return implode(' ', array_map(fn ($r) => $r['method'] . ' ' . $r['path'], array_slice($emu->requests(), $from)));
};

// The add is refused as "exists" (another process had added it), but by the time of the
// read that process removed it again: the add is sent once more and lands.
$emu->fault(['path' => 'adddomainalias', 'json' => ['success' => false, 'error' => 'Domain alias already exists']]);
$r = Closte\add_domain('race.example.com');
echo $r['status'], ' after ', $r['attempts'], " requests\n", $log(), "\n";
var_dump(array_column(Closte\list_domains(), 'domain') === ['race.example.com']);

// The same for a remove refused as "not found" while the alias is there.
$emu->reset();
Closte\add_domain('race.example.com');
$from = count($emu->requests());
$emu->fault(['path' => 'deletedomainalias', 'json' => ['success' => false, 'error' => 'Domain alias not found']]);
$r = Closte\remove_domain('race.example.com');
echo $r['status'], ' after ', $r['attempts'], " requests\n", $log(), "\n";
var_dump(Closte\list_domains() === []);

// A refusal that stands, with the same reading, through three re-sends is Closte's real answer.
$from = count($emu->requests());
$emu->fault(['path' => 'adddomainalias', 'json' => ['success' => false, 'error' => 'Quota exceeded'], 'count' => 5]);
echo closte_throws(fn () => Closte\add_domain('full.example.com')), "\n", $log(), "\n";
?>
--EXPECT--
added after 2 requests
POST /adddomainalias GET /getdomains POST /adddomainalias
bool(true)
removed after 2 requests
POST /deletedomainalias GET /getdomains POST /deletedomainalias
bool(true)
Closte\ApiException: Quota exceeded (code 200)
POST /adddomainalias GET /getdomains POST /adddomainalias GET /getdomains POST /adddomainalias GET /getdomains POST /adddomainalias GET /getdomains
