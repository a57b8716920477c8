<?php
/**
 * Plugin Name: Closte (native)
 * Description: Registers Ultimate Multisite's mapped domains as Closte domain aliases through the `closte` PHP extension, retries what Closte could not take, checks DNS against Closte's IP, explains certificate checks, and lets waiting domains advance as soon as DNS or their certificate is ready.
 * Version: 0.4.0
 * Network: true
 *
 * A must-use plugin: copy it to wp-content/mu-plugins/ (`make install-wordpress WP=...`).
 * Without the extension or the CLOSTE_CLIENT_API_KEY constant it does nothing but tell
 * network admins what is missing, and the multisite plugin's own integration keeps working.
 *
 * This file only loads the classes and wires their hooks; each concern has its own class
 * under closte-native/. Matched against Ultimate Multisite 2.4.10 (and 2.3.x, whose
 * host-provider classes declare no return types).
 */

defined('ABSPATH') || exit;

require_once __DIR__ . '/closte-native/class-closte-native-name.php';
require_once __DIR__ . '/closte-native/class-closte-native-events.php';
require_once __DIR__ . '/closte-native/class-closte-native-ssl-stage.php';
require_once __DIR__ . '/closte-native/class-closte-native-dns-stage.php';
require_once __DIR__ . '/closte-native/class-closte-native-inventory.php';
require_once __DIR__ . '/closte-native/class-closte-native-ledger.php';
require_once __DIR__ . '/closte-native/class-closte-native-queue.php';
require_once __DIR__ . '/closte-native/class-closte-native-status-table.php';
require_once __DIR__ . '/closte-native/class-closte-native-runs.php';
require_once __DIR__ . '/closte-native/class-closte-native-status.php';
require_once __DIR__ . '/closte-native/class-closte-native-refresh.php';
require_once __DIR__ . '/closte-native/class-closte-native-console.php';
require_once __DIR__ . '/closte-native/class-closte-native-reconcile.php';
require_once __DIR__ . '/closte-native/class-closte-native-watcher.php';
require_once __DIR__ . '/closte-native/class-closte-native-provider-guard.php';
require_once __DIR__ . '/closte-native/class-closte-native-um-events.php';

final class Closte_Native
{
    const LOG_HANDLE = 'integration-closte';

    public static function boot(): void
    {
        // Built once, passed in: the status table, the queued refresh, the console.
        $table = new Closte_Native_Status_Table();
        $refresh = new Closte_Native_Refresh($table);
        // The console exists either way: without the extension or the key it says what is missing.
        $console = new Closte_Native_Console($table, $refresh);
        add_action('network_admin_menu', [$console, 'menu'], 20); // after Ultimate Multisite's own menu (10)
        foreach (Closte_Native_Console::ACTIONS as $action) {
            add_action("admin_post_closte_native_$action", [$console, "do_$action"]);
        }
        add_action('wp_ajax_' . Closte_Native_Console::PROGRESS_ACTION, [$console, 'progress']);
        add_filter('set-screen-option', [Closte_Native_Console::class, 'save_per_page'], 10, 3);
        add_filter('set_screen_option_' . Closte_Native_Console::PER_PAGE_OPTION, [Closte_Native_Console::class, 'save_per_page'], 10, 3);
        $missing = self::missing();
        if ($missing !== null) {
            add_action('network_admin_notices', function () use ($missing) {
                self::notice($missing);
            });
            return; // the multisite plugin's own integration keeps working
        }
        $events = new Closte_Native_Events();
        foreach (Closte_Native_Events::DOMAIN_HOOKS as $hook) {
            // First on the hook: other Closte integrations are taken off before they run.
            add_action($hook, [$events, 'take_over'], PHP_INT_MIN, 0);
        }
        add_action('wu_add_domain', [$events, 'on_add_domain'], 10, 2);
        add_action('wu_remove_domain', [$events, 'on_remove_domain'], 10, 2);
        // wu_add_subdomain / wu_remove_subdomain get no handler: Closte serves the
        // network's own subdomains. take_over() still clears them of other integrations.
        add_action(Closte_Native_Events::RETRY_HOOK, [$events, 'on_retry'], 10, 4);
        add_filter('wu_async_process_domain_stage_max_tries', [new Closte_Native_Ssl_Stage(), 'max_tries'], 10, 2);
        $dns = new Closte_Native_Dns_Stage();
        add_filter('wu_get_network_public_ip', [$dns, 'network_public_ip'], 10, 2);
        add_filter('wu_domain_has_correct_dns', [$dns, 'has_correct_dns'], 10, 3);

        $refresh->register();
        $reconcile = new Closte_Native_Reconcile();
        add_action('init', [$reconcile, 'schedule']);
        add_action(Closte_Native_Reconcile::HOOK, [$reconcile, 'run']);
        add_action('network_admin_notices', [$reconcile, 'notice']);

        // The watcher: waiting domains advance as soon as DNS or the certificate is ready.
        (new Closte_Native_Watcher())->register();
        (new Closte_Native_Um_Events($table))->register(); // closte_domain_live / _attention in Ultimate Multisite's events

        $guard = new Closte_Native_Provider_Guard();
        add_action('wp_ultimo_host_providers_load', [$guard, 'register'], 20);
        // Before Domain_Manager::test_integration (priority 10): the wizard's test of the
        // built-in "closte" integration would log the key's first characters.
        add_action('wp_ajax_wu_test_hosting_integration', [$guard, 'take_over_connection_test'], 5);
    }

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

