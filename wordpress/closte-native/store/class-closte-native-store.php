<?php
/**
 * A small table of the bridge's own, keyed by name, installed with the others
 * (Closte_Native_Schema, behind the status table's schema version): the retries in flight
 * (Closte_Native_Wanted) and the watcher's domains (Closte_Native_Watched).
 */

defined('ABSPATH') || exit;

abstract class Closte_Native_Store
{
    /** The table's name after {$wpdb->base_prefix}. */
    const TABLE = '';

    /** @var wpdb */
    protected $db;
    /** @var Closte_Native_Status_Table its install() creates or upgrades every table */
    protected $table;

    public function __construct(?Closte_Native_Status_Table $table = null, ?wpdb $db = null)
    {
        global $wpdb;
        $this->db = $db ?? $wpdb;
        $this->table = $table ?? new Closte_Native_Status_Table($this->db);
    }

    public function name(): string
    {
        return $this->db->base_prefix . static::TABLE;
    }
}
