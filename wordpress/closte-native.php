<?php
/**
 * Plugin Name: Closte (native)
 * Description: Registers Ultimate Multisite's mapped domains as Closte domain aliases through the `closte` PHP extension, retries what Closte could not take, and explains certificate checks.
 * Version: 0.1.0
 * Network: true
 *
 * A must-use plugin: copy it to wp-content/mu-plugins/ (`make install-wordpress WP=...`).
 * Without the extension or the CLOSTE_CLIENT_API_KEY constant it does nothing but tell
 * network admins what is missing, and the multisite plugin's own integration keeps working.
 */

defined('ABSPATH') || exit;

final class Closte_Native
{
    /** Attempts for one domain event, the first included, before giving up. */
    const MAX_ATTEMPTS = 8;
    /** First retry delay in seconds; doubles each time, capped at RETRY_CAP. */
    const RETRY_BASE = 60;
    const RETRY_CAP = 3600;
    const RETRY_HOOK = 'closte_native_retry';
    const LOG_HANDLE = 'integration-closte';
    /** The stage during which Closte is issuing the certificate, and how patient to be. */
    const SSL_STAGE = 'checking-ssl-cert';
    const SSL_MAX_TRIES = 20;

    /** @var string[] hooks the bridge owns */
    const DOMAIN_HOOKS = ['wu_add_domain', 'wu_remove_domain', 'wu_add_subdomain', 'wu_remove_subdomain'];

    public static function boot(): void
    {
        $missing = self::missing();
        if ($missing !== null) {
            add_action('network_admin_notices', function () use ($missing) {
                self::notice($missing);
            });
            return; // the multisite plugin's own integration keeps working
        }
        foreach (self::DOMAIN_HOOKS as $hook) {
            // First on the hook: other Closte integrations are taken off before they run.
            add_action($hook, [self::class, 'take_over'], PHP_INT_MIN, 0);
        }
        add_action('wu_add_domain', [self::class, 'on_add_domain'], 10, 2);
        add_action('wu_remove_domain', [self::class, 'on_remove_domain'], 10, 2);
        // wu_add_subdomain / wu_remove_subdomain get no handler: Closte serves the
        // network's own subdomains. take_over() still clears them of other integrations.
        add_action(self::RETRY_HOOK, [self::class, 'on_retry'], 10, 3);
        add_filter('wu_async_process_domain_stage_max_tries', [self::class, 'ssl_stage'], 10, 2);
        add_action('wp_ultimo_host_providers_load', [self::class, 'register_provider'], 20);
    }

