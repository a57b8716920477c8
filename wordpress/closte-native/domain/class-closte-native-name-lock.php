<?php
/**
 * The per-name lock of every send: MariaDB's GET_LOCK, held by this connection and shared
 * by every process and node on the database, so one name's add and remove never cross.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Name_Lock
{
    /** Seconds a send waits for another process's send of the same name before giving way (then retried). */
    const LOCK_WAIT = 20;

    /** @var wpdb */
    private $db;
    /** @var array<string, true> the locks this object holds, by lock name */
    private $held = [];

    public function __construct(wpdb $db)
    {
        $this->db = $db;
    }

    /**
     * Takes the per-name locks of `$names` (MariaDB's GET_LOCK, held by this connection;
     * shared by every process and node on the database), in name order so two senders never
     * wait on each other in a circle. False, holding none, when one is not free within LOCK_WAIT.
     */
    public function lock(array $names): bool
    {
        $names = array_values(array_unique(array_map('strval', $names)));
        sort($names, SORT_STRING);
        /**
         * Filters the seconds a send waits for another process's send of the same name (its
         * per-name lock) before it gives way; a domain event then retries later.
         *
         * @since 0.4.0
         *
         * @param float|int $seconds Default 20.
         *
         * Example: a Closte that answers slowly.
         *
         *     add_filter('closte_native_lock_wait', fn () => 60);
         */
        $wait = (float) apply_filters('closte_native_lock_wait', self::LOCK_WAIT);
        foreach ($names as $n) {
            $lock = 'closte_native:' . md5($n);
            if (isset($this->held[$lock])) {
                continue;
            }
            if ((string) $this->db->get_var($this->db->prepare('SELECT GET_LOCK(%s, %f)', $lock, max(0.0, $wait))) !== '1') {
                $this->unlock();
                return false;
            }
            $this->held[$lock] = true;
        }
        return true;
    }

    /** Releases every lock this object holds. */
    public function unlock(): void
    {
        foreach (array_keys($this->held) as $lock) {
            $this->db->query($this->db->prepare('SELECT RELEASE_LOCK(%s)', $lock));
        }
        $this->held = [];
    }
}

/** A send that could not take its names' locks in time: retryable (the other process's send ends). */
final class Closte_Native_Busy extends RuntimeException
{
}
