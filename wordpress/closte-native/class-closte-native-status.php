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
     * Takes a new snapshot and keeps it, every name in its canonical form (the keys of `ssl`
     * and `dns`, the list `aliases`). Failures are kept in it (`errors`, in words for the
     * admin), never thrown: the console shows what it could learn. The certificate alerts
     * are rewritten for what is mapped now (Closte_Native_Reconcile::record_alerts()).
     * `$timeout` bounds each call (the console's own, Closte_Native_Console::timeout()).
     */
    public function refresh(?array $domains = null, ?float $timeout = null): array
    {
        $start = microtime(true);
        $timeout = $timeout ?? Closte_Native_Console::timeout();
        $domains = $domains ?? (new Closte_Native_Inventory())->domains();
        $names = Closte_Native_Inventory::names(array_filter($domains, fn ($d) => $d['invalid'] === null));
        $snapshot = self::with_aliases(['checked_at' => time(), 'checked' => count($names), 'ssl' => [], 'dns' => [], 'errors' => []], $timeout);
        $certificates = null;
        if ($names !== []) {
            try {
                $options = self::ssl_options($names, ['timeout' => $timeout, 'min_days' => Closte_Native_Reconcile::MIN_DAYS]);
                foreach (Closte\check_ssl_many($names, $options) as $i => $r) {
                    $snapshot['ssl'][$names[$i]] = array_intersect_key($r, array_flip(['valid', 'reason', 'error', 'subject', 'issuer', 'days_remaining', 'not_after', 'expiring_soon']));
                }
                $certificates = $snapshot['ssl'];
            } catch (Throwable $e) {
                $snapshot['errors']['ssl'] = Closte_Native::explain($e);
            }
            try {
                // How many names are asked at once is the extension's closte.dns_concurrency.
                $options = apply_filters('closte_native_console_dns_options', ['timeout' => $timeout], $names);
                foreach (Closte\check_dns_many($names, is_array($options) ? $options : []) as $i => $r) {
                    $snapshot['dns'][$names[$i]] = array_intersect_key($r, array_flip(['ok', 'reason', 'error', 'a', 'aaaa', 'cname', 'expected']));
                }
            } catch (Throwable $e) {
                $snapshot['errors']['dns'] = Closte_Native::explain($e);
            }
        }
        Closte_Native_Reconcile::record_alerts($domains, $certificates, 'refresh');
        $snapshot['elapsed_ms'] = round((microtime(true) - $start) * 1000, 1);
        set_site_transient(self::TRANSIENT, $snapshot);
        return $snapshot;
    }

    /**
     * After a change to Closte's aliases (sync, retry, removal): one list read updates the
     * snapshot's alias column; certificates and DNS are unchanged by it, so not re-checked.
     */
    public function refresh_aliases(?float $timeout = null): void
    {
        $snapshot = self::cached();
        if ($snapshot !== null) {
            set_site_transient(self::TRANSIENT, self::with_aliases($snapshot, $timeout ?? Closte_Native_Console::timeout()));
        }
    }

    /**
     * `$snapshot` with Closte's aliases as listed now (canonical), or null and the reason
     * they could not be read.
     */
    private static function with_aliases(array $snapshot, float $timeout): array
    {
        unset($snapshot['errors']['closte']);
        try {
            $listed = array_column(Closte\list_domains(['timeout' => $timeout]), 'domain');
            $snapshot['aliases'] = array_values(array_unique(array_map(fn ($n) => Closte_Native_Name::key((string) $n), $listed)));
        } catch (Throwable $e) {
            $snapshot['aliases'] = null;
            $snapshot['errors']['closte'] = Closte_Native::explain($e);
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
