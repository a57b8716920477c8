<?php
/**
 * What the status table (Closte_Native_Status_Table) holds, kept up to date between
 * refreshes (Closte_Native_Refresh): after an action on Closte's aliases one list read
 * rewrites the On Closte column; and the options every certificate check of the console uses.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Status
{
    /** Before the status table (schema 1), the snapshot was this site transient; forget() removes it. */
    const TRANSIENT = 'closte_native_status';

    /** Forgets every check: the table emptied, the run and the old transient gone. */
    public static function forget(): void
    {
        delete_site_transient(self::TRANSIENT);
        (new Closte_Native_Status_Table())->clear(); // the rows and the runs
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
            $aliases ??= Closte\list_domain_names(['timeout' => $timeout ?? Closte_Native_Console::timeout()]);
        } catch (Throwable $e) {
            (new Closte_Native_Status_Table())->set_aliases(null);
            return Closte_Native::explain($e);
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
     * Options for the certificate checks: by default each name is checked on the Closte
     * server itself (CLOSTE_PUBLIC_IP_ADDRESS), so a certificate Closte issued shows before
     * the customer's DNS points there. Filter: closte_native_console_ssl_options ($options, $names).
     */
    public static function ssl_options(array $names, array $extra = []): array
    {
        $ip = Closte_Native_Dns_Stage::public_ip();
        $options = $extra + ($ip !== null ? ['connect_to' => $ip] : []);
        $options = apply_filters('closte_native_console_ssl_options', $options, $names);
        return is_array($options) ? $options : [];
    }
}
