<?php
/**
 * The refresh: the run engine's entry points and settings. A run is a row of
 * Closte_Native_Runs; its work is Action Scheduler actions (Closte_Native_Queue, the one
 * scheduler), taken by any runner on any node (Closte_Native_Runner):
 *
 *   start() ─▶ HOOK: Closte_Native_Planner     reads Closte's list once and the records a
 *                                               page at a time, rebuilds the ledger, writes
 *                                               the status table, enqueues the chunks
 *              CHUNK_HOOK: Closte_Native_Chunk_Worker   adds (reconcile, Sync) then checks
 *                                               DNS and certificates of 500 names
 *              SWEEP_HOOK: Closte_Native_Supervisor     re-runs what died, gives up what keeps
 *                                               failing, finishes the run
 *
 * The daily reconcile runs the same work with add_missing (and a Refresh pressed while it
 * runs keeps it): each chunk first adds its names the plan found missing on Closte, through
 * the ledger (which decides again at send time), and its rows say what happened (added_run,
 * add_error); the run's end counts them. A run that is not the current one (a newer Refresh
 * was pressed) does nothing.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Refresh
{
    const HOOK = 'closte_native_refresh';
    const CHUNK_HOOK = 'closte_native_refresh_chunk';
    const SWEEP_HOOK = 'closte_native_refresh_sweep';
    const CHUNK_SIZE = 500;
    const SWEEP_EVERY = 60;
    /** Attempts of one chunk or plan step (the first included) before the sweep gives it up. */
    const CHUNK_ATTEMPTS = 5;
    /** The plan's attempts are counted in closte_run_chunks under this chunk number (no chunk has it). */
    const PLAN_ATTEMPTS_KEY = 4294967295;
    /** Unclaimed aliases kept for the console (the count is kept in full). */
    const UNCLAIMED_KEPT = 1000;
    /** Domain records one plan step reads (filter closte_native_plan_records): ~1 s of work each. */
    const PLAN_RECORDS = 5000;
    /**
     * Records a step reads again of the step before it: a record deleted meanwhile shifts
     * the later ones back, and the re-read keeps the one at the boundary from being skipped
     * (a name read twice is written twice, nothing more).
     */
    const PLAN_OVERLAP = 50;

    /** Seconds a refresh may wait in the queue before its progress line says how a runner comes. */
    const QUEUED_HINT_AFTER = 60;

    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var Closte_Native_Runs */
    private $runs;
    /** @var Closte_Native_Planner */
    private $planner;
    /** @var Closte_Native_Chunk_Worker */
    private $worker;
    /** @var Closte_Native_Supervisor */
    private $supervisor;

    public function __construct(?Closte_Native_Status_Table $table = null, ?Closte_Native_Inventory $inventory = null, ?Closte_Native_Runs $runs = null,
        ?Closte_Native_Ledger $ledger = null)
    {
        $this->table = $table ?? new Closte_Native_Status_Table();
        $ledger ??= new Closte_Native_Ledger($inventory, $this->table);
        $inventory ??= new Closte_Native_Inventory($ledger);
        $this->runs = $runs ?? new Closte_Native_Runs($this->table);
        $this->supervisor = new Closte_Native_Supervisor($this->table, $this->runs);
        $this->planner = new Closte_Native_Planner($this->table, $inventory, $this->runs, $ledger, $this->supervisor);
        $this->worker = new Closte_Native_Chunk_Worker($this->table, $this->runs, $ledger, $this->supervisor);
    }

    public function register(): void
    {
        add_action(self::HOOK, [$this->planner, 'plan'], 10, 3);
        add_action(self::CHUNK_HOOK, [$this->worker, 'chunk'], 10, 3);
        add_action(self::SWEEP_HOOK, [$this->supervisor, 'sweep'], 10, 1);
        // Action Scheduler's settings stay as the site has them: the chunks spread over
        // runners through the bridge's own share of each runner (Closte_Native_Runner).
    }

    /** Names a chunk of a refresh checks. */
    public static function chunk_size(): int
    {
        /**
         * Filters the names one chunk of a refresh checks (one DNS batch, one certificate batch,
         * one action): 1 to 5000. Smaller chunks spread over more runners.
         *
         * @since 0.4.0
         *
         * @param int $names Default CHUNK_SIZE (500).
         *
         * Example: larger chunks on a fast single node.
         *
         *     add_filter('closte_native_chunk_size', fn () => 1000);
         */
        $n = apply_filters('closte_native_chunk_size', self::CHUNK_SIZE);
        return is_numeric($n) && $n >= 1 ? min((int) $n, 5000) : self::CHUNK_SIZE;
    }

    /** Domain records one plan step reads. */
    public static function plan_records(): int
    {
        /**
         * Filters how many domain records one plan step reads (one action, about a second of
         * work at the default): at least 2 × PLAN_OVERLAP.
         *
         * @since 0.4.0
         *
         * @param int $records Default PLAN_RECORDS (5000).
         *
         * Example: shorter steps for a runner with a tight time limit.
         *
         *     add_filter('closte_native_plan_records', fn () => 1000);
         */
        $n = apply_filters('closte_native_plan_records', self::PLAN_RECORDS);
        return is_numeric($n) && $n >= 1 ? max((int) $n, self::PLAN_OVERLAP * 2) : self::PLAN_RECORDS;
    }

    /** The current (or last) run, or null when no refresh was ever started (Closte_Native_Runs::current()). */
    public static function run(): ?array
    {
        return (new Closte_Native_Runs())->current();
    }

    /**
     * Enqueues a refresh (the plan) and returns its id. Sends nothing itself. With
     * `$add_missing` (the reconcile) its chunks also add the names missing on Closte;
     * `$why` is the reconcile's ('daily', 'after_failure').
     */
    public static function start(string $source = 'console', bool $add_missing = false, string $why = ''): int
    {
        $id = (new Closte_Native_Runs())->start($source, $add_missing, $why);
        Closte_Native_Queue::schedule(self::HOOK, [$id]);
        return $id;
    }

    /** The whole plan in this process, enqueueing nothing (wp closte refresh --inline). */
    public function plan_inline(int $id): void
    {
        $this->planner->plan_inline($id);
    }

    /** A chunk's adds in this process (wp closte refresh --inline; Closte_Native_Chunk_Worker::add_chunk()). */
    public function add_chunk(int $id, int $chunk): void
    {
        $this->worker->add_chunk($id, $chunk);
    }

    /** Checks `$names` now and writes their rows in run `$id` (Closte_Native_Chunk_Worker::check()). */
    public function check(array $names, int $id): array
    {
        return $this->worker->check($names, $id);
    }

    /** Looks at run `$id` now (Closte_Native_Supervisor::sweep()). */
    public function sweep($id = 0): void
    {
        $this->supervisor->sweep($id);
    }

    /** What the console's progress line says: checked, total, runners, done, in words. */
    public function progress(): array
    {
        $run = $this->runs->current();
        if ($run === null) {
            return ['state' => 'none', 'text' => __('Not checked yet: press Refresh to ask Closte, DNS and every certificate.', 'closte-native')];
        }
        if (($run['failure'] ?? null) !== null) {
            return ['state' => 'failed', 'run' => $run['id'], 'text' => ucfirst((string) $run['failure']) . '. ' . __('Press Refresh to try again.', 'closte-native')];
        }
        if (empty($run['planned']) && (int) $run['plan_offset'] > 0) {
            /* translators: %s: names read so far */
            return ['state' => 'planning', 'run' => $run['id'], 'text' => sprintf(__('Reading the domain records: %s names so far.', 'closte-native'), number_format_i18n((int) $run['total']))];
        }
        if (empty($run['planned'])) {
            $waited = time() - (int) $run['started_at'];
            if ($waited >= self::QUEUED_HINT_AFTER) {
                // Nothing took it: say where the runner comes from, not only that it is awaited.
                $how = Closte_Native_Queue::action_scheduler()
                    ? __('Action Scheduler runs its queue on WP-Cron, at visits to the site (a site with DISABLE_WP_CRON needs a system cron that calls wp-cron.php), or with `wp action-scheduler run`; Tools → Scheduled Actions shows what waits.', 'closte-native')
                    : __('WP-Cron runs it at visits to the site (a site with DISABLE_WP_CRON needs a system cron that calls wp-cron.php), or `wp cron event run --due-now`.', 'closte-native');
                /* translators: 1: how long ago it was queued, 2: where a queue runner comes from */
                return ['state' => 'queued', 'run' => $run['id'], 'stalled' => true, 'text' => sprintf(__('Refresh queued %1$s ago and not started: no queue runner has taken it yet. %2$s', 'closte-native'),
                    human_time_diff((int) $run['started_at']), $how)];
            }
            return ['state' => 'queued', 'run' => $run['id'], 'text' => __('Refresh queued: waiting for a runner to read the domains and Closte\'s aliases.', 'closte-native')];
        }
        [$total, $checked] = $this->table->progress((int) $run['id']);
        if (!empty($run['finished_at'])) {
            return ['state' => 'done', 'run' => $run['id'], 'total' => $total, 'checked' => $checked,
                /* translators: 1: how long ago, 2: the time, 3: names, 4: seconds the run took */
                'text' => sprintf(_n('Last checked %1$s ago (%2$s UTC): %3$s name in %4$.1f s.', 'Last checked %1$s ago (%2$s UTC): %3$s names in %4$.1f s.', $total, 'closte-native'), human_time_diff((int) $run['finished_at']),
                    gmdate('Y-m-d H:i:s', (int) $run['finished_at']), number_format_i18n($total), ((float) ($run['elapsed_ms'] ?? 0)) / 1000)];
        }
        $runners = Closte_Native_Queue::running(self::CHUNK_HOOK);
        return ['state' => 'running', 'run' => $run['id'], 'total' => $total, 'checked' => $checked, 'runners' => $runners,
            /* translators: 1: names checked, 2: names in all, 3: runners at work */
            'text' => sprintf(_n('%1$s of %2$s checked, %3$d runner', '%1$s of %2$s checked, %3$d runners', $runners, 'closte-native'),
                number_format_i18n($checked), number_format_i18n($total), $runners)];
    }
}
