<?php
/**
 * Ultimate Multisite's domain stages as the bridge reads them, in one place: which stages
 * wait (and for what), which Ultimate Multisite gave up on, and which the watcher may
 * revive. The values are those of Ultimate Multisite's own Domain_Stage constants
 * (WP_Ultimo\Database\Domains\Domain_Stage, 2.4.10), kept as literals because the bridge
 * loads without Ultimate Multisite; tests/wordpress/signatures.php checks each against
 * that class. The status table's flags (Closte_Native_Status_Table::FLAGS), the watcher,
 * the SSL stage, the events and the doctor all read them from here.
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
}
