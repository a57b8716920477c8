<?php
/**
 * The daily reconcile: every mapped name that is missing on Closte is added (an event lost
 * before the bridge was installed, or one that used up its retries in a long outage), and
 * certificates of finished domains that are invalid or expire within 14 days are recorded
 * for the console and a network-admin notice (the console's Refresh rewrites them too,
 * by the same rule). It never removes an alias. It is the queued refresh with add_missing:
 * chunks of 500 names on any runner, the status table read and written, bounded memory. Runs as a
 * recurring Action Scheduler action when Action Scheduler is there, else daily WP-Cron.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Reconcile
{
    const HOOK = 'closte_native_reconcile';
    /** Where 0.4.0's development builds kept a copy of the alerts (now a query: alerts()); removed by the schema upgrade. */
    const ALERTS_OPTION = 'closte_native_cert_alerts';
    /** A run that could not reach Closte is tried again this much later. */
    const RETRY_AFTER = HOUR_IN_SECONDS;

    /** Registers the recurring run once (idempotent: called on every init). */
    public function schedule(): void
    {
        Closte_Native_Queue::recurring(self::HOOK, HOUR_IN_SECONDS, DAY_IN_SECONDS, 'daily');
    }

    /**
     * The run: the same queued refresh as the console's button, with add_missing: its plan
     * reads Closte's alias list once and the table's rows, and each chunk of 500 names adds
     * its missing ones (one add_domains()) before its DNS and certificate checks; the run's
     * end logs the counts and rewrites the certificate alerts (Closte_Native_Refresh). It
     * never removes an alias. `$why` is 'after_failure' for the one-off run scheduled after
     * an outage. Returns the refresh's id; nothing is sent in this call.
     */
    public function run($why = 'daily'): int
    {
        return Closte_Native_Refresh::start('reconcile', true, $why === 'after_failure' ? 'after_failure' : 'daily');
    }

    /**
     * The plan could not read Closte's list: logged, nothing added, and the reconcile runs
     * again within the hour when the extension calls the failure retryable.
     */
    public static function outage(Throwable $e, string $why = 'daily'): void
    {
        [$retryable, $reason] = Closte_Native_Failure::retryable($e);
        Closte_Native_Log::add(sprintf("%s: Closte's list could not be read, nothing changed: %s (%s: %s)", self::label($why), $e->getMessage(), $retryable ? 'retryable' : 'not retried', $reason));
        if ($retryable) {
            self::retry_later();
        }
    }

    /**
     * Who adds, in the log, for a run with add_missing by its `why`: 'reconcile' (daily),
     * 'reconcile (again, after an outage)', or 'console sync' (Sync now, too many names
     * for its request: Closte_Native_Console::SYNC_INLINE).
     */
    public static function label(string $why): string
    {
        return ['sync' => 'console sync', 'after_failure' => 'reconcile (again, after an outage)'][$why] ?? 'reconcile';
    }

    /**
     * The certificates that need attention now, asked of the status table when shown (one
     * query: a domain unmapped or a site archived since drops out at once): ['checked_at' =>
     * the last run's end (or start), 'items' => [name => …] (the first `$limit`), 'count' =>
     * how many in all, 'source' => refresh|reconcile], or null before the first refresh.
     */
    public static function alerts(int $limit = 1000): ?array
    {
        $run = Closte_Native_Refresh::run();
        if ($run === null) {
            return null;
        }
        $table = new Closte_Native_Status_Table();
        $items = $table->certificate_alerts($limit);
        return ['checked_at' => (int) ($run['finished_at'] ?? $run['started_at'] ?? time()), 'items' => $items,
            'count' => count($items) < $limit ? count($items) : $table->certificate_alert_count(),
            'source' => ($run['source'] ?? '') === 'reconcile' ? 'reconcile' : 'refresh'];
    }

    /** One extra run within the hour (its own args, so it is told apart from the daily one). */
    public static function retry_later(): void
    {
        Closte_Native_Queue::schedule_once(self::HOOK, ['after_failure'], self::RETRY_AFTER);
    }

    /** network_admin_notices: certificates that need attention, for those who can act. */
    public function notice(): void
    {
        if (!current_user_can(Closte_Native_Requirements::CAPABILITY)) {
            return; // before any query: this runs on every network admin page
        }
        $alerts = self::alerts(5);
        if (!$alerts || $alerts['items'] === []) {
            return;
        }
        $items = [];
        foreach (array_slice($alerts['items'], 0, 5, true) as $name => $a) {
            $items[] = esc_html(($a['shown'] ?? $name) . ": {$a['error']}");
        }
        /* translators: %d: certificates not listed */
        $more = $alerts['count'] > 5 ? ' ' . esc_html(sprintf(__('and %d more', 'closte-native'), $alerts['count'] - 5)) : '';
        printf(
            '<div class="notice notice-error"><p><strong>%s</strong> %s%s. <a href="%s">%s</a></p></div>',
            /* translators: %d: certificates that need attention */
            esc_html(sprintf(_n('Closte: %d certificate needs attention:', 'Closte: %d certificates need attention:', $alerts['count'], 'closte-native'), $alerts['count'])),
            implode('; ', $items),
            $more,
            esc_url(Closte_Native_Console::url()),
            esc_html__('Open the Closte console', 'closte-native')
        );
    }
}
