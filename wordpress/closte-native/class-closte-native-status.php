<?php
/**
 * A snapshot of every mapped name as Closte and the world see it: one list_domains(), one
 * check_ssl_many() and one check_dns_many() per refresh, kept in a site transient with the
 * time it was taken, so the console renders without a network call.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Status
{
    const TRANSIENT = 'closte_native_status';

    /** The last snapshot, or null when none was taken yet. */
    public static function cached(): ?array
    {
        $s = get_site_transient(self::TRANSIENT);
        return is_array($s) && isset($s['checked_at']) ? $s : null;
    }

    public static function forget(): void
    {
        delete_site_transient(self::TRANSIENT);
    }

    /**
     * Takes a new snapshot and keeps it. Failures are kept in it (`errors`), never thrown:
     * the console shows what it could learn.
     */
    public function refresh(?array $domains = null): array
    {
        $start = microtime(true);
        $domains = $domains ?? (new Closte_Native_Inventory())->domains();
        $names = Closte_Native_Inventory::names($domains);
        $snapshot = self::with_aliases(['checked_at' => time(), 'ssl' => [], 'dns' => [], 'errors' => []]);
        if ($names !== []) {
            try {
                foreach (Closte\check_ssl_many($names, self::ssl_options($names)) as $r) {
                    $snapshot['ssl'][$r['domain']] = array_intersect_key($r, array_flip(['valid', 'reason', 'error', 'subject', 'issuer', 'days_remaining', 'not_after']));
                }
            } catch (Throwable $e) {
                $snapshot['errors']['ssl'] = get_class($e) . ': ' . $e->getMessage();
            }
            try {
                // DNS questions are cheap for the resolver: more in flight than API calls.
                $options = apply_filters('closte_native_console_dns_options', ['concurrency' => 32], $names);
                foreach (Closte\check_dns_many($names, is_array($options) ? $options : []) as $r) {
                    $snapshot['dns'][$r['domain']] = array_intersect_key($r, array_flip(['ok', 'reason', 'error', 'a', 'aaaa', 'cname', 'expected']));
                }
            } catch (Throwable $e) {
                $snapshot['errors']['dns'] = get_class($e) . ': ' . $e->getMessage();
            }
        }
        $snapshot['elapsed_ms'] = round((microtime(true) - $start) * 1000, 1);
        set_site_transient(self::TRANSIENT, $snapshot);
        return $snapshot;
    }

    /**
     * After a change to Closte's aliases (sync, retry, removal): one list read updates the
     * snapshot's alias column; certificates and DNS are unchanged by it, so not re-checked.
     */
    public function refresh_aliases(): void
    {
        $snapshot = self::cached();
        if ($snapshot !== null) {
            set_site_transient(self::TRANSIENT, self::with_aliases($snapshot));
        }
    }

    /** `$snapshot` with Closte's aliases as listed now, or the reason they could not be read. */
    private static function with_aliases(array $snapshot): array
    {
        unset($snapshot['errors']['closte']);
        try {
            $snapshot['aliases'] = array_values(array_unique(array_column(Closte\list_domains(), 'domain')));
        } catch (Throwable $e) {
            $snapshot['aliases'] = null;
            $snapshot['errors']['closte'] = get_class($e) . ': ' . $e->getMessage();
        }
        return $snapshot;
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
