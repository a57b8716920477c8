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
 * This file only loads the classes and wires their hooks; the classes live under
 * closte-native/ by layer: foundation/, domain/ (the rules and the ledger), store/, jobs/,
 * app/ (the actions both faces run), admin/ (the console) and cli/ (docs/wordpress.md).
 * Matched against Ultimate Multisite 2.4.10 (and 2.3.x, whose host-provider classes
 * declare no return types).
 */

defined('ABSPATH') || exit;

require_once __DIR__ . '/closte-native/foundation/class-closte-native-requirements.php';
require_once __DIR__ . '/closte-native/foundation/class-closte-native-log.php';
require_once __DIR__ . '/closte-native/foundation/class-closte-native-failure.php';
require_once __DIR__ . '/closte-native/foundation/class-closte-native-name.php';
require_once __DIR__ . '/closte-native/foundation/class-closte-native-queue.php';
require_once __DIR__ . '/closte-native/domain/class-closte-native-stages.php';
require_once __DIR__ . '/closte-native/domain/class-closte-native-events.php';
require_once __DIR__ . '/closte-native/domain/class-closte-native-ssl-stage.php';
require_once __DIR__ . '/closte-native/domain/class-closte-native-dns-stage.php';
require_once __DIR__ . '/closte-native/domain/class-closte-native-inventory.php';
require_once __DIR__ . '/closte-native/domain/class-closte-native-claims.php';
require_once __DIR__ . '/closte-native/domain/class-closte-native-name-lock.php';
require_once __DIR__ . '/closte-native/domain/class-closte-native-ledger.php';
require_once __DIR__ . '/closte-native/domain/class-closte-native-provider-guard.php';
require_once __DIR__ . '/closte-native/domain/class-closte-native-um-events.php';
require_once __DIR__ . '/closte-native/store/class-closte-native-schema.php';
require_once __DIR__ . '/closte-native/store/class-closte-native-status-table.php';
require_once __DIR__ . '/closte-native/store/class-closte-native-runs.php';
require_once __DIR__ . '/closte-native/store/class-closte-native-status.php';
require_once __DIR__ . '/closte-native/store/class-closte-native-store.php';
require_once __DIR__ . '/closte-native/store/class-closte-native-wanted.php';
require_once __DIR__ . '/closte-native/store/class-closte-native-watched.php';
require_once __DIR__ . '/closte-native/jobs/class-closte-native-runner.php';
require_once __DIR__ . '/closte-native/jobs/class-closte-native-supervisor.php';
require_once __DIR__ . '/closte-native/jobs/class-closte-native-planner.php';
require_once __DIR__ . '/closte-native/jobs/class-closte-native-chunk-worker.php';
require_once __DIR__ . '/closte-native/jobs/class-closte-native-refresh.php';
require_once __DIR__ . '/closte-native/jobs/class-closte-native-reconcile.php';
require_once __DIR__ . '/closte-native/jobs/class-closte-native-watcher.php';
require_once __DIR__ . '/closte-native/app/class-closte-native-row-state.php';
require_once __DIR__ . '/closte-native/app/class-closte-native-actions.php';
require_once __DIR__ . '/closte-native/admin/class-closte-native-console.php';
require_once __DIR__ . '/closte-native/admin/class-closte-native-console-page.php';

final class Closte_Native
{
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
        $missing = Closte_Native_Requirements::missing();
        if ($missing !== null) {
            add_action('network_admin_notices', function () use ($missing) {
                Closte_Native_Requirements::notice($missing);
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
        (new Closte_Native_Runner())->register(); // the refresh's actions, one a claim, in every runner
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

}

Closte_Native::boot();

// `wp closte …`: loaded only when WP-CLI runs (nothing on web requests). Outside boot(),
// which returns early without the extension or the key: the commands then say so.
if (defined('WP_CLI') && WP_CLI) {
    require_once __DIR__ . '/closte-native/cli/class-closte-native-cli.php';
    Closte_Native_CLI::register();
}
