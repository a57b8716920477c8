<?php
/**
 * The refresh's planner (the run engine's first part; Closte_Native_Refresh has the
 * overview): a chain of bounded steps (Closte_Native_Refresh::HOOK) that reads Closte's
 * alias names once, walks the domain records a page at a time, rebuilds the ledger's
 * claims, writes every name's record columns into the status table with its chunk number
 * and enqueues each chunk it completed (Closte_Native_Chunk_Worker). The last step lists
 * the unclaimed aliases and hands the run to the supervisor (Closte_Native_Supervisor).
 */

defined('ABSPATH') || exit;

final class Closte_Native_Planner
{
    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var Closte_Native_Inventory */
    private $inventory;
    /** @var Closte_Native_Runs */
    private $runs;
    /** @var Closte_Native_Ledger */
    private $ledger;
    /** @var Closte_Native_Supervisor */
    private $supervisor;

    public function __construct(Closte_Native_Status_Table $table, Closte_Native_Inventory $inventory, Closte_Native_Runs $runs, Closte_Native_Ledger $ledger,
        Closte_Native_Supervisor $supervisor)
    {
        $this->table = $table;
        $this->inventory = $inventory;
        $this->runs = $runs;
        $this->ledger = $ledger;
        $this->supervisor = $supervisor;
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
            $this->runs->began($id);
            if (!$inline) {
                $this->supervisor->keep_sweeping($id); // from the first step on: it also restarts a plan step whose worker died
            }
            $this->read_aliases($run);
            $run = $this->runs->current();
        }
        $known = empty($run['errors']['closte']);
        $size = Closte_Native_Refresh::chunk_size();
        $budget = Closte_Native_Refresh::plan_records();
        $from = max(0, $offset - ($offset > 0 ? Closte_Native_Refresh::PLAN_OVERLAP : 0));
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
            $this->ledger->store()->record_many($claims, $typed); // the ledger, rebuilt by every walk
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
                Closte_Native_Queue::schedule(Closte_Native_Refresh::CHUNK_HOOK, [$id, $c, 1]);
            }
        }
        $ms = round((microtime(true) - $start) * 1000, 1);
        if ($next !== null) {
            $this->runs->step($id, $next, $i, $ms);
            if (!$inline) {
                Closte_Native_Queue::schedule(Closte_Native_Refresh::HOOK, [$id, $next, $i]);
            }
            return;
        }
        // The last step: every record was read (a page the database could not read throws,
        // and the step is run again), so claims of domains the walk did not meet are checked
        // against the records once more and go when nothing maps them.
        $this->ledger->store()->release($this->table->claimants_not_in_run($id, (int) floor($id / 1000)));
        $this->table->delete_other_runs($id);
        [$unclaimed, $unclaimed_count] = $known ? $this->table->unclaimed_aliases($id, Closte_Native_Refresh::UNCLAIMED_KEPT, Closte_Native_Ledger::protected_names()) : [null, null];
        $this->table->forget_aliases($id);
        $total = $this->table->progress($id)[0];
        $this->runs->planned($id, $total, $complete, $unclaimed, $unclaimed_count, $ms);
        if ($complete === 0) {
            $this->supervisor->finish($id);
        } elseif (!$inline) {
            $this->supervisor->keep_sweeping($id);
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
            $names = Closte\list_domain_names(['timeout' => Closte_Native_Status::timeout()]);
        } catch (Throwable $e) {
            $this->runs->closte_error($run['id'], Closte_Native_Failure::explain($e));
            if ($run['add_missing']) {
                Closte_Native_Reconcile::outage($e, $run['why']);
            }
            return;
        }
        $this->table->store_aliases($run['id'], $names);
    }
}
