<?php
/*
 * The mu-plugin without what it needs: first without the extension, then (second run,
 * CLOSTE_WP_MODE=nokey) without the key constant. Nothing breaks, network admins see one
 * notice saying what is missing, and the plugin's own integration keeps working.
 */

require __DIR__ . '/../server.inc';
require __DIR__ . '/harness.inc';

$mode = getenv('CLOSTE_WP_MODE') ?: 'noext';
$emu = new ClosteEmulator();
if ($mode === 'noext') {
    putenv('CLOSTE_WP_KEY=' . $emu->key);
}
define('CLOSTE_DOUBLE_API_URL', $emu->api);
require __DIR__ . '/bootstrap.php';
$t = new Harness();

$t->same("$mode: extension loaded as expected", $mode !== 'noext', extension_loaded('closte'));
$t->check("$mode: WordPress loaded, the bridge stands down", class_exists('Closte_Native') && Closte_Native::missing() !== null);

wp_set_current_user(1); // the network's super admin
ob_start();
do_action('network_admin_notices');
$notices = ob_get_clean();
$expected = $mode === 'noext' ? 'the closte PHP extension is not loaded' : 'the constant CLOSTE_CLIENT_API_KEY is not defined';
$t->check("$mode: one notice for network admins saying what is missing", substr_count($notices, 'Closte (native)') === 1 && str_contains($notices, $expected), $notices);
wp_set_current_user(0);
ob_start();
do_action('network_admin_notices');
$t->same("$mode: no notice for others", '', ob_get_clean());

if ($mode === 'noext') {
    // The plugin's own integration keeps working.
    \WP_Ultimo\Integrations\Host_Providers\Closte_Host_Provider::get_instance()->register_hooks();
    do_action('wu_add_domain', 'fallback.example.com', 2);
    $t->same("$mode: the built-in integration still sends the domain", ['fallback.example.com'], array_column(array_map(fn ($c) => $c['form'], $emu->calls('adddomainalias')), 'domain'));
} else {
    do_action('wu_add_domain', 'nokey.example.com', 2);
    $t->same("$mode: the bridge sends nothing", 0, count($emu->requests()));
}
$t->finish();
