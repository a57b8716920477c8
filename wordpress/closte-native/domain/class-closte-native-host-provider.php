<?php
/**
 * "Closte (native)" in Ultimate Multisite's integration wizard. Declared only after
 * Closte_Native_Provider_Guard has checked the plugin's classes (see its METHODS table,
 * which must list every method declared here). Domain events are not handled here: the
 * bridge owns the hooks whether or not the wizard enabled this provider, so the provider's
 * own callbacks stay empty and nothing is sent twice.
 *
 * Signatures follow Ultimate Multisite 2.4.10; a return type is declared only where the
 * parent declares one, which keeps the class compatible with 2.3.x too.
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

    public function get_description()
    {
        return __('Registers mapped domains as Closte domain aliases through the closte PHP extension: pooled HTTPS, retries, exact certificate checks.', 'closte-native');
    }

    /** The wizard's "Test connection": a read-only call that proves the key works. */
    public function test_connection(): void
    {
        Closte_Native_Provider_Guard::send_connection_test();
    }

    public function on_add_domain($domain, $site_id): void
    {
    }

    public function on_remove_domain($domain, $site_id): void
    {
    }

    public function on_add_subdomain($subdomain, $site_id)
    {
    }

    public function on_remove_subdomain($subdomain, $site_id)
    {
    }
}
