<?php
/**
 * The refresh runs, in the table {$wpdb->base_prefix}closte_runs (created with the status
 * table, same schema version): one row per run, the newest is the current one. Processes on
 * several web nodes write the same run (the plan, chunks, sweeps, the finisher), so no
 * writer reads a whole record and writes it back: each writes its own fields with one
 * UPDATE, and finishing is one conditional UPDATE that only one process can win. A chunk's
 * attempts are counted in closte_run_chunks by the database, not in PHP.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Runs
{
    /** Runs kept: the current one and the one before it. */
    const KEEP = 2;

    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var wpdb */
    private $db;

    public function __construct(?Closte_Native_Status_Table $table = null, ?wpdb $db = null)
    {
        global $wpdb;
        $this->table = $table ?? new Closte_Native_Status_Table();
        $this->db = $db ?? $wpdb;
    }

    /**
     * The current (newest) run, or null when none was ever started: id (the time it was asked
     * for, in ms), source, add_missing, why, started_at (when a runner began its first plan
     * step; until then when it was asked for), planned, total, chunks, errors (['closte' => why the alias list could
     * not be read]), unclaimed (the first UNCLAIMED_KEPT), unclaimed_count, plan_ms,
     * finished_at, elapsed_ms, failure (why the run stopped before its end, in words; else null). Always read from the database (another node may have written it).
     */
    public function current(): ?array
    {
        $this->table->install();
        $r = $this->db->get_row('SELECT * FROM ' . $this->table->runs_name() . ' ORDER BY id DESC LIMIT 1', ARRAY_A);
        if (!$r) {
            return null;
        }
        $int = fn ($v) => $v === null ? null : (int) $v;
        return ['id' => (int) $r['id'], 'source' => (string) $r['source'], 'add_missing' => (bool) $r['add_missing'], 'why' => (string) $r['why'],
            'started_at' => (int) $r['started_at'], 'planned' => (bool) $r['planned'], 'total' => $int($r['total']), 'chunks' => $int($r['chunks']),
            'errors' => $r['closte_error'] === null ? [] : ['closte' => (string) $r['closte_error']],
            'unclaimed' => $r['unclaimed'] === null ? null : (array) json_decode((string) $r['unclaimed'], true),
            'unclaimed_count' => $int($r['unclaimed_count']), 'plan_ms' => $r['plan_ms'] === null ? null : (float) $r['plan_ms'],
            'finished_at' => $int($r['finished_at']), 'elapsed_ms' => $r['elapsed_ms'] === null ? null : (float) $r['elapsed_ms'], 'plan_offset' => (int) $r['plan_offset'],
            'plan_at' => $r['plan_at'] === null ? (int) $r['started_at'] : (int) $r['plan_at'],
            'failure' => ($r['failure'] ?? null) === null ? null : (string) $r['failure']];
    }

    /** A new run (it becomes the current one); older runs but the previous are deleted. Returns its id (ms since the epoch). */
    public function start(string $source, bool $add_missing = false, string $why = ''): int
    {
        $this->table->install();
        $t = $this->table->runs_name();
        $current = $this->current(); // the newest run: the new id comes after its
        $id = max((int) round(microtime(true) * 1000), 1 + ($current['id'] ?? 0));
        // A Refresh pressed while the reconcile runs supersedes it: the new run adds what is
        // missing too, or the day's adds would wait for the next day.
        if ($current !== null && $current['finished_at'] === null && $current['add_missing'] && !$add_missing) {
            $add_missing = true;
            $why = $current['why'];
        }
        // Two starts in the same millisecond: the second takes the next id.
        for ($try = 0;; $try++, $id++) {
            if ($this->db->insert($t, ['id' => $id, 'source' => $source, 'add_missing' => $add_missing ? 1 : 0, 'why' => $why, 'started_at' => time()],
                ['%d', '%s', '%d', '%s', '%d'])) {
                break;
            }
            if ($try >= 5 || stripos((string) $this->db->last_error, 'Duplicate') === false) {
                throw new RuntimeException('closte-native: the refresh run could not be recorded: ' . $this->db->last_error);
            }
        }
        $keep = (int) $this->db->get_var($this->db->prepare("SELECT MIN(id) FROM (SELECT id FROM $t ORDER BY id DESC LIMIT %d) AS k", self::KEEP));
        $this->db->query($this->db->prepare("DELETE FROM $t WHERE id < %d", $keep));
        $this->db->query($this->db->prepare('DELETE FROM ' . $this->table->run_chunks_name() . ' WHERE run < %d', $keep));
        return $id;
    }

    /** The plan's first step could not read Closte's list: why, in words. */
    public function closte_error(int $id, string $error): void
    {
        $this->db->update($this->table->runs_name(), ['closte_error' => $error], ['id' => $id], ['%s'], ['%d']);
    }

    /** A runner began the run's first plan step now: its time is counted from here, not from the click (the wait in the queue is not the run's). */
    public function began(int $id): void
    {
        $this->db->query($this->db->prepare('UPDATE ' . $this->table->runs_name() . ' SET started_at = %d WHERE id = %d AND planned = 0 AND started_at <= FLOOR(id / 1000)', time(), $id)); // once
    }

    /** A plan step done: where the next one starts (records), names so far, its time added to the plan's. */
    public function step(int $id, int $offset, int $names, float $ms): void
    {
        $this->db->query($this->db->prepare('UPDATE ' . $this->table->runs_name() . ' SET plan_offset = %d, plan_at = %d, total = %d, plan_ms = COALESCE(plan_ms, 0) + %f WHERE id = %d',
            $offset, time(), $names, $ms, $id));
    }

    /** The plan's last step: names and chunks, what is unclaimed (null when the list could not be read). */
    public function planned(int $id, int $total, int $chunks, ?array $unclaimed, ?int $unclaimed_count, float $ms): void
    {
        $this->db->query($this->db->prepare('UPDATE ' . $this->table->runs_name() . ' SET planned = 1, total = %d, chunks = %d, plan_ms = COALESCE(plan_ms, 0) + %f WHERE id = %d',
            $total, $chunks, $ms, $id));
        if ($unclaimed !== null) {
            $this->unclaimed($id, $unclaimed, (int) $unclaimed_count);
        }
    }

    /** After a change on Closte: the unclaimed aliases again, and the list is readable. */
    public function unclaimed(int $id, array $unclaimed, int $count): void
    {
        $this->db->update($this->table->runs_name(), ['unclaimed' => wp_json_encode(array_values($unclaimed)), 'unclaimed_count' => $count, 'closte_error' => null],
            ['id' => $id], ['%s', '%d', '%s'], ['%d']);
    }

    /** After a change on Closte, its list could not be read: what is unclaimed is unknown again, and why (in words). */
    public function unclaimed_unknown(int $id, string $error): void
    {
        $this->db->query($this->db->prepare('UPDATE ' . $this->table->runs_name() . ' SET unclaimed = NULL, unclaimed_count = NULL, closte_error = %s WHERE id = %d', $error, $id));
    }

    /** Counts one more attempt of a chunk (the first is 1) and returns its number. */
    public function attempt(int $id, int $chunk): int
    {
        $t = $this->table->run_chunks_name();
        $this->db->query($this->db->prepare("INSERT INTO $t (run, chunk, attempts) VALUES (%d, %d, 2) ON DUPLICATE KEY UPDATE attempts = attempts + 1", $id, $chunk));
        return (int) $this->db->get_var($this->db->prepare("SELECT attempts FROM $t WHERE run = %d AND chunk = %d", $id, $chunk));
    }

    /** Ends the run as failed, saying why in words (a plan step that kept failing): it is finished, and not planned. */
    public function fail(int $id, string $why, float $elapsed_ms): void
    {
        $this->db->query($this->db->prepare('UPDATE ' . $this->table->runs_name() . ' SET failure = %s, finished_at = %d, elapsed_ms = %f WHERE id = %d AND finished_at IS NULL',
            $why, time(), $elapsed_ms, $id));
    }

    /** Marks the run finished; true for the one process whose UPDATE did it (several may try at once). */
    public function finish(int $id, float $elapsed_ms): bool
    {
        return (int) $this->db->query($this->db->prepare('UPDATE ' . $this->table->runs_name() . ' SET finished_at = %d, elapsed_ms = %f WHERE id = %d AND finished_at IS NULL',
            time(), $elapsed_ms, $id)) === 1;
    }
}
