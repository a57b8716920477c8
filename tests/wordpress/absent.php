<?php
/*
 * The mu-plugin without what it needs: first without the extension, then (second run,
 * CLOSTE_WP_MODE=nokey) without the key constant, then (CLOSTE_WP_MODE=old) with an
 * extension older than the plugin (its Closte\list_domain_names() disabled by php.ini). Nothing breaks, network admins see one
 * notice saying what is missing, the console page is there and says it too, and the
 * plugin's own integration keeps working.
 */

require __DIR__ . '/scenario.inc';

$mode = getenv('CLOSTE_WP_MODE') ?: 'noext';
[$t, $emu] = Scenario::start(['key' => $mode !== 'nokey', 'api_url' => false]);

$t->same("$mode: extension loaded as expected", $mode !== 'noext', extension_loaded('closte'));
$t->check("$mode: WordPress loaded, the bridge stands down", class_exists('Closte_Native') && Closte_Native_Requirements::missing() !== null);

wp_set_current_user(1); // the network's super admin
ob_start();
do_action('network_admin_notices');
$notices = ob_get_clean();
$expected = ['noext' => 'the closte PHP extension is not loaded', 'nokey' => 'the constant CLOSTE_CLIENT_API_KEY is not defined',
    'old' => 'the loaded closte PHP extension is older than this plugin'][$mode];
$t->check("$mode: one notice for network admins saying what is missing", substr_count($notices, 'Closte (native)') === 1 && str_contains($notices, $expected), $notices);

// The console page still exists (not "Sorry, you are not allowed to access this page.")
// and says what is missing; its actions do nothing and say why.
require_once ABSPATH . 'wp-admin/includes/plugin.php';
do_action('network_admin_menu');
global $submenu;
$t->check("$mode: the console is in the network menu", in_array('closte-native', array_column($submenu['wp-ultimo'] ?? [], 2), true), json_encode($submenu));
$page = $t->console_page();
$t->check("$mode: the console page says what is missing", str_contains($page, 'Closte (native) is inactive:') && str_contains($page, esc_html($expected)), $page);
$r = $t->action('sync');
$t->check("$mode: an action does nothing and says what is missing", ($r['notice']['type'] ?? '') === 'error'
    && str_contains($r['notice']['message'], 'Nothing done: ' . $expected) && $emu->requests() === [], json_encode($r));
$t->same("$mode: an action by GET is refused", 405, $t->action('refresh', [], 'GET')['status']);

wp_set_current_user(0);
ob_start();
do_action('network_admin_notices');
$t->same("$mode: no notice for others", '', ob_get_clean());

// The built-in integration's requests, counted where WordPress sends them.
$builtin = [];
add_filter('pre_http_request', function ($pre, $args, $url) use (&$builtin) {
    if (str_starts_with($url, 'https://app.closte.com/')) {
        $builtin[] = [substr($url, strlen('https://app.closte.com/api/client')), $args['body']['domain'] ?? null];
        return ['headers' => [], 'body' => '{"success":true}', 'response' => ['code' => 200, 'message' => 'OK'], 'cookies' => []];
    }
    return $pre;
}, 10, 3);
update_network_option(null, 'wp-ultimo_v2_settings', ['auto_create_www_subdomain' => 'never']);
do_action_ref_array('wu_add_domain', array_values(['domain' => "$mode.example.com", 'site_id' => 2]));
$t->same("$mode: the bridge sends nothing", 0, count($emu->requests()));
if ($mode !== 'nokey') {
    // The plugin's own integration (enabled on this network, its key defined) keeps working.
    $t->same("$mode: the built-in integration still sends the domain", ['/adddomainalias', "$mode.example.com"], $builtin[0] ?? null);
} else {
    // Without the key the plugin itself leaves its integration unhooked.
    $t->same("$mode: the built-in integration, not set up, sends nothing either", [], $builtin);
}
$t->finish();
