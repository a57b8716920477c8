<?php
/**
 * The scheduler: the one class that talks to Action Scheduler or, without it, WP-Cron, and
 * owns the group name. Background work is an Action Scheduler action in the group
 * closte-native when Action Scheduler is there (any web node's runner may claim it), a
 * WP-Cron event otherwise. Jobs (the refresh, retries, the reconcile, the watcher) say
 * what to run and when; how it is queued, found, taken back or claimed is decided here.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Queue
{
    const GROUP = 'closte-native';
    /** Attempts of one claim that met a deadlock (run_one()). */
    const CLAIM_TRIES = 3;

    /** Whether Action Scheduler (every function used here) is loaded; else WP-Cron is used. */
    public static function action_scheduler(): bool
    {
        return function_exists('as_schedule_single_action') && function_exists('as_get_scheduled_actions') && function_exists('as_schedule_recurring_action')
            && function_exists('as_has_scheduled_action') && function_exists('as_next_scheduled_action') && function_exists('as_unschedule_all_actions');
    }

    /** Which scheduler runs the work, in the log's words. */
    public static function via(): string
    {
        return self::action_scheduler() ? 'Action Scheduler' : 'WP-Cron';
    }

    /** Runs `$hook` with `$args` in `$delay` seconds (0: as soon as a runner is free). */
    public static function schedule(string $hook, array $args = [], int $delay = 0): void
    {
        if (self::action_scheduler()) {
            if ($delay <= 0 && function_exists('as_enqueue_async_action')) {
                as_enqueue_async_action($hook, $args, self::GROUP);
            } else {
                as_schedule_single_action(time() + max(0, $delay), $hook, $args, self::GROUP);
            }
        } else {
            wp_schedule_single_event(time() + max(0, $delay), $hook, $args);
        }
    }

    /**
     * Runs `$hook` with `$args` in `$delay` seconds unless one with these very args is
     * already waiting. Not Action Scheduler's `unique`: that compares hook and group only,
     * so a recurring action of the hook would keep a one-off from ever being scheduled.
     */
    public static function schedule_once(string $hook, array $args, int $delay): bool
    {
        if (self::action_scheduler()) {
            if (as_has_scheduled_action($hook, $args, self::GROUP)) {
                return false;
            }
            as_schedule_single_action(time() + max(0, $delay), $hook, $args, self::GROUP);
            return true;
        }
        if (wp_next_scheduled($hook, $args) !== false) {
            return false;
        }
        return wp_schedule_single_event(time() + max(0, $delay), $hook, $args) !== false;
    }

    /**
     * Runs `$hook` (no args) every `$interval` seconds from `$first` seconds on, unless it
     * is scheduled or running already (WP-Cron: under its recurrence `$recurrence`). A
     * one-off of the hook with args of its own does not count. `$unique`: Action
     * Scheduler's own guard too (it compares hook and group only: for a hook with no
     * one-offs). Returns whether it was scheduled now.
     */
    public static function recurring(string $hook, int $first, int $interval, string $recurrence, bool $unique = false): bool
    {
        if (self::action_scheduler()) {
            if (as_has_scheduled_action($hook, [], self::GROUP)) {
                return false;
            }
            as_schedule_recurring_action(time() + $first, $interval, $hook, [], self::GROUP, $unique);
            return true;
        }
        if (wp_next_scheduled($hook) !== false) {
            return false;
        }
        return wp_schedule_event(time() + $first, $recurrence, $hook) !== false;
    }

    /** `$hook`'s next run: a timestamp, true when one is running or due (Action Scheduler), false when none is scheduled. */
    public static function next(string $hook)
    {
        return self::action_scheduler() ? as_next_scheduled_action($hook, null, self::GROUP) : wp_next_scheduled($hook);
    }

    /** Takes back every waiting `$hook` action with `$args` (null: with any args; WP-Cron: []). */
    public static function unschedule(string $hook, ?array $args = null): void
    {
        if (self::action_scheduler()) {
            as_unschedule_all_actions($hook, $args, self::GROUP);
        } else {
            wp_clear_scheduled_hook($hook, $args ?? []); // WP-Cron reschedules before it runs the hook: this sticks
        }
    }

    /** The hook of a stored Action Scheduler action, null when it is not there (or no Action Scheduler). */
    public static function hook_of($action_id): ?string
    {
        if (!class_exists('ActionScheduler', false)) {
            return null;
        }
        $action = ActionScheduler::store()->fetch_action((string) $action_id);
        return is_object($action) && method_exists($action, 'get_hook') && !($action instanceof ActionScheduler_NullAction) ? (string) $action->get_hook() : null;
    }

    /** Cancels a stored Action Scheduler action. */
    public static function cancel($action_id): void
    {
        if (class_exists('ActionScheduler', false)) {
            ActionScheduler::store()->cancel_action((string) $action_id);
        }
    }

    /**
     * The args of every `$hook` action not yet run or running now (Action Scheduler: pending
     * or in-progress, or pending only with `$pending_only`; WP-Cron: scheduled). A failed or
     * canceled action is not in it.
     *
     * @return list<array>
     */
    public static function waiting(string $hook, bool $pending_only = false): array
    {
        if (self::action_scheduler()) {
            $actions = as_get_scheduled_actions(['hook' => $hook, 'group' => self::GROUP, 'status' => $pending_only ? ['pending'] : ['pending', 'in-progress'], 'per_page' => -1]);
            return array_values(array_map(fn ($a) => array_values((array) $a->get_args()), $actions));
        }
        $out = [];
        foreach ((array) _get_cron_array() as $hooks) {
            foreach ($hooks[$hook] ?? [] as $event) {
                $out[] = array_values((array) $event['args']);
            }
        }
        return $out;
    }

    /** How many `$hook` actions a runner is executing now (Action Scheduler only; else 0). */
    public static function running(string $hook): int
    {
        if (!self::action_scheduler()) {
            return 0;
        }
        return count(as_get_scheduled_actions(['hook' => $hook, 'group' => self::GROUP, 'status' => 'in-progress', 'per_page' => -1], 'ids'));
    }

    /** How many actions of `$hooks` runners are executing now, every node together (Action Scheduler only; else 0). */
    public static function running_of(array $hooks): int
    {
        $n = 0;
        foreach ($hooks as $hook) {
            $n += self::running((string) $hook);
        }
        return $n;
    }

    /** Whether an action of `$hooks` is due and unclaimed (Action Scheduler only). */
    public static function due_of(array $hooks): bool
    {
        if (!self::action_scheduler()) {
            return false;
        }
        $now = gmdate('Y-m-d H:i:s');
        foreach ($hooks as $hook) {
            if (as_get_scheduled_actions(['hook' => $hook, 'status' => 'pending', 'date' => $now, 'date_compare' => '<=', 'claimed' => false, 'per_page' => 1], 'ids') !== []) {
                return true;
            }
        }
        return false;
    }

    /**
     * Action Scheduler's own first step of a queue run: an action whose worker died
     * (in progress longer than `$timeout` seconds) is marked failed, a stale claim released.
     */
    public static function clean_dead(int $timeout): void
    {
        $cleaner = new ActionScheduler_QueueCleaner(ActionScheduler::store());
        $cleaner->reset_timeouts($timeout);
        $cleaner->mark_failures($timeout);
    }

    /**
     * Claims one due action of `$hooks` (by hook, not by group: before Action Scheduler's own
     * migration its posts store knows no group and throws; these hooks are the bridge's
     * alone) and runs it through Action Scheduler's own process_action() with `$context`
     * as its log's "action started via". Returns how many ran (0 or 1).
     */
    public static function run_one(array $hooks, string $context): int
    {
        global $wpdb;
        $store = ActionScheduler::store();
        $claim = null;
        for ($try = 1; $claim === null; $try++) {
            // Runners on several nodes claiming at the same moment can meet in a deadlock
            // (InnoDB's locks of the claim's UPDATE … ORDER BY … LIMIT): the database's own
            // advice is to try again, so the claim is staked again (up to CLAIM_TRIES), quietly;
            // any other failure is Action Scheduler's to say, and the caller's to log.
            $quiet = $wpdb->suppress_errors(true);
            try {
                $claim = $store->stake_claim(1, null, $hooks);
            } catch (RuntimeException $e) {
                if ($try >= self::CLAIM_TRIES || stripos($e->getMessage(), 'deadlock') === false) {
                    throw $e;
                }
            } finally {
                $wpdb->suppress_errors($quiet);
            }
        }
        $ids = $claim->get_actions();
        try {
            foreach ($ids as $id) {
                ActionScheduler::runner()->process_action($id, $context);
            }
        } finally {
            $store->release_claim($claim);
        }
        return count($ids);
    }

    /** Whether this process can run Action Scheduler's actions itself (its runner classes are loaded). */
    public static function can_run(): bool
    {
        return class_exists('ActionScheduler', false) && class_exists('ActionScheduler_QueueCleaner', false);
    }
}
