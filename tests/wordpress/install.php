<?php
/* Installs WordPress into the empty database and turns it into a multisite network. */
require __DIR__ . '/bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/network.php';

$r = wp_install('Closte test network', 'admin', 'admin@example.test', true, '', 'password');
if (empty($r['user_id'])) {
    fwrite(STDERR, "wp_install failed\n");
    exit(1);
}
foreach ($wpdb->tables('ms_global') as $table => $prefixed) {
    $wpdb->$table = $prefixed;
}
install_network();
$result = populate_network(1, 'example.test', 'admin@example.test', 'Closte test network', '/', false);
if (is_wp_error($result)) {
    fwrite(STDERR, 'populate_network: ' . $result->get_error_message() . "\n");
    exit(1);
}
echo "installed\n";
