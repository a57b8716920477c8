<?php
/**
 * The daily reconcile: every mapped name that is missing on Closte is added (an event lost
 * before the bridge was installed, or one that used up its retries in a long outage), and
 * certificates of finished domains that are invalid or expire within 14 days are recorded
 * for the console and a network-admin notice (the console's Refresh rewrites them too,
 * by the same rule). It never removes an alias. Runs as a
 * recurring Action Scheduler action when Action Scheduler is there, else daily WP-Cron.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Reconcile
{
    const HOOK = 'closte_native_reconcile';
    const GROUP = 'closte-native';
    /** Certificates closer than this to their end are reported. */
    const MIN_DAYS = 14;
    /** What the last audit or Refresh found wrong with certificates. */
    const ALERTS_OPTION = 'closte_native_cert_alerts';
    /** A run that could not reach Closte is tried again this much later. */
    const RETRY_AFTER = HOUR_IN_SECONDS;

    /** Registers the recurring run once (idempotent: called on every init). */
    public function schedule(): void
    {
        if (function_exists('as_schedule_recurring_action') && function_exists('as_has_scheduled_action')) {
            if (!as_has_scheduled_action(self::HOOK, [], self::GROUP)) {
                as_schedule_recurring_action(time() + HOUR_IN_SECONDS, DAY_IN_SECONDS, self::HOOK, [], self::GROUP);
            }
        } elseif (!wp_next_scheduled(self::HOOK)) {
            wp_schedule_event(time() + HOUR_IN_SECONDS, 'daily', self::HOOK);
        }
    }

    /**
     * The run: sync (adds only), then the certificate audit. Returns what it did. `$why` is
     * 'after_failure' for the one-off run scheduled after an outage. A failure is tried again
     * within the hour only when the extension calls it retryable.
     */
    public function run($why = 'daily'): array
    {
        // The names only, a page of records at a time: not every record's entry at once.
        [$names, $invalid] = (new Closte_Native_Inventory())->name_lists();
        $report = ['added' => [], 'unchanged' => 0, 'failed' => [], 'invalid' => $invalid, 'alerts' => null];
        $again = false;
        if ($names !== []) {
            try {
                $r = Closte\sync_domains($names);
                $report['added'] = $r['added'];
                $report['unchanged'] = count($r['unchanged']);
                foreach ($r['failed'] as $name => $error) {
                    $report['failed'][$name] = $error['message'];
                    $retryable = (bool) ($error['retryable'] ?? false);
                    $again = $again || $retryable;
                    Closte_Native::log(sprintf('reconcile: %s could not be added: %s (%s: %s)', $name, $error['message'],
                        $retryable ? 'retryable' : 'not retried', $error['retry_reason'] ?? ''));
                }
            } catch (Throwable $e) {
                [$retryable, $reason] = Closte_Native::retryable($e);
                Closte_Native::log(sprintf("reconcile: Closte's list could not be read, nothing changed: %s (%s: %s)", $e->getMessage(),
                    $retryable ? 'retryable' : 'not retried', $reason));
                $again = $retryable;
                $report['failed']['*'] = $e->getMessage();
            }
        }
        foreach ($report['added'] as $name) {
            Closte_Native::log("reconcile: added $name (missing on Closte)");
        }
        foreach ($report['invalid'] as $name => $problem) {
            Closte_Native::log("reconcile: $name is not a valid domain name, not sent: $problem");
        }
        Closte_Native::log(sprintf('reconcile%s: %d added, %d already on Closte, %d failed', $why === 'after_failure' ? ' (again, after an outage)' : '',
            count($report['added']), $report['unchanged'], count($report['failed'])));
        if ($again) {
            $this->retry_later();
        }
        // The certificates (and DNS) of every name: the same queued refresh as the console's
        // button, in chunks, into the same table; its end rewrites the certificate alerts.
        $report['refresh'] = Closte_Native_Refresh::start('reconcile');
        return $report;
    }

    /**
     * Checks the certificates of domains at stage `done` and keeps those that are invalid
     * or expire within MIN_DAYS: [name => [reason, error, days_remaining, shown]], with the time.
     */
    public function audit_certificates(array $domains): array
    {
        $names = self::audited($domains);
        $results = null;
        if ($names !== []) {
            try {
                $results = [];
                foreach (Closte\check_ssl_many(array_keys($names), Closte_Native_Status::ssl_options(array_keys($names), ['min_days' => self::MIN_DAYS])) as $i => $r) {
                    $results[array_keys($names)[$i]] = $r;
                }
            } catch (Throwable $e) {
                $results = null;
                Closte_Native::log('reconcile: certificates not checked: ' . $e->getMessage());
            }
        }
        return self::record_alerts($domains, $results, 'reconcile');
    }

    /**
     * The one rule for certificate alerts, for the daily audit and the console's Refresh:
     * of the names audited now (mapped, wanted, stage done), those whose certificate is
     * invalid or expires within MIN_DAYS. `$results` maps canonical names to check_ssl()
     * results (checked with min_days MIN_DAYS); null when the check could not run, when
     * the last findings are kept for the names still audited. Either way a name no longer
     * mapped leaves the alerts. Rewrites ALERTS_OPTION and returns it.
     */
    public static function record_alerts(array $domains, ?array $results, string $source): array
    {
        $previous = self::alerts()['items'] ?? [];
        $alerts = [];
        foreach (self::audited($domains) as $name => $shown) {
            if ($results === null) {
                if (isset($previous[$name])) {
                    $alerts[$name] = $previous[$name];
                }
                continue;
            }
            $r = $results[$name] ?? null;
            if ($r === null || ($r['valid'] && !$r['expiring_soon'])) {
                continue;
            }
            $alerts[$name] = ['reason' => $r['valid'] ? 'expiring_soon' : $r['reason'],
                'error' => $r['valid'] ? sprintf('expires in %d days', $r['days_remaining']) : $r['error'],
                'days_remaining' => $r['days_remaining'], 'shown' => $shown];
            if ($source === 'reconcile') {
                Closte_Native::log(sprintf('reconcile: certificate of %s needs attention: %s (%s)', $name, $alerts[$name]['error'], $alerts[$name]['reason']));
            }
        }
        $record = ['checked_at' => time(), 'items' => $alerts, 'source' => $source];
        update_network_option(null, self::ALERTS_OPTION, $record);
        return $record;
    }

    /** The names whose certificates are audited: canonical => as shown to the admin. */
    private static function audited(array $domains): array
    {
        $out = [];
        foreach ($domains as $d) {
            if ($d['wanted'] && $d['invalid'] === null && ($d['stage'] === 'done' || $d['stage'] === null)) {
                foreach ($d['names'] as $name) {
                    $out[$name] = $name === $d['canonical'] ? Closte_Native_Name::shown($d['domain']) : $name;
                }
            }
        }
        return $out;
    }

    /** The last audit's findings: ['checked_at' => int, 'items' => [name => …]] or null. */
    public static function alerts(): ?array
    {
        $a = get_network_option(null, self::ALERTS_OPTION, null);
        return is_array($a) && isset($a['items']) ? $a : null;
    }

    /**
     * One extra run within the hour (its own args, so it is told apart from the daily one).
     * Not Action Scheduler's `unique`: that compares hook and group only, so the daily
     * recurring action would keep it from ever being scheduled.
     */
    private function retry_later(): void
    {
        if (function_exists('as_schedule_single_action')) {
            if (!function_exists('as_has_scheduled_action') || !as_has_scheduled_action(self::HOOK, ['after_failure'], self::GROUP)) {
                as_schedule_single_action(time() + self::RETRY_AFTER, self::HOOK, ['after_failure'], self::GROUP);
            }
        } else {
            wp_schedule_single_event(time() + self::RETRY_AFTER, self::HOOK, ['after_failure']);
        }
    }

    /** network_admin_notices: certificates that need attention, for those who can act. */
    public function notice(): void
    {
        $alerts = self::alerts();
        if (!$alerts || $alerts['items'] === [] || !current_user_can('manage_network_options')) {
            return;
        }
        $items = [];
        foreach (array_slice($alerts['items'], 0, 5, true) as $name => $a) {
            $items[] = esc_html(($a['shown'] ?? $name) . ": {$a['error']}");
        }
        $more = count($alerts['items']) > 5 ? ' ' . esc_html(sprintf(__('and %d more', 'closte-native'), count($alerts['items']) - 5)) : '';
        printf(
            '<div class="notice notice-error"><p><strong>%s</strong> %s%s. <a href="%s">%s</a></p></div>',
            esc_html(sprintf(_n('Closte: %d certificate needs attention:', 'Closte: %d certificates need attention:', count($alerts['items']), 'closte-native'), count($alerts['items']))),
            implode('; ', $items),
            $more,
            esc_url(Closte_Native_Console::url()),
            esc_html__('Open the Closte console', 'closte-native')
        );
    }
}
