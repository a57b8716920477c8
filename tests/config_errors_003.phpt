--TEST--
A CLOSTE_CLIENT_API_KEY that is not a string is a Closte\ConfigException
--EXTENSIONS--
closte
--FILE--
<?php
define('CLOSTE_CLIENT_API_KEY', 12345);
try { Closte\test_connection(); } catch (Closte\ConfigException $e) { echo $e->getMessage(), "\n"; }
?>
--EXPECT--
CLOSTE_CLIENT_API_KEY must be a string