    /** What keeps the bridge from working, in words for a network admin; null when nothing. */
    public static function missing(): ?string
    {
        if (!extension_loaded('closte')) {
            return 'the closte PHP extension is not loaded. Install it (make install in the closte project) and add extension=closte.so to php.ini, then restart PHP-FPM.';
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

    public static function log(string $message): void
    {
        if (function_exists('wu_log_add')) {
            wu_log_add(self::LOG_HANDLE, $message);
        } else {
            error_log('closte-native: ' . $message);
        }
    }

    /**
     * Removes any other Closte integration from the domain hooks (Ultimate Multisite's
     * built-in provider or its capability module), so each domain is sent exactly once
     * and no guessed SSL requests go out.
     */
    public static function take_over(): void
    {
        global $wp_filter;
        foreach (self::DOMAIN_HOOKS as $hook) {
            if (!isset($wp_filter[$hook])) {
                continue;
            }
            foreach ($wp_filter[$hook]->callbacks as $priority => $callbacks) {
                foreach ($callbacks as $entry) {
                    $fn = $entry['function'];
                    $owner = is_array($fn) ? (is_object($fn[0]) ? get_class($fn[0]) : (string) $fn[0]) : '';
                    if ($owner !== '' && $owner !== self::class && $owner !== 'Closte_Native_Host_Provider'
                        && stripos($owner, 'closte') !== false) {
                        remove_action($hook, $fn, $priority);
                        self::log("took over $hook from $owner: closte-native sends this event");
                    }
                }
            }
        }
    }

    public static function on_add_domain($domain, $site_id = 0): void
    {
        self::run('add', (string) $domain, 1);
    }

    public static function on_remove_domain($domain, $site_id = 0): void
    {
        self::run('remove', (string) $domain, 1);
    }

    public static function on_retry($op, $domain, $attempt): void
    {
        self::run((string) $op, (string) $domain, (int) $attempt);
    }

    /** The names one event covers: the domain, and its www. twin when the network creates one. */
    public static function names(string $domain): array
    {
        $names = [$domain];
        $manager = '\\WP_Ultimo\\Managers\\Domain_Manager';
        if (strncmp($domain, 'www.', 4) !== 0 && strncmp($domain, '*.', 2) !== 0
            && class_exists($manager) && method_exists($manager, 'get_instance')) {
            $instance = $manager::get_instance();
            if (method_exists($instance, 'should_create_www_subdomain') && $instance->should_create_www_subdomain($domain)) {
                $names[] = "www.$domain";
            }
        }
        return $names;
    }

    /**
     * Names with a retry pending, and the operation the network wants for each now. A retry
     * that no longer matches (the domain was unmapped while its add waited) is dropped.
     */
    const PENDING_OPTION = 'closte_native_pending';

    private static function pending(): array
    {
        return (array) get_network_option(null, self::PENDING_OPTION, []);
    }

    private static function set_pending(string $name, ?string $op): void
    {
        $pending = self::pending();
        if ($op === null) {
            unset($pending[$name]);
        } else {
            $pending[$name] = $op;
        }
        update_network_option(null, self::PENDING_OPTION, $pending);
    }

    /** One add/remove for every name of the event; a transient failure is rescheduled. */
    public static function run(string $op, string $domain, int $attempt): void
    {
        $failed = [];
        foreach (self::names($domain) as $name) {
            $wanted = self::pending()[$name] ?? null;
            if ($attempt > 1 && $wanted !== null && $wanted !== $op) {
                self::log("$op $name: retry dropped, superseded by a later $wanted");
                self::set_pending($name, null);
                continue;
            }
            if ($attempt === 1 && $wanted !== null) {
                self::set_pending($name, $op); // the latest event is what the network wants now
            } elseif ($attempt > 1 && $wanted === $op) {
                self::set_pending($name, null); // this retry carries it; rescheduling sets it again
            }
            try {
                $r = $op === 'add' ? Closte\add_domain($name) : Closte\remove_domain($name);
                self::log(sprintf('%s %s: %s (attempt %d, %d request%s, %.0f ms)', $op, $r['domain'], $r['status'],
                    $attempt, $r['attempts'], $r['attempts'] === 1 ? '' : 's', $r['elapsed_ms']));
            } catch (Throwable $e) {
                if (self::is_transient($e)) {
                    $failed[] = $name;
                    self::log(sprintf('%s %s failed (attempt %d of %d): %s', $op, $name, $attempt, self::MAX_ATTEMPTS, $e->getMessage()));
                } else {
                    self::log(sprintf('%s %s failed for good, not retried: %s: %s', $op, $name, get_class($e), $e->getMessage()));
                }
            }
        }
        foreach ($failed as $name) {
            self::reschedule($op, $name, $attempt);
        }
    }

    /** Closte unreachable, timed out, rate-limited or failing on its side: worth another try. */
    public static function is_transient(Throwable $e): bool
    {
        if ($e instanceof Closte\TransportException) {
            return true;
        }
        if ($e instanceof Closte\ApiException) {
            $code = $e->getCode();
            return $code === 408 || $code === 429 || $code >= 500;
        }
        return false;
    }

    public static function retry_delay(int $attempt): int
    {
        return (int) min(self::RETRY_CAP, self::RETRY_BASE * (2 ** ($attempt - 1)));
    }

    private static function reschedule(string $op, string $name, int $attempt): void
    {
        if ($attempt >= self::MAX_ATTEMPTS) {
            self::log("$op $name: giving up after $attempt attempts; map the domain again once Closte is reachable");
            return;
        }
        self::set_pending($name, $op);
        $delay = self::retry_delay($attempt);
        $args = [$op, $name, $attempt + 1];
        if (function_exists('as_schedule_single_action')) {
            as_schedule_single_action(time() + $delay, self::RETRY_HOOK, $args, 'closte-native');
            $via = 'Action Scheduler';
        } else {
            wp_schedule_single_event(time() + $delay, self::RETRY_HOOK, $args);
            $via = 'WP-Cron';
        }
        self::log(sprintf('%s %s: attempt %d scheduled in %d s (%s)', $op, $name, $attempt + 1, $delay, $via));
    }

    /**
     * Runs each time Ultimate Multisite processes a domain's stage. While Closte is issuing
     * the certificate: allow more tries, and log what the domain serves now and why.
     */
    public static function ssl_stage($max_tries, $domain = null)
    {
        if (!is_object($domain) || !method_exists($domain, 'get_stage') || $domain->get_stage() !== self::SSL_STAGE) {
            return $max_tries;
        }
        $name = method_exists($domain, 'get_domain') ? (string) $domain->get_domain() : '';
        if ($name !== '') {
            self::log_ssl($name);
        }
        return max((int) $max_tries, self::SSL_MAX_TRIES);
    }

    public static function log_ssl(string $name): void
    {
        $options = apply_filters('closte_native_check_ssl_options', [], $name);
        try {
            $r = Closte\check_ssl($name, $options);
        } catch (Throwable $e) {
            self::domain_log($name, 'certificate check not possible: ' . $e->getMessage());
            return;
        }
        if ($r['valid']) {
            $message = sprintf('certificate valid: issued by %s, %d days left', $r['issuer'], $r['days_remaining']);
        } elseif (in_array($r['reason'], ['hostname_mismatch', 'self_signed'], true)) {
            $message = sprintf('certificate not issued yet: %s (%s)', $r['error'], $r['reason']);
        } else {
            $message = sprintf('certificate check failed: %s (%s)', $r['error'], $r['reason']);
        }
        self::domain_log($name, $message);
    }

    /** The domain's own log in Ultimate Multisite, where the admin looks for its progress. */
    private static function domain_log(string $name, string $message): void
    {
        function_exists('wu_log_add') ? wu_log_add("domain-$name", $message) : self::log("$name: $message");
    }

    /** Shows the bridge in Ultimate Multisite's integration wizard, where the plugin allows it. */
    public static function register_provider(): void
    {
        if (!class_exists('\\WP_Ultimo\\Integrations\\Host_Providers\\Base_Host_Provider')) {
            return;
        }
        require_once __DIR__ . '/closte-native/class-closte-native-host-provider.php';
        Closte_Native_Host_Provider::get_instance();
    }
}

Closte_Native::boot();
