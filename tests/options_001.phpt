--TEST--
$options: unknown keys are ValueError, wrong types TypeError, out-of-range ValueError; valid options override INI
--EXTENSIONS--
closte
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
echo closte_throws(fn () => Closte\add_domain('a.example.com', ['retries' => 1])), "\n";
echo closte_throws(fn () => Closte\list_domains([5 => 1])), "\n";
echo closte_throws(fn () => Closte\add_domain('a.example.com', ['timeout' => '5'])), "\n";
echo closte_throws(fn () => Closte\add_domain('a.example.com', ['max_retries' => 1.5])), "\n";
echo closte_throws(fn () => Closte\add_domain('a.example.com', ['api_url' => 42])), "\n";
echo closte_throws(fn () => Closte\remove_domain('a.example.com', ['ca_file' => null])), "\n";
echo closte_throws(fn () => Closte\test_connection(['connect_timeout' => -1])), "\n";
echo closte_throws(fn () => Closte\test_connection(['max_retries' => 11])), "\n";
echo closte_throws(fn () => Closte\list_domains('x')), "\n";
var_dump(count($emu->requests()));

// A valid api_url option wins over the INI value for that call only.
$other = new ClosteEmulator([], $emu->key);
Closte\add_domain('b.example.com', ['api_url' => $other->api, 'timeout' => 5, 'connect_timeout' => 2.5, 'max_retries' => 0, 'ca_file' => '']);
var_dump(count($other->calls('adddomainalias')), count($emu->calls('adddomainalias')));
Closte\add_domain('c.example.com');
var_dump(count($other->calls('adddomainalias')), count($emu->calls('adddomainalias')));
?>
--EXPECT--
ValueError: Closte\add_domain(): Argument #2 ($options) has an unknown option "retries"; known options are: api_url, timeout, connect_timeout, max_retries, ca_file (code 0)
ValueError: Closte\list_domains(): Argument #1 ($options) must have string keys, found the key 5 (code 0)
TypeError: Closte\add_domain(): Argument #2 ($options): option "timeout" must be of type int|float, string given (code 0)
TypeError: Closte\add_domain(): Argument #2 ($options): option "max_retries" must be of type int, float given (code 0)
TypeError: Closte\add_domain(): Argument #2 ($options): option "api_url" must be of type string, int given (code 0)
TypeError: Closte\remove_domain(): Argument #2 ($options): option "ca_file" must be of type string, null given (code 0)
ValueError: Closte\test_connection(): Argument #1 ($options): option connect_timeout must be a number of seconds above 0 and at most 600, got -1 (code 0)
ValueError: Closte\test_connection(): Argument #1 ($options): option max_retries must be between 0 and 10, got 11 (code 0)
TypeError: Closte\list_domains(): Argument #1 ($options) must be of type array, string given (code 0)
int(0)
int(1)
int(0)
int(1)
int(1)
