<?php
/**
 * The refresh's supervisor (Closte_Native_Refresh::SWEEP_HOOK, every SWEEP_EVERY seconds
 * while a run is unfinished, after each chunk, and from the console's progress poll):
 * a plan step or chunk whose worker died gets a new attempt, one that keeps failing is
 * given up after CHUNK_ATTEMPTS and says why, and the run is finished once every chunk
 * is. Idempotent and safe from any process: nothing in it depends on the runner that met
 * a dead action surviving.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Supervisor
{
    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var Closte_Native_Runs */
    private $runs;

    public function __construct(Closte_Native_Status_Table $table, Closte_Native_Runs $runs)
    {
        $this->table = $table;
        $this->runs = $runs;
    }

    /**
     * Every chunk of the run that still has names to check and no action pending or
     * running gets a new attempt; when none is left the run is finished. Idempotent, and
     * safe to run from any process at any time.
     */
    public function sweep($id = 0): void
    {
        $id = (int) $id;
        $run = $this->runs->current();
        if ($run === null || $run['id'] !== $id || !empty($run['finished_at'])) {
            return;
        }
        if (empty($run['planned'])) {
            $this->sweep_plan($run);
            return;
        }
        $unfinished = $this->table->unfinished_chunks($id);
        if ($unfinished === []) {
            $this->finish($id);
            return;
        }
        $this->sweep_chunks($id, $unfinished);
        if ($this->table->unfinished_chunks($id) === []) {
            $this->finish($id); // the last ones were given up
            return;
        }
        $this->keep_sweeping($id);
    }

    /** Enqueues a new attempt of each unfinished chunk with no action waiting, or gives it up after CHUNK_ATTEMPTS. */
    private function sweep_chunks(int $id, array $unfinished): void
    {
        $queued = array_fill_keys(array_map(fn ($args) => (int) ($args[1] ?? -1), self::waiting_for(Closte_Native_Refresh::CHUNK_HOOK, $id)), true);
        foreach ($unfinished as $chunk) {
            if (!isset($queued[$chunk])) {
                $attempt = $this->runs->attempt($id, $chunk);
                if ($attempt > Closte_Native_Refresh::CHUNK_ATTEMPTS) {
                    // A chunk that keeps failing is not run forever: its names say they were not
                    // checked, and why, and the run can finish.
                    /* translators: %d: how many times the chunk failed */
                    $why = sprintf(__('not checked: its chunk of the refresh failed %d times (its action failed or its worker died each time; Tools → Scheduled Actions, hook closte_native_refresh_chunk, says why)', 'closte-native'), $attempt - 1);
                    $this->table->give_up($id, $chunk, $why);
                    Closte_Native_Log::add(sprintf('refresh: chunk %d of run %d failed %d times: given up, its names marked not checked', $chunk, $id, $attempt - 1));
                    continue;
                }
                Closte_Native_Log::add(sprintf('refresh: chunk %d of run %d had no worker left (its action failed or vanished): enqueued again, attempt %d', $chunk, $id, $attempt));
                Closte_Native_Queue::schedule(Closte_Native_Refresh::CHUNK_HOOK, [$id, $chunk, $attempt]);
            }
        }
    }

    /**
     * Makes sure run `$id` has a sweep to come: one pending SWEEP_HOOK action of its own.
     * Pending only (a sweep running now is about to end) and this run's only (a finished
     * run's sweep, still pending, does nothing for this one).
     */
    public function keep_sweeping(int $id): void
    {
        if (self::waiting_for(Closte_Native_Refresh::SWEEP_HOOK, $id, true) === []) {
            Closte_Native_Queue::schedule(Closte_Native_Refresh::SWEEP_HOOK, [$id], Closte_Native_Refresh::SWEEP_EVERY);
        }
    }

    /** The args of run `$id`'s waiting `$hook` actions (Closte_Native_Queue::waiting(); a run's id is their first arg). */
    private static function waiting_for(string $hook, int $id, bool $pending_only = false): array
    {
        return array_values(array_filter(Closte_Native_Queue::waiting($hook, $pending_only), fn ($args) => (int) ($args[0] ?? 0) === $id));
    }

    /**
     * A plan step whose worker died (no plan action pending or running for the run, and no
     * step finished for SWEEP_EVERY seconds — a step saves where it stopped a moment before
     * it enqueues the next): the step is enqueued again from where the last one stopped.
     */
    private function sweep_plan(array $run): void
    {
        $id = $run['id'];
        if (self::waiting_for(Closte_Native_Refresh::HOOK, $id) === [] && time() - $run['plan_at'] >= Closte_Native_Refresh::SWEEP_EVERY) {
            $offset = (int) $run['plan_offset'];
            // A plan step's attempts are counted as a chunk's, under a number no chunk has.
            $attempt = $this->runs->attempt($id, Closte_Native_Refresh::PLAN_ATTEMPTS_KEY);
            if ($attempt > Closte_Native_Refresh::CHUNK_ATTEMPTS) {
                // A plan step that keeps failing is not run forever: the run ends and says so.
                /* translators: 1: the record the step starts at, 2: how many times it failed */
                $why = sprintf(__('the refresh stopped: reading the domain records from record %1$d failed %2$d times (its action failed or its worker died each time; Tools → Scheduled Actions, hook closte_native_refresh, says why)', 'closte-native'),
                    $offset, $attempt - 1);
                Closte_Native_Log::add(sprintf('refresh: the plan of run %d failed %d times at record %d: given up', $id, $attempt - 1, $offset));
                $this->runs->fail($id, $why, round((microtime(true) - $id / 1000) * 1000, 1));
                return;
            }
            Closte_Native_Log::add(sprintf('refresh: the plan of run %d had no worker left (its action failed or vanished): enqueued again from record %d', $id, $offset));
            Closte_Native_Queue::schedule(Closte_Native_Refresh::HOOK, $offset === 0 ? [$id] : [$id, $offset, (int) $run['total']]);
        }
        $this->keep_sweeping($id);
    }

    /**
     * Every name checked: the run's time is kept; a reconcile's counts and the certificates
     * that need attention are logged. Runners on several nodes may find the last
     * chunk done at the same moment: one conditional UPDATE decides which of them finishes.
     */
    public function finish(int $id): void
    {
        $run = $this->runs->current();
        // From the moment a runner began it (Closte_Native_Runs::began()), not from the click:
        // the wait in the queue is the runners', not the run's.
        $began = max($id / 1000, (float) ($run['started_at'] ?? 0));
        $elapsed = round((microtime(true) - $began) * 1000, 1);
        if ($run === null || $run['id'] !== $id || !$this->runs->finish($id, $elapsed)) {
            return;
        }
        if ($run['source'] === 'reconcile') {
            // The alerts themselves are a query of the table when shown (Closte_Native_Reconcile::alerts()).
            foreach ($this->table->certificate_alerts() as $name => $a) {
                Closte_Native_Log::add(sprintf('reconcile: certificate of %s needs attention: %s (%s)', $name, $a['error'], $a['reason']));
            }
        }
        if ($run['add_missing']) {
            foreach ($this->table->invalid(1000) as $domain => $problem) {
                Closte_Native_Log::add(Closte_Native_Reconcile::label($run['why']) . ": $domain is not a valid domain name, not sent: $problem");
            }
        }
        if ($run['add_missing'] && empty($run['errors']['closte'])) {
            [$added, $unchanged, $failed] = $this->table->add_counts($id);
            Closte_Native_Log::add(sprintf('%s: %d added, %d already on Closte, %d failed', Closte_Native_Reconcile::label($run['why']), $added, $unchanged, $failed));
        }
        Closte_Native_Log::add(sprintf('refresh: %d names checked in %d chunks, %.1f s', (int) $run['total'], (int) $run['chunks'], $elapsed / 1000));
    }
}
