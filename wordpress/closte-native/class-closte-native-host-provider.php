<?php
/**
 * "Closte (native)" in Ultimate Multisite's integration wizard. Loaded only when the
 * plugin's Base_Host_Provider exists. Domain events are not handled here: the bridge
 * (closte-native.php) owns the hooks whether or not the wizard enabled this provider,
 * so the provider's own callbacks stay empty and nothing is sent twice.
 */

defined('ABSPATH') || exit;

class Closte_Native_Host_Provider extends \WP_Ultimo\Integrations\Host_Providers\Base_Host_Provider
{
    use \WP_Ultimo\Traits\Singleton;

    protected $id = 'closte-native';
    protected $title = 'Closte (native)';
    protected $tutorial_link = 'https://closte.com/support';
    protected $supports = ['autossl', 'no-instructions', 'no-config'];
    protected $constants = ['CLOSTE_CLIENT_API_KEY'];

    public function detect()
    {
        return defined('CLOSTE_CLIENT_API_KEY') && extension_loaded('closte');
    }

    public function get_fields()
    {
        return [];
    }

    public function get_description()
    {
        return __('Registers mapped domains as Closte domain aliases through the closte PHP extension: pooled HTTPS, retries, exact certificate checks.', 'closte-native');
    }

    public function get_logo()
    {
        return '';
    }

    /** The wizard's "Test connection": a read-only call that proves the key works. */
    public function test_connection()
    {
        try {
            $r = Closte\test_connection();
        } catch (Throwable $e) {
            wp_send_json_error(['message' => get_class($e) . ': ' . $e->getMessage()]);
            return;
        }
        // Outside the try: wp_send_json_*() ends the request by dying, which must not be caught.
        wp_send_json_success([
            'message' => sprintf('Connected to Closte: %d domain aliases (%.0f ms).', $r['domains'], $r['elapsed_ms']),
            'domains' => $r['domains'],
        ]);
    }

    public function on_add_domain($domain, $site_id)
    {
    }

    public function on_remove_domain($domain, $site_id)
    {
    }

    public function on_add_subdomain($subdomain, $site_id)
    {
    }

    public function on_remove_subdomain($subdomain, $site_id)
    {
    }
}
