<?php
/**
 * What the bridge needs to work (the extension, recent enough, and the key), in words for
 * a network admin, and the notice that says so. Without them the bridge stands down and
 * Ultimate Multisite's own Closte integration keeps working.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Requirements
{
    /**
     * The one capability of the bridge's faces: who sees its console, its notices and banners,
     * and may act (every console action, the connection test). Network admins have it.
     */
    const CAPABILITY = 'manage_network_options';

    /** What keeps the bridge from working, in words for a network admin; null when nothing. */
    public static function missing(): ?string
    {
        if (!extension_loaded('closte')) {
            return 'the closte PHP extension is not loaded. Install it (make install in the closte project) and add extension=closte.so to php.ini, then restart PHP-FPM.';
        }
        if (!function_exists('Closte\\list_domain_names') || !function_exists('Closte\\normalize_domain') || !method_exists('Closte\\Exception', 'isRetryable')) {
            return 'the loaded closte PHP extension is older than this plugin (it lacks Closte\\list_domain_names(), Closte\\normalize_domain() or Closte\\Exception::isRetryable()). Install the closte extension from the same release (make install), then restart PHP-FPM.';
        }
        if (!defined('CLOSTE_CLIENT_API_KEY') || !is_string(CLOSTE_CLIENT_API_KEY) || CLOSTE_CLIENT_API_KEY === '') {
            return "the constant CLOSTE_CLIENT_API_KEY is not defined. Add define('CLOSTE_CLIENT_API_KEY', '…'); to wp-config.php (Closte's dashboard shows the key).";
        }
        return null;
    }

    public static function notice(string $missing): void
    {
        if (!current_user_can(self::CAPABILITY)) {
            return;
        }
        printf(
            '<div class="notice notice-warning"><p><strong>Closte (native)</strong> is inactive: %s Domain mapping falls back to Ultimate Multisite\'s own Closte integration.</p></div>',
            esc_html($missing)
        );
    }
}
