<?php
/**
 * Ultimate Multisite's domain stages as the bridge reads them, in one place: which stages
 * wait (and for what), which Ultimate Multisite gave up on, and which the watcher may
 * revive. The values are those of Ultimate Multisite's own Domain_Stage constants
 * (WP_Ultimo\Database\Domains\Domain_Stage, 2.4.10), kept as literals because the bridge
 * loads without Ultimate Multisite; tests/wordpress/signatures.php checks each against
 * that class. The status table's flags (Closte_Native_Status_Table::FLAGS), the watcher,
 * the SSL stage, the events and the doctor all read them from here, and the watcher and
 * the doctor read a domain's scheduled stage processing through scheduled().
 */

defined('ABSPATH') || exit;

final class Closte_Native_Stages
{
    /** Domain_Stage::CHECKING_DNS */
    const CHECKING_DNS = 'checking-dns';
    /** Domain_Stage::CHECKING_SSL */
    const CHECKING_SSL = 'checking-ssl-cert';
    /** Domain_Stage::FAILED: DNS never became right within Ultimate Multisite's tries. */
    const FAILED = 'failed';
    /** Domain_Stage::SSL_FAILED: no certificate within its tries. */
    const SSL_FAILED = 'ssl-failed';
    /** Domain_Stage::DONE */
    const DONE = 'done';
    /** Domain_Stage::DONE_WITHOUT_SSL */
    const DONE_WITHOUT_SSL = 'done-without-ssl';

    /** stage => what a domain at it waits for */
    const WAITING = [self::CHECKING_DNS => 'dns', self::CHECKING_SSL => 'certificate'];
    /** failed stage => [what would revive it, the stage it goes back to] */
    const REVIVABLE = [self::FAILED => ['dns', self::CHECKING_DNS], self::SSL_FAILED => ['certificate', self::CHECKING_SSL]];
    /** The stages where Ultimate Multisite stopped trying. */
    const GAVE_UP = [self::FAILED, self::SSL_FAILED, self::DONE_WITHOUT_SSL];
    /** The waiting stages as an SQL list, for the status table's flags. */
    const WAITING_SQL = "'" . self::CHECKING_DNS . "', '" . self::CHECKING_SSL . "'";

    /** Ultimate Multisite's stage processing: its action and group (args: domain_id, tries). */
    const PROCESS_HOOK = 'wu_async_process_domain_stage';
    const PROCESS_GROUP = 'domain';

    /**
     * The domain's stage actions: pending ([args, timestamp] each, soonest first) and how many
     * run now; null without the plugin's scheduler. Two small queries (args searched, then
     * matched exactly on domain_id).
     */
    public static function scheduled(int $id): ?array
    {
        if (!function_exists('wu_get_scheduled_actions') || !function_exists('wu_unschedule_action')) {
            return null;
        }
        $out = ['pending' => [], 'running' => 0];
        foreach (['pending', 'in-progress'] as $status) {
            $found = wu_get_scheduled_actions(['hook' => self::PROCESS_HOOK, 'group' => self::PROCESS_GROUP, 'status' => $status,
                'search' => '"domain_id":' . $id, 'per_page' => -1, 'orderby' => 'date', 'order' => 'ASC']);
            foreach ((array) $found as $action) {
                $args = (array) $action->get_args();
                if ((int) ($args['domain_id'] ?? 0) !== $id) {
                    continue;
                }
                if ($status === 'in-progress') {
                    $out['running']++;
                    continue;
                }
                $date = $action->get_schedule()->get_date();
                $out['pending'][] = [$args, $date ? (int) $date->format('U') : time()];
            }
        }
        usort($out['pending'], fn ($a, $b) => $a[1] <=> $b[1]);
        return $out;
    }
}
