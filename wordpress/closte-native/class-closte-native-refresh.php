<?php
/**
 * Refresh as queued work. start() (the console's button, the daily reconcile) only enqueues
 * the plan: one action (HOOK) that reads the domain records and Closte's aliases once,
 * writes every name's record columns into the status table in multi-row upserts, each name
 * with its chunk number, and enqueues one CHUNK_HOOK action per chunk of 500 names (filter
 * closte_native_chunk_size). A chunk reads its names from the table, makes one
 * check_dns_many() and one check_ssl_many(), and writes them back in one multi-row upsert:
 * chunks run at once on as many runners (web nodes) as claim them. A chunk whose worker
 * died is run again: Action Scheduler marks such an action failed after its timeout and
 * never retries it itself, so sweep() — run by a SWEEP_HOOK action every SWEEP_EVERY
 * seconds while the run is unfinished, after each chunk, and by the console's progress
 * poll — enqueues a new attempt for every chunk that still has unchecked names and no
 * pending or running action. Nothing in it depends on the runner that met the dead action
 * surviving. A name checked twice is only a wasted check.
 *
 * The daily reconcile runs the same work with add_missing (and a Refresh pressed while
 * it runs keeps it): each chunk first adds its names the plan found missing on Closte, with one
 * add_domains() (which reads Closte's list again, so a chunk run twice sends nothing twice),
 * and its rows say what happened (added_run, add_error); the run's end counts them.
 * The run record is a row of Closte_Native_Runs, written field by field.
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

    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var Closte_Native_Inventory */
    private $inventory;
    /** @var Closte_Native_Runs */
    private $runs;
    /** @var Closte_Native_Ledger */
    private $ledger;

    public function __construct(?Closte_Native_Status_Table $table = null, ?Closte_Native_Inventory $inventory = null, ?Closte_Native_Runs $runs = null,
        ?Closte_Native_Ledger $ledger = null)
    {
        $this->table = $table ?? new Closte_Native_Status_Table();
        $this->ledger = $ledger ?? new Closte_Native_Ledger($inventory, $this->table);
        $this->inventory = $inventory ?? new Closte_Native_Inventory($this->ledger);
        $this->runs = $runs ?? new Closte_Native_Runs($this->table);
    }

    public function register(): void
    {
        add_action(self::HOOK, [$this, 'plan'], 10, 3);
        add_action(self::CHUNK_HOOK, [$this, 'chunk'], 10, 3);
        add_action(self::SWEEP_HOOK, [$this, 'sweep'], 10, 1);
        // Action Scheduler 3.8.2 claims 25 actions per batch: a handful of chunks would all
        // go to the first runner. While a refresh runs, each claim takes one action.
        add_filter('action_scheduler_queue_runner_batch_size', [$this, 'claim_size'], 20);
        // And by default it lets one batch (claim) exist at a time, so a second runner, on
        // this node or another, would find the queue "busy". While a refresh runs, up to
        // RUNNERS claims may coexist (filter closte_native_runners).
        add_filter('action_scheduler_queue_runner_concurrent_batches', [$this, 'concurrent_batches'], 20);
        // And one runner request keeps claiming until 30 s are (nearly) used: while a
        // refresh runs, it takes no further action once the next one would likely end past
        // RUNNER_SECONDS (filter closte_native_runner_seconds), so a web node's cron request
        // stays short and the next request (any node) takes the next chunk.
        add_filter('action_scheduler_maximum_execution_time_likely_to_be_exceeded', [$this, 'request_budget'], 20, 5);
    }

    /** Seconds one runner request may spend on a refresh's actions (filter closte_native_runner_seconds, default 4). */
    const RUNNER_SECONDS = 4;

    public function request_budget($likely, $runner = null, $processed = 0, $elapsed = 0.0, $max = 0)
    {
        // Only web requests have a time limit to keep (php-fpm's, a proxy's); a runner on the
        // command line (WP-CLI, system cron) keeps Action Scheduler's own rule.
        if ($likely || (int) $processed < 1 || PHP_SAPI === 'cli') {
            return $likely;
        }
        if ($this->active() === null) {
            return $likely;
        }
        $budget = apply_filters('closte_native_runner_seconds', self::RUNNER_SECONDS);
        $budget = is_numeric($budget) && $budget > 0 ? (float) $budget : (float) self::RUNNER_SECONDS;
        return (float) $elapsed + (float) $elapsed / (int) $processed > $budget;
    }

    /** Runners that may work on a refresh at once (filter closte_native_runners, default 4). */
    const RUNNERS = 4;

    public function concurrent_batches($n)
    {
        if ($this->active() === null) {
            return $n;
        }
        $want = apply_filters('closte_native_runners', self::RUNNERS);
        return max((int) $n, is_numeric($want) ? (int) $want : self::RUNNERS);
    }

    public static function chunk_size(): int
    {
        $n = apply_filters('closte_native_chunk_size', self::CHUNK_SIZE);
        return is_numeric($n) && $n >= 1 ? min((int) $n, 5000) : self::CHUNK_SIZE;
    }

    public function claim_size($size)
    {
        return $this->active() !== null ? 1 : $size;
    }

    /** The unfinished run as Action Scheduler's filters last read it, and when (see active()). */
    private static $active = null;
    private static $active_read = 0.0;

    /**
     * The current run while it is unfinished, else null, for Action Scheduler's filters: they
     * run for every batch and, request_budget, after every action a web runner processes,
     * site-wide, so the run's row is read at most once a second per process. A run started
     * or finished in this process is seen at once; one started on another node within the
     * second (a claim of 25 instead of 1 meanwhile: the chunks are shared out less evenly).
     */
    private function active(): ?array
    {
        if (microtime(true) - self::$active_read >= 1.0) {
            $run = $this->runs->current();
            self::$active = $run !== null && empty($run['finished_at']) ? $run : null;
            self::$active_read = microtime(true);
        }
        return self::$active;
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
        self::$active_read = 0.0; // Action Scheduler's filters read the new run
        Closte_Native_Queue::schedule(self::HOOK, [$id]);
        return $id;
    }

    /** Domain records one plan step reads (filter closte_native_plan_records): ~1 s of work each. */
    const PLAN_RECORDS = 5000;
    /**
     * Records a step reads again of the step before it: a record deleted meanwhile shifts
     * the later ones back, and the re-read keeps the one at the boundary from being skipped
     * (a name read twice is written twice, nothing more).
     */
    const PLAN_OVERLAP = 50;

    public static function plan_records(): int
    {
        $n = apply_filters('closte_native_plan_records', self::PLAN_RECORDS);
        return is_numeric($n) && $n >= 1 ? max((int) $n, self::PLAN_OVERLAP * 2) : self::PLAN_RECORDS;
    }

    /**
     * The plan, as a chain of actions of bounded size: the first step reads Closte's alias
     * names once into the run's alias rows (closte_run_aliases); each step reads up to
     * plan_records() domain records a page at a time, writes every name's record columns
     * (on Closte or not, from the alias rows) with its chunk number, enqueues the chunks it
     * completed, saves where it stopped and enqueues the next step. The last one lists the
     * unclaimed aliases (one anti-join), removes rows of names no longer mapped, and
     * schedules the sweep — which also restarts a step whose worker died. A run that is
     * not the current one (a newer Refresh was pressed) does nothing.
     */
    public function plan($id = 0, $offset = 0, $names = 0): void
    {
        $this->plan_step((int) $id, (int) $offset, (int) $names, false);
    }

    /** The whole plan in this process, enqueueing nothing (wp closte refresh --inline). */
    public function plan_inline(int $id): void
    {
        for ($guard = 0; $guard < 100000; $guard++) {
            $run = $this->runs->current();
            if ($run === null || $run['id'] !== $id || $run['planned']) {
                return;
            }
            $this->plan_step($id, (int) $run['plan_offset'], (int) $run['total'], true);
        }
    }

    private function plan_step(int $id, int $offset, int $i, bool $inline): void
    {
        $run = $this->runs->current();
        if ($run === null || $run['id'] !== $id || $run['planned'] || $offset !== (int) $run['plan_offset']) {
            return; // superseded, done, or a step that already ran (a duplicate action)
        }
        $start = microtime(true);
        if ($offset === 0) {
            if (!$inline) {
                $this->keep_sweeping($id); // from the first step on: it also restarts a plan step whose worker died
            }
            $this->read_aliases($run);
            $run = $this->runs->current();
        }
        $known = empty($run['errors']['closte']);
        $size = self::chunk_size();
        $budget = self::plan_records();
        $from = max(0, $offset - ($offset > 0 ? self::PLAN_OVERLAP : 0));
        $before = $i;
        $next = null;
        foreach ($this->inventory->pages(500, $from, true) as $at => $page) {
            if ($at - $from >= $budget) {
                $next = $at; // the next step starts with this page
                break;
            }
            // A www. twin on Closte whose domain is mapped is that domain's, whatever the www.
            // setting says now (an install upgraded from a bridge without the ledger): claimed.
            $twins = [];
            foreach ($page as $d) {
                if ($d['invalid'] === null && $d['twin'] !== null && !in_array($d['twin'], $d['names'], true)) {
                    $twins[] = $d['twin'];
                }
            }
            $listed = $known && $twins !== [] ? array_flip($this->table->aliases_among($id, $twins)) : [];
            $rows = [];
            $claims = [];
            $typed = [];
            foreach ($page as $d) {
                $names = $d['invalid'] === null ? $d['names'] : [strtolower($d['domain'])];
                if ($d['invalid'] === null && $d['twin'] !== null && isset($listed[$d['twin']]) && !in_array($d['twin'], $names, true)) {
                    $names[] = $d['twin'];
                }
                if ($d['invalid'] === null) {
                    $claims[$d['canonical']] = $names;
                    $typed[$d['canonical']] = $d['domain'];
                }
                foreach ($names as $k => $name) {
                    $rows[] = ['name' => $name, 'domain' => $d['domain'], 'is_twin' => $k > 0 ? 1 : 0, 'site_id' => $d['site_id'], 'site' => mb_substr($d['site'], 0, 191),
                        'stage' => (string) $d['stage'], 'stage_label' => mb_substr((string) ($d['stage_label'] ?? ''), 0, 64), 'wanted' => $d['wanted'] ? 1 : 0,
                        'invalid' => $d['invalid'], 'on_closte' => $known && $d['invalid'] === null ? 0 : null, 'add_error' => null,
                        'run' => $id, 'planned_from' => $offset, 'chunk' => null, 'checked_run' => $id];
                }
            }
            $this->ledger->record_many($claims, $typed); // the ledger, rebuilt by every walk
            if ($at < $offset && $rows !== []) {
                // The overlap with the step before: names it wrote keep their chunk (a dead
                // attempt of this very step does not count: its rows are written again alike).
                $have = array_flip($this->table->names_in_run($id, array_column($rows, 'name'), $offset));
                $rows = array_values(array_filter($rows, fn ($r) => !isset($have[$r['name']])));
            }
            foreach ($rows as &$row) {
                if ($row['invalid'] === null) {
                    $row['chunk'] = intdiv($i++, $size);
                    $row['checked_run'] = 0;
                }
            }
            unset($row);
            if ($known && $rows !== []) {
                $on = array_flip($this->table->aliases_among($id, array_column($rows, 'name')));
                foreach ($rows as &$row) {
                    if ($row['on_closte'] === 0 && isset($on[$row['name']])) {
                        $row['on_closte'] = 1;
                    }
                }
                unset($row);
            }
            $this->table->upsert($rows);
        }
        // The chunks this step completed (a chunk's names are all written once a later name
        // starts the next chunk), and with the last step the last chunk.
        $first = intdiv($before, $size);
        $complete = $next === null ? (int) ceil($i / $size) : intdiv($i, $size);
        if (!$inline) {
            for ($c = $first; $c < $complete; $c++) {
                Closte_Native_Queue::schedule(self::CHUNK_HOOK, [$id, $c, 1]);
            }
        }
        $ms = round((microtime(true) - $start) * 1000, 1);
        if ($next !== null) {
            $this->runs->step($id, $next, $i, $ms);
            if (!$inline) {
                Closte_Native_Queue::schedule(self::HOOK, [$id, $next, $i]);
            }
            return;
        }
        // The last step: every record was read (a page the database could not read throws,
        // and the step is run again), so claims of domains the walk did not meet are checked
        // against the records once more and go when nothing maps them.
        $this->ledger->release($this->table->claimants_not_in_run($id, (int) floor($id / 1000)));
        $this->table->delete_other_runs($id);
        [$unclaimed, $unclaimed_count] = $known ? $this->table->unclaimed_aliases($id, self::UNCLAIMED_KEPT, Closte_Native_Ledger::protected_names()) : [null, null];
        $this->table->forget_aliases($id);
        $total = $this->table->progress($id)[0];
        $this->runs->planned($id, $total, $complete, $unclaimed, $unclaimed_count, $ms);
        if ($complete === 0) {
            $this->finish($id);
        } elseif (!$inline) {
            $this->keep_sweeping($id);
        }
    }

    /**
     * The first step's list read: Closte's alias names once (a string each, canonical: a
     * sixth of list_domains()' memory), into the run's alias rows, 1,000 a statement. When
     * the list cannot be read the run says why, and for the reconcile the outage is logged
     * (and retried within the hour when retryable).
     */
    private function read_aliases(array $run): void
    {
        try {
            $names = Closte\list_domain_names(['timeout' => Closte_Native_Console::timeout()]);
        } catch (Throwable $e) {
            $this->runs->closte_error($run['id'], Closte_Native::explain($e));
            if ($run['add_missing']) {
                Closte_Native_Reconcile::outage($e, $run['why']);
            }
            return;
        }
        $this->table->store_aliases($run['id'], $names);
    }

    /**
     * One chunk: its unchecked names, one DNS batch, one certificate batch, one upsert.
     * A check that could not run at all makes its verdict unknown and says why (its last
     * verdict stays, shown as such); the names count as checked (the next Refresh asks again).
     */
    public function chunk($id = 0, $chunk = 0, $attempt = 1): void
    {
        $id = (int) $id;
        $run = $this->runs->current();
        if ($run === null || $run['id'] !== $id) {
            return; // an older run: a newer Refresh took over
        }
        $this->adds($run, (int) $chunk);
        $this->check($this->table->chunk($id, (int) $chunk), $id);
        $this->sweep($id);
    }

    /**
     * The adds of one chunk, when its run adds (the reconcile's, or Sync now's in the
     * background) and its list read worked: chunk() runs them before its checks, and so does
     * `wp closte refresh --inline`, which may take over such a run.
     */
    public function add_chunk(int $id, int $chunk): void
    {
        $run = $this->runs->current();
        if ($run !== null && $run['id'] === $id) {
            $this->adds($run, $chunk);
        }
    }

    /** The chunk's adds, if its run (current, read by the caller) adds and its list read worked. */
    private function adds(array $run, int $chunk): void
    {
        if ($run['add_missing'] && empty($run['errors']['closte'])) {
            $this->add_missing($run, $chunk);
        }
    }

    /**
     * The reconcile's part of a chunk: its names the plan found missing on Closte, added
     * with one add_domains() (one list read, then a POST per name still missing), each
     * result written to its row (on_closte, added_run, add_error) and logged. A failure
     * the extension calls retryable brings the reconcile back within the hour. The log
     * says who added (Closte_Native_Reconcile::label(): the reconcile or a console sync).
     */
    private function add_missing(array $run, int $chunk): void
    {
        $id = $run['id'];
        $who = Closte_Native_Reconcile::label($run['why']);
        $claimed = $this->table->missing($id, $chunk);
        if ($claimed === []) {
            return;
        }
        // The plan read the records minutes ago: the ledger decides again, now, under each
        // name's lock: a domain deleted (its alias removed by the plugin) or a site archived
        // since is not added back. Its row is no longer wanted; the next run's plan drops it.
        $names = array_map('strval', array_keys($claimed));
        try {
            $r = $this->ledger->add($names, [], $who, array_map('strval', $claimed)); // name => its domain as the record holds it
        } catch (Throwable $e) {
            // Nothing was sent (a setting, the key, the records could not be read): every name says why.
            [$retryable, $reason] = Closte_Native::retryable($e);
            $r = ['added' => [], 'skipped' => [], 'failed' => array_fill_keys($names, ['message' => $e->getMessage(), 'retryable' => $retryable, 'retry_reason' => $reason])];
        }
        if ($r['skipped'] !== []) {
            $this->table->unwant($id, array_map('strval', array_keys($r['skipped'])));
        }
        $names = array_values(array_diff($names, array_map('strval', array_keys($r['skipped']))));
        $again = false;
        $added = array_flip($r['added']);
        $rows = [];
        foreach ($names as $name) {
            if (isset($r['failed'][$name])) {
                $error = $r['failed'][$name];
                $retryable = (bool) ($error['retryable'] ?? false);
                $again = $again || $retryable;
                Closte_Native::log(sprintf('%s: %s could not be added: %s (%s: %s)', $who, $name, $error['message'], $retryable ? 'retryable' : 'not retried', $error['retry_reason'] ?? ''));
                $rows[] = ['name' => $name, 'on_closte' => 0, 'added_run' => 0, 'add_error' => mb_substr((string) $error['message'], 0, 512)];
            } else {
                $rows[] = ['name' => $name, 'on_closte' => 1, 'added_run' => isset($added[$name]) ? $id : null, 'add_error' => null];
            }
        }
        // A name Closte had meanwhile keeps its added_run. (After a worker died between its
        // POST and this write, the chunk's next attempt finds the name present: it is on
        // Closte, sent once, and counted as already there — the dead attempt's add is not
        // known to anyone.)
        $kept = array_values(array_filter($rows, fn ($r) => $r['added_run'] === null));
        $this->table->upsert(array_values(array_filter($rows, fn ($r) => $r['added_run'] !== null)));
        $this->table->upsert(array_map(fn ($r) => ['name' => $r['name'], 'on_closte' => 1, 'add_error' => null], $kept));
        if ($again) {
            Closte_Native_Reconcile::retry_later();
        }
    }

    /**
     * Checks `$names` (canonical): one DNS batch, one certificate batch, one upsert, the
     * rows marked checked in run `$id`. A check that could not run at all makes its verdict
     * unknown and says why on each row, and in last_error (returned too, in words).
     */
    public function check(array $names, int $id): array
    {
        if ($names === []) {
            return [];
        }
        $timeout = Closte_Native_Console::timeout();
        $now = gmdate('Y-m-d H:i:s');
        $rows = array_fill_keys($names, []);
        $errors = [];
        try {
            $options = apply_filters('closte_native_console_dns_options', ['timeout' => $timeout], $names);
            foreach (Closte\check_dns_many($names, is_array($options) ? $options : []) as $i => $r) {
                $rows[$names[$i]] += ['dns_ok' => $r['ok'] ? 1 : 0, 'dns_reason' => (string) $r['reason'], 'dns_error' => mb_substr((string) $r['error'], 0, 512),
                    'dns_points' => mb_substr(implode(', ', array_merge((array) $r['a'], (array) $r['aaaa'])), 0, 255), 'dns_checked_at' => $now];
            }
        } catch (Throwable $e) {
            $errors['dns'] = __('DNS could not be checked:', 'closte-native') . ' ' . Closte_Native::explain($e);
        }
        try {
            $options = Closte_Native_Status::ssl_options($names, ['timeout' => $timeout]); // no min_days: expiring_soon is the extension's word
            foreach (Closte\check_ssl_many($names, $options) as $i => $r) {
                $rows[$names[$i]] += ['cert_valid' => $r['valid'] ? 1 : 0, 'cert_reason' => (string) $r['reason'], 'cert_error' => mb_substr((string) $r['error'], 0, 512),
                    'cert_subject' => $r['subject'] === null ? null : mb_substr((string) $r['subject'], 0, 255),
                    'cert_issuer' => $r['issuer'] === null ? null : mb_substr((string) $r['issuer'], 0, 255),
                    'cert_expires' => $r['not_after'] === null ? null : gmdate('Y-m-d H:i:s', (int) $r['not_after']),
                    'cert_days' => $r['days_remaining'] === null ? null : (int) $r['days_remaining'], 'cert_expiring' => empty($r['expiring_soon']) ? 0 : 1, 'cert_checked_at' => $now];
            }
        } catch (Throwable $e) {
            $errors['cert'] = __('Certificates could not be checked:', 'closte-native') . ' ' . Closte_Native::explain($e);
        }
        $this->table->upsert(self::check_rows($rows, $id, $errors));
        (new Closte_Native_Um_Events($this->table))->rows_checked($names); // a domain live or needing attention: told once
        return array_values($errors);
    }

    /**
     * Rows of the one upsert: every column a chunk writes, for every name. A check that
     * could not run at all says so on each row: its verdict column becomes unknown (NULL)
     * and its error column says why, while the last verdict's reason, details and time
     * stay, shown as the last verdict (Closte_Native_Console_Table); a name not checked this
     * run never shows "Valid" as if it were.
     */
    private static function check_rows(array $rows, int $id, array $errors): array
    {
        $dns = ['dns_ok', 'dns_reason', 'dns_error', 'dns_points', 'dns_checked_at'];
        $cert = ['cert_valid', 'cert_reason', 'cert_error', 'cert_subject', 'cert_issuer', 'cert_expires', 'cert_days', 'cert_expiring', 'cert_checked_at'];
        $first = reset($rows);
        $columns = ['name'];
        foreach ([[$dns, 'dns'], [$cert, 'cert']] as [$group, $what]) {
            $columns = array_merge($columns, $first !== false && array_key_exists($group[0], $first) ? $group : [$group[0], "{$what}_error"]);
        }
        $columns = array_merge($columns, ['last_error', 'checked_run']);
        $out = [];
        foreach ($rows as $name => $r) {
            $row = [];
            foreach ($columns as $c) {
                $row[$c] = $r[$c] ?? null;
            }
            $row['name'] = $name;
            foreach (['dns', 'cert'] as $what) {
                if (isset($errors[$what])) {
                    $row["{$what}_error"] = mb_substr($errors[$what], 0, 512);
                }
            }
            $row['last_error'] = $errors === [] ? null : mb_substr(implode(' ', $errors), 0, 512);
            $row['checked_run'] = $id;
            $out[] = $row;
        }
        return $out;
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
        $queued = array_fill_keys(array_map(fn ($args) => (int) ($args[1] ?? -1), self::waiting_for(self::CHUNK_HOOK, $id)), true);
        foreach ($unfinished as $chunk) {
            if (!isset($queued[$chunk])) {
                $attempt = $this->runs->attempt($id, $chunk);
                if ($attempt > self::CHUNK_ATTEMPTS) {
                    // A chunk that keeps failing is not run forever: its names say they were not
                    // checked, and why, and the run can finish.
                    $why = sprintf(__('not checked: its chunk of the refresh failed %d times (its action failed or its worker died each time; Tools → Scheduled Actions, hook closte_native_refresh_chunk, says why)', 'closte-native'), $attempt - 1);
                    $this->table->give_up($id, $chunk, $why);
                    Closte_Native::log(sprintf('refresh: chunk %d of run %d failed %d times: given up, its names marked not checked', $chunk, $id, $attempt - 1));
                    continue;
                }
                Closte_Native::log(sprintf('refresh: chunk %d of run %d had no worker left (its action failed or vanished): enqueued again, attempt %d', $chunk, $id, $attempt));
                Closte_Native_Queue::schedule(self::CHUNK_HOOK, [$id, $chunk, $attempt]);
            }
        }
    }

    /**
     * Makes sure run `$id` has a sweep to come: one pending SWEEP_HOOK action of its own.
     * Pending only (a sweep running now is about to end) and this run's only (a finished
     * run's sweep, still pending, does nothing for this one).
     */
    private function keep_sweeping(int $id): void
    {
        if (self::waiting_for(self::SWEEP_HOOK, $id, true) === []) {
            Closte_Native_Queue::schedule(self::SWEEP_HOOK, [$id], self::SWEEP_EVERY);
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
        if (self::waiting_for(self::HOOK, $id) === [] && time() - $run['plan_at'] >= self::SWEEP_EVERY) {
            $offset = (int) $run['plan_offset'];
            // A plan step's attempts are counted as a chunk's, under a number no chunk has.
            $attempt = $this->runs->attempt($id, self::PLAN_ATTEMPTS_KEY);
            if ($attempt > self::CHUNK_ATTEMPTS) {
                // A plan step that keeps failing is not run forever: the run ends and says so.
                $why = sprintf(__('the refresh stopped: reading the domain records from record %1$d failed %2$d times (its action failed or its worker died each time; Tools → Scheduled Actions, hook closte_native_refresh, says why)', 'closte-native'),
                    $offset, $attempt - 1);
                Closte_Native::log(sprintf('refresh: the plan of run %d failed %d times at record %d: given up', $id, $attempt - 1, $offset));
                $this->runs->fail($id, $why, round((microtime(true) - $id / 1000) * 1000, 1));
                return;
            }
            Closte_Native::log(sprintf('refresh: the plan of run %d had no worker left (its action failed or vanished): enqueued again from record %d', $id, $offset));
            Closte_Native_Queue::schedule(self::HOOK, $offset === 0 ? [$id] : [$id, $offset, (int) $run['total']]);
        }
        $this->keep_sweeping($id);
    }

    /**
     * Every name checked: the run's time is kept and the certificate alerts rewritten from
     * the table; a reconcile's counts are logged. Runners on several nodes may find the last
     * chunk done at the same moment: one conditional UPDATE decides which of them finishes.
     */
    private function finish(int $id): void
    {
        $run = $this->runs->current();
        $elapsed = round((microtime(true) - $id / 1000) * 1000, 1);
        if ($run === null || $run['id'] !== $id || !$this->runs->finish($id, $elapsed)) {
            return;
        }
        self::$active_read = 0.0; // Action Scheduler's filters see the run finished
        $reconcile = $run['source'] === 'reconcile';
        $alerts = $this->table->certificate_alerts();
        update_network_option(null, Closte_Native_Reconcile::ALERTS_OPTION, ['checked_at' => time(), 'items' => $alerts, 'source' => $reconcile ? 'reconcile' : 'refresh']);
        if ($reconcile) {
            foreach ($alerts as $name => $a) {
                Closte_Native::log(sprintf('reconcile: certificate of %s needs attention: %s (%s)', $name, $a['error'], $a['reason']));
            }
        }
        if ($run['add_missing']) {
            foreach ($this->table->invalid(1000) as $domain => $problem) {
                Closte_Native::log(Closte_Native_Reconcile::label($run['why']) . ": $domain is not a valid domain name, not sent: $problem");
            }
        }
        if ($run['add_missing'] && empty($run['errors']['closte'])) {
            [$added, $unchanged, $failed] = $this->table->add_counts($id);
            Closte_Native::log(sprintf('%s: %d added, %d already on Closte, %d failed', Closte_Native_Reconcile::label($run['why']), $added, $unchanged, $failed));
        }
        Closte_Native::log(sprintf('refresh: %d names checked in %d chunks, %.1f s', (int) $run['total'], (int) $run['chunks'], $elapsed / 1000));
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
            return ['state' => 'planning', 'run' => $run['id'], 'text' => sprintf(__('Reading the domain records: %s names so far.', 'closte-native'), number_format_i18n((int) $run['total']))];
        }
        if (empty($run['planned'])) {
            return ['state' => 'queued', 'run' => $run['id'], 'text' => __('Refresh queued: waiting for a runner to read the domains and Closte\'s aliases.', 'closte-native')];
        }
        [$total, $checked] = $this->table->progress((int) $run['id']);
        if (!empty($run['finished_at'])) {
            return ['state' => 'done', 'run' => $run['id'], 'total' => $total, 'checked' => $checked,
                'text' => sprintf(_n('Last checked %1$s ago (%2$s UTC): %3$s name in %4$.1f s.', 'Last checked %1$s ago (%2$s UTC): %3$s names in %4$.1f s.', $total, 'closte-native'), human_time_diff((int) $run['finished_at']),
                    gmdate('Y-m-d H:i:s', (int) $run['finished_at']), number_format_i18n($total), ((float) ($run['elapsed_ms'] ?? 0)) / 1000)];
        }
        $runners = Closte_Native_Queue::running(self::CHUNK_HOOK);
        return ['state' => 'running', 'run' => $run['id'], 'total' => $total, 'checked' => $checked, 'runners' => $runners,
            'text' => sprintf(_n('%1$s of %2$s checked, %3$d runner', '%1$s of %2$s checked, %3$d runners', $runners, 'closte-native'),
                number_format_i18n($checked), number_format_i18n($total), $runners)];
    }
}
