<?php
/*
 * Loads Debian's WordPress core against the test's own MariaDB, as a multisite (or, with
 * CLOSTE_WP_INSTALLING, bare, for the installer). Plays the role of wp-config.php.
 */

define('DB_NAME', 'wordpress');
define('DB_USER', 'wp');
define('DB_PASSWORD', 'wp');
define('DB_HOST', 'localhost:' . getenv('CLOSTE_WP_DB_SOCKET'));
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_CONTENT_DIR', getenv('CLOSTE_WP_CONTENT'));
define('WP_CONTENT_URL', 'http://example.test/wp-content');
define('WP_DEBUG', false); // WordPress 6.1 (Debian 12) raises deprecations under PHP 8.2; warnings still count
define('WP_DEBUG_DISPLAY', false);
define('DISABLE_WP_CRON', true); // the tests run scheduled events themselves
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_ACCESSIBLE_HOSTS', '127.0.0.1');
$table_prefix = 'wp_';

if (PHP_SAPI === 'cli') { // under php-fpm (the browser test) the request says all this
    $_SERVER['HTTP_HOST'] = 'example.test';
    $_SERVER['SERVER_NAME'] = 'example.test';
    $_SERVER['REQUEST_URI'] = '/';
    $_SERVER['SERVER_PORT'] = 80;
    $_SERVER['REQUEST_METHOD'] = 'GET';
    $_SERVER['REMOTE_ADDR'] = '127.0.0.1';
}

if (getenv('CLOSTE_WP_INSTALLING')) {
    define('WP_INSTALLING', true);
} else {
    define('MULTISITE', true);
    define('SUBDOMAIN_INSTALL', (bool) getenv('CLOSTE_WP_SUBDOMAIN')); // tests/wordpress/ledger.php: a subdomain install
    define('DOMAIN_CURRENT_SITE', 'example.test');
    define('PATH_CURRENT_SITE', '/');
    define('SITE_ID_CURRENT_SITE', 1);
    define('BLOG_ID_CURRENT_SITE', 1);
}
if (getenv('CLOSTE_WP_PUBLIC_IP') !== false) {
    define('CLOSTE_PUBLIC_IP_ADDRESS', getenv('CLOSTE_WP_PUBLIC_IP')); // Closte's wp-config.php defines it
}
if (getenv('CLOSTE_WP_KEY') !== false) {
    define('CLOSTE_CLIENT_API_KEY', getenv('CLOSTE_WP_KEY'));
}
// Under php-fpm, ABSPATH is already the test's document root (see scripts/test-wordpress.sh).
defined('ABSPATH') || define('ABSPATH', rtrim(getenv('CLOSTE_WP_CORE') ?: '/usr/share/wordpress', '/') . '/');
require ABSPATH . 'wp-settings.php';

if (!function_exists('closte_test_forget')) {
    /** A scenario's clean start: every check forgotten (the status table's rows and the runs). Test-only, so not in the plugin. */
    function closte_test_forget(): void
    {
        (new Closte_Native_Status_Table())->clear();
    }

    /** The watcher's memory forgotten: its last tick and the domains it followed. */
    function closte_test_forget_watcher(): void
    {
        delete_network_option(null, Closte_Native_Watcher::STATE_OPTION);
        (new Closte_Native_Watched())->replace([]);
    }

    /** A name's retry in flight forgotten (its record; the scheduled action is the caller's). */
    function closte_test_forget_retry(string $name): void
    {
        global $wpdb;
        $wpdb->delete((new Closte_Native_Wanted())->name(), ['name' => Closte_Native_Name::key($name)]);
    }
}
