<?php
/*
 * What `make demo` runs: every function of the closte extension against the local Closte
 * emulator. In WordPress, CLOSTE_CLIENT_API_KEY comes from wp-config.php and
 * closte.api_url keeps its default (Closte's real API).
 */
define('CLOSTE_CLIENT_API_KEY', getenv('CLOSTE_DEMO_KEY'));
ini_set('closte.api_url', getenv('CLOSTE_DEMO_URL'));

function show(string $what, callable $call): void
{
    echo str_pad($what, 44), ' ';
    try {
        $r = $call();
        echo json_encode($r, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
    } catch (Closte\Exception $e) {
        echo get_class($e), ': ', $e->getMessage(), "\n";
    }
}

echo 'closte ', phpversion('closte'), "\n\n";
show('test_connection()', fn () => Closte\test_connection());
show("add_domain('Shop.Example.com')", fn () => Closte\add_domain('Shop.Example.com'));
show("add_domain('shop.example.com') again", fn () => Closte\add_domain('shop.example.com'));
show("add_domain('*.customer.example')", fn () => Closte\add_domain('*.customer.example'));
show("add_domain('bücher.example')", fn () => Closte\add_domain('bücher.example'));
show('list_domains()', fn () => array_column(Closte\list_domains(), 'domain'));
show("remove_domain('shop.example.com')", fn () => Closte\remove_domain('shop.example.com'));
show("remove_domain('shop.example.com') again", fn () => Closte\remove_domain('shop.example.com'));
show("add_domain('https://shop.example.com/')", fn () => Closte\add_domain('https://shop.example.com/'));
show('test_connection() with a wrong URL', fn () => Closte\test_connection(['api_url' => 'http://127.0.0.1:1/api/client', 'max_retries' => 0]));
