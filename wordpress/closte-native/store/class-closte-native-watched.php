<?php
/**
 * The watcher's record of the domains it follows: the table {base_prefix}closte_watched
 * (created by Closte_Native_Schema), one row per waiting (or revivable) domain, canonical:
 * its record's id, what it waits for (dns or certificate), its stage, whether it is being
 * revived, when the watcher last checked it and its verdict in words (and its www. twin's),
 * and the stage at which Ultimate Multisite's own check last disagreed (held). Each tick
 * writes the domains it follows and deletes the others, so a domain no longer waiting
 * leaves at once. The console reads the rows of the names it shows.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Watched extends Closte_Native_Store
{
    const TABLE = 'closte_watched';

    /**
     * Every followed domain, canonical name => entry (id, for, revive, stage, checked_at,
     * verdict, twin: [name, verdict] or null, held).
     */
    public function all(): array
    {
        return $this->rows('');
    }

    /** The entries of `$names` (canonical), in one query per thousand. */
    public function for_names(array $names): array
    {
        $out = [];
        foreach (array_chunk(array_values(array_unique(array_map('strval', $names))), 1000) as $part) {
            $out += $this->rows('WHERE name IN (' . implode(',', array_map(fn ($n) => "'" . esc_sql($n) . "'", $part)) . ')');
        }
        return $out;
    }

    /** The tick's domains (canonical name => entry, as all() returns them): written, and every other row deleted. */
    public function replace(array $domains): void
    {
        $this->table->install();
        $t = $this->name();
        if ($domains === []) {
            $this->db->query("DELETE FROM $t");
            return;
        }
        $tick = wp_generate_uuid4();
        $values = [];
        foreach ($domains as $name => $e) {
            $twin = is_array($e['twin'] ?? null) ? $e['twin'] : [null, null];
            $values[] = '(' . implode(',', array_map([self::class, 'literal'], [(string) $name, (int) ($e['id'] ?? 0), (string) ($e['for'] ?? ''), (string) ($e['stage'] ?? ''),
                empty($e['revive']) ? 0 : 1, $e['checked_at'] ?? null, $e['verdict'] ?? null, $twin[0], $twin[1], $e['held'] ?? null, $tick])) . ')';
        }
        foreach (array_chunk($values, 500) as $part) {
            $this->db->query("INSERT INTO $t (name, domain_id, for_check, stage, revive, checked_at, verdict, twin, twin_verdict, held, tick) VALUES " . implode(',', $part)
                . ' ON DUPLICATE KEY UPDATE domain_id = VALUES(domain_id), for_check = VALUES(for_check), stage = VALUES(stage), revive = VALUES(revive),
                checked_at = VALUES(checked_at), verdict = VALUES(verdict), twin = VALUES(twin), twin_verdict = VALUES(twin_verdict), held = VALUES(held), tick = VALUES(tick)');
        }
        $this->db->query($this->db->prepare("DELETE FROM $t WHERE tick <> %s", $tick));
    }

    /** A value as SQL: NULL, a number, or a quoted string. */
    private static function literal($v): string
    {
        return $v === null ? 'NULL' : (is_int($v) ? (string) $v : "'" . esc_sql((string) $v) . "'");
    }

    private function rows(string $where): array
    {
        $this->table->install();
        $rows = $this->db->get_results('SELECT * FROM ' . $this->name() . " $where ORDER BY name", ARRAY_A) ?: [];
        $out = [];
        foreach ($rows as $r) {
            $out[(string) $r['name']] = [
                'id' => (int) $r['domain_id'],
                'for' => (string) $r['for_check'],
                'revive' => (bool) $r['revive'],
                'stage' => (string) $r['stage'],
                'checked_at' => $r['checked_at'] === null ? null : (int) $r['checked_at'],
                'verdict' => $r['verdict'] === null ? null : (string) $r['verdict'],
                'twin' => $r['twin'] === null ? null : [(string) $r['twin'], (string) $r['twin_verdict']],
                'held' => $r['held'] === null ? null : (string) $r['held'],
            ];
        }
        return $out;
    }
}
