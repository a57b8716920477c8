<?php
/**
 * What the status table (Closte_Native_Status_Table) holds, kept up to date between
 * refreshes (Closte_Native_Refresh): after an action on Closte's aliases one list read
 * rewrites the On Closte column; and the options every certificate check of the console uses.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Status
{
    /** Seconds a call of the extension may take by default (timeout()). */
    const TIMEOUT = 5;

    /**
     * Seconds each call of the console, `wp closte` and the refresh's chunks to the extension may take (one API call with its
     * retries, one certificate or DNS check): a hanging Closte costs the admin seconds, not
     * the full closte.timeout. Filter: closte_native_console_timeout (seconds, > 0, at most 600).
     */
    public static function timeout(): float
    {
        /**
         * Filters the seconds each call of the console, `wp closte` and the refresh may take (one
         * API call with its retries, one batch of checks): more than 0, at most 600.
         *
         * @since 0.4.0
         *
         * @param float|int $seconds Default TIMEOUT.
         *
         * Example: a slow link to Closte.
         *
         *     add_filter('closte_native_console_timeout', fn () => 15);
         */
        $t = apply_filters('closte_native_console_timeout', self::TIMEOUT);
        return is_numeric($t) && $t > 0 ? min((float) $t, 600.0) : (float) self::TIMEOUT;
    }


    /**
     * After a change to Closte's aliases (sync, retry, removal): one list read updates the
     * table's on_closte column; certificates and DNS are unchanged by it, so not re-checked.
     * `$aliases`: the list as the action read it, its own adds and removes applied (then
     * nothing is read). Returns the error in words when the list could not be read, else null.
     */
    public function refresh_aliases(?float $timeout = null, ?array $aliases = null): ?string
    {
        try {
            // An action that read the list already passes it, with its own changes applied:
            // Closte's list is read once per action, not once more for this column.
            $aliases ??= Closte\list_domain_names(['timeout' => $timeout ?? self::timeout()]);
        } catch (Throwable $e) {
            // Unknown is said as unknown everywhere: the On Closte column, and what is
            // unclaimed (never "None." from a list that could not be read), with the reason.
            $why = Closte_Native_Failure::explain($e);
            (new Closte_Native_Status_Table())->set_aliases(null);
            $run = Closte_Native_Refresh::run();
            if ($run !== null && !empty($run['planned'])) {
                (new Closte_Native_Runs())->unclaimed_unknown($run['id'], $why);
            }
            return $why;
        }
        $unclaimed = array_values(array_diff((new Closte_Native_Status_Table())->set_aliases($aliases), Closte_Native_Ledger::protected_names()));
        $run = Closte_Native_Refresh::run();
        if ($run !== null && !empty($run['planned'])) {
            // The unclaimed list, from the names the table holds.
            (new Closte_Native_Runs())->unclaimed($run['id'], array_slice($unclaimed, 0, Closte_Native_Refresh::UNCLAIMED_KEPT), count($unclaimed));
        }
        return null;
    }

    /**
     * Options for the certificate checks of the refresh, the console and `wp closte`: by
     * default each name is checked on the Closte server itself (CLOSTE_PUBLIC_IP_ADDRESS),
     * so a certificate Closte issued shows before the customer's DNS points there.
     */
    public static function ssl_options(array $names, array $extra = []): array
    {
        $ip = Closte_Native_Dns_Stage::public_ip();
        $options = $extra + ($ip !== null ? ['connect_to' => $ip] : []);
        /**
         * Filters the options of the certificate checks of many names at once (the refresh's
         * chunks, the console's Re-check, `wp closte check`): Closte\check_ssl_many()'s options.
         *
         * @since 0.4.0
         *
         * @param array    $options The options so far (connect_to Closte's address, timeout).
         * @param string[] $names   The names about to be checked.
         *
         * Example: check through public DNS instead of on the Closte server.
         *
         *     add_filter('closte_native_console_ssl_options', function (array $options) {
         *         unset($options['connect_to']);
         *         return $options;
         *     });
         */
        $options = apply_filters('closte_native_console_ssl_options', $options, $names);
        return is_array($options) ? $options : [];
    }

    /** Options for the DNS checks of the refresh, the console and `wp closte`. */
    public static function dns_options(array $names, array $extra = []): array
    {
        /**
         * Filters the options of the DNS checks of many names at once (the refresh's chunks,
         * the console's Re-check, `wp closte check`): Closte\check_dns_many()'s options.
         *
         * @since 0.4.0
         *
         * @param array    $options The options so far (timeout).
         * @param string[] $names   The names about to be checked.
         *
         * Example: ask your own resolver.
         *
         *     add_filter('closte_native_console_dns_options', fn (array $o) => ['nameservers' => ['10.0.0.53']] + $o);
         */
        $options = apply_filters('closte_native_console_dns_options', $extra, $names);
        return is_array($options) ? $options : [];
    }
}
