<?php
/**
 * Retries in flight: the table {base_prefix}closte_wanted (created by Closte_Native_Schema),
 * one row per name (canonical) whose latest domain event is not settled yet: the operation
 * wanted (add or remove), the event's token, the attempt that comes next and when the row
 * was written. Closte_Native_Events writes it before any request and deletes it when the
 * event's work for the name is done; a retry runs only while its token is the row's. The
 * console and `wp closte status` read the rows of the names they show.
 *
 * A read that fails is a failure (Closte_Native_Walk_Error), never "nothing in flight":
 * a retry that could not read its row is rescheduled, not dropped.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Wanted extends Closte_Native_Store
{
    const TABLE = 'closte_wanted';

    /** closte-native 0.3.0 kept one network option per name: prefix . md5(name as typed). Moved here by the schema upgrade. */
    const LEGACY_PREFIX = 'closte_native_wanted_';

    /**
     * The name's record (canonical name): ['name', 'op', 'token', 'attempt', 'since'], or null.
     *
     * @throws Closte_Native_Walk_Error when the row cannot be read
     */
    public function get(string $name): ?array
    {
        return $this->for_names([$name])[$name] ?? null;
    }

    /**
     * The records of `$names` (canonical), name => record, in one query.
     *
     * @param list<string> $names
     * @return array<string, array{name: string, op: string, token: string, attempt: int, since: int}>
     * @throws Closte_Native_Walk_Error
     */
    public function for_names(array $names): array
    {
        $names = array_values(array_unique(array_map('strval', $names)));
        if ($names === []) {
            return [];
        }
        $out = [];
        foreach (array_chunk($names, 1000) as $part) {
            $in = implode(',', array_map(fn ($n) => "'" . esc_sql($n) . "'", $part));
            $out += $this->rows("WHERE name IN ($in)");
        }
        return $out;
    }

    /** Every record, name => record (tests and diagnostics; the faces read for_names()). */
    public function all(): array
    {
        return $this->rows('');
    }

    /** Records what the name's latest event wants, replacing an earlier event's record. */
    public function put(string $name, string $op, string $token, int $attempt): void
    {
        $this->table->install();
        $ok = $this->db->query($this->db->prepare('INSERT INTO ' . $this->name() . ' (name, op, token, attempt, since) VALUES (%s, %s, %s, %d, %d)
            ON DUPLICATE KEY UPDATE op = VALUES(op), token = VALUES(token), attempt = VALUES(attempt), since = VALUES(since)', $name, $op, $token, $attempt, time()));
        if ($ok === false) {
            Closte_Native_Log::add(sprintf('%s %s: its retry record could not be written (%s)', $op, $name, rtrim((string) $this->db->last_error, '.')));
        }
    }

    /** Deletes the name's record when it is still event `$token`'s (a later event's stays). One statement. */
    public function settle(string $name, string $token): void
    {
        $this->table->install();
        $this->db->query($this->db->prepare('DELETE FROM ' . $this->name() . ' WHERE name = %s AND token = %s', $name, $token));
    }

    /**
     * Moves the records closte-native 0.3.0 kept in network options (keyed by the name as
     * typed) into the table, under the canonical name, unless the table has a later one.
     * Returns how many were moved. Called by Closte_Native_Schema once the table exists.
     */
    public function import_legacy(): int
    {
        $rows = $this->db->get_results($this->db->prepare("SELECT meta_key, meta_value FROM {$this->db->sitemeta} WHERE site_id = %d AND meta_key LIKE %s",
            get_current_network_id(), $this->db->esc_like(self::LEGACY_PREFIX) . '%'), ARRAY_N) ?: [];
        $moved = 0;
        foreach ($rows as [$key, $raw]) {
            $r = maybe_unserialize($raw);
            if (is_array($r) && isset($r['name'], $r['op'], $r['token'])) {
                $this->db->query($this->db->prepare('INSERT IGNORE INTO ' . $this->name() . ' (name, op, token, attempt, since) VALUES (%s, %s, %s, %d, %d)',
                    Closte_Native_Name::key((string) $r['name']), (string) $r['op'], (string) $r['token'], (int) ($r['attempt'] ?? 1), time()));
                $moved++;
            }
            delete_network_option(null, (string) $key);
        }
        return $moved;
    }

    /** @throws Closte_Native_Walk_Error */
    private function rows(string $where): array
    {
        $this->table->install();
        $rows = $this->db->get_results('SELECT name, op, token, attempt, since FROM ' . $this->name() . " $where", ARRAY_A);
        if ($this->db->last_error !== '') {
            /* translators: %s: the database's error */
            throw new Closte_Native_Walk_Error(sprintf(__('the retries in flight could not be read (%s)', 'closte-native'), rtrim((string) $this->db->last_error, '.')));
        }
        $out = [];
        foreach ((array) $rows as $r) {
            $out[(string) $r['name']] = ['name' => (string) $r['name'], 'op' => (string) $r['op'], 'token' => (string) $r['token'], 'attempt' => (int) $r['attempt'], 'since' => (int) $r['since']];
        }
        return $out;
    }
}
