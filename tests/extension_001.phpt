--TEST--
closte is loaded, reports the crate version, and registers its functions and classes
--EXTENSIONS--
closte
--FILE--
<?php
preg_match('/^version = "([^"]+)"/m', file_get_contents(__DIR__ . '/../Cargo.toml'), $m);
var_dump(extension_loaded('closte'), phpversion('closte') === $m[1]);
foreach (['add_domain', 'remove_domain', 'list_domains', 'test_connection'] as $f) {
    echo $f, ': ', function_exists("Closte\\$f") ? 'yes' : 'no', "\n";
}
foreach (['Exception', 'ConfigException', 'InvalidDomainException', 'ApiException', 'TransportException'] as $c) {
    $class = "Closte\\$c";
    echo $c, ' extends ', get_parent_class($class), "\n";
}
var_dump(is_subclass_of('Closte\ApiException', 'RuntimeException'));
?>
--EXPECT--
bool(true)
bool(true)
add_domain: yes
remove_domain: yes
list_domains: yes
test_connection: yes
Exception extends RuntimeException
ConfigException extends Closte\Exception
InvalidDomainException extends Closte\Exception
ApiException extends Closte\Exception
TransportException extends Closte\Exception
bool(true)
