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
// The network admin enabled Ultimate Multisite's built-in Closte integration (its wizard
// writes this option), as on a network that used it before installing the bridge.
// Written straight into wp_sitemeta: this script runs before MULTISITE is defined, when
// update_network_option() would write to wp_options instead.
$wpdb->insert($wpdb->sitemeta, ['site_id' => 1, 'meta_key' => 'wu_host_integrations_enabled', 'meta_value' => serialize(['closte' => true])]);
echo "installed\n";