    private static function notice(string $missing): void
    {
        if (!current_user_can('manage_network')) {
            return;
        }
        printf(
            '<div class="notice notice-warning"><p><strong>Closte (native)</strong> is inactive: %s Domain mapping falls back to Ultimate Multisite\'s own Closte integration.</p></div>',
            esc_html($missing)
        );
    }

    /**
     * An error for a network admin: what happened, in the extension's words (no class
     * names), and what to do next.
     */
    public static function explain(Throwable $e): string
    {
        $message = rtrim(trim($e->getMessage()), '.');
        if ($e instanceof Closte\ConfigException) {
            if (str_contains($message, 'wp-config.php')) {
                $next = ''; // the message says where already
            } elseif (str_contains($message, 'CLOSTE_CLIENT_API_KEY') || str_contains($message, 'CLOSTE_PUBLIC_IP_ADDRESS')) {
                $next = __('Fix that constant in wp-config.php.', 'closte-native');
            } else {
                $next = __('Fix that setting of the closte extension (php.ini or its file in conf.d, see ini_get_all(\'closte\')) and reload PHP-FPM.', 'closte-native');
            }
            return rtrim(sprintf(__('Configuration problem: %1$s. %2$s', 'closte-native'), $message, $next));
        }
        if ($e instanceof Closte\ApiException) {
            if (stripos($message, 'api key') !== false || $e->getCode() === 401) {
                return sprintf(__('Closte refused the API key (%s). Check CLOSTE_CLIENT_API_KEY in wp-config.php: it must be the key Closte\'s dashboard shows.', 'closte-native'), $message);
            }
            if ($e->isRetryable()) {
                return sprintf(__('Closte could not take the request now (%s). Try again in a few minutes.', 'closte-native'), $message);
            }
            return sprintf(__('Closte refused: %s.', 'closte-native'), $message);
        }
        if ($e instanceof Closte\TransportException) {
            return $e->isRetryable()
                ? sprintf(__('Closte could not be reached (%s). Try again in a few minutes; if it keeps failing, check that this server can reach closte.api_url over HTTPS.', 'closte-native'), $message)
                : sprintf(__('Closte could not be reached (%s). This will not pass by itself: check closte.api_url and closte.ca_file.', 'closte-native'), $message);
        }
        if ($e instanceof Closte\InvalidDomainException) {
            return sprintf(__('%s. Correct the name in its domain record.', 'closte-native'), $message);
        }
        return $message . '.';
    }

    /** Whether the extension says retrying can help, and its reason (logged with every retry decision). */
    public static function retryable(Throwable $e): array
    {
        if ($e instanceof Closte\Exception) {
            return [$e->isRetryable(), $e->getRetryReason()];
        }
        if ($e instanceof Closte_Native_Busy) {
            return [true, 'busy: another process is sending the same name'];
        }
        if ($e instanceof Closte_Native_Walk_Error) {
            return [true, 'database: the domain records could not be read'];
        }
        return [false, 'not an error of the closte extension'];
    }

    public static function log(string $message): void
    {
        if (function_exists('wu_log_add')) {
            wu_log_add(self::LOG_HANDLE, $message);
        } else {
            error_log('closte-native: ' . $message);
        }
    }

    /** The domain's own log in Ultimate Multisite, where the admin looks for its progress. */
    public static function domain_log(string $name, string $message): void
    {
        function_exists('wu_log_add') ? wu_log_add("domain-$name", $message) : self::log("$name: $message");
    }

    /**
     * The wizard's "Test connection": one read-only call that proves the key works, answered
     * as JSON. wp_send_json_*() ends the request, so it is called outside the try.
     */
    public static function send_connection_test(): void
    {
        try {
            $r = Closte\test_connection();
        } catch (Throwable $e) {
            wp_send_json_error(['message' => self::explain($e)]);
            return;
        }
        wp_send_json_success([
            'message' => sprintf('Connected to Closte: %d domain aliases (%.0f ms).', $r['domains'], $r['elapsed_ms']),
            'domains' => $r['domains'],
        ]);
    }
}

Closte_Native::boot();

// `wp closte …`: loaded only when WP-CLI runs (nothing on web requests). Outside boot(),
// which returns early without the extension or the key: the commands then say so.
if (defined('WP_CLI') && WP_CLI) {
    require_once __DIR__ . '/closte-native/class-closte-native-cli.php';
    Closte_Native_CLI::register();
}
