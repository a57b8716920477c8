<?php
/**
 * The bridge's own share of Action Scheduler's queue runner. Every time a runner starts
 * (WP-Cron's action_scheduler_run_queue, `wp action-scheduler run`, the async request
 * runner, on any node), before Action Scheduler's own batch, it runs the refresh's due
 * actions (plan steps, chunks, sweeps) one claim of one action at a time: a handful of
 * chunks spread over every runner that starts instead of going to the first one in a
 * claim of 25, and a web node's cron request stays short. Action Scheduler's settings stay
 * as the site has them (claim size, concurrent batches, time limit): other plugins'
 * actions, Ultimate Multisite's own domain events among them, are claimed exactly as
 * before. At most RUNNERS of these claims run at once across the nodes.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Runner
{
    /** Claims of the refresh's actions that may run at once, every node together. */
    const RUNNERS = 4;
    /** The hooks this runner takes: the refresh's, nothing else of the group (the watcher keeps Action Scheduler's claims). */
    const HOOKS = [Closte_Native_Refresh::HOOK, Closte_Native_Refresh::CHUNK_HOOK, Closte_Native_Refresh::SWEEP_HOOK];

    /** @var bool a run under way in this process (an action that starts a runner must not nest one) */
    private static $running = false;

    public function register(): void
    {
        add_action('action_scheduler_before_process_queue', [$this, 'run']);
    }

    /** Runs the refresh's due actions, one a claim, within the budget. Returns how many ran. */
    public function run(): int
    {
        if (self::$running || !Closte_Native_Queue::can_run()) {
            return 0;
        }
        self::$running = true;
        $ran = 0;
        try {
            $start = microtime(true);
            $limit = absint(apply_filters('action_scheduler_queue_runner_time_limit', 30));
            // Action Scheduler's own first step, which would come right after this hook: an
            // action whose worker died is marked failed (and a stale claim released), so a
            // sweep run now sees the chunk has no worker left. Done here on every run, not
            // only when the refresh has work: two nodes' runners marking the same dead action
            // at once make Action Scheduler 3.8.2 throw in one of them ("Unidentified action"),
            // which ends that runner's request when it happens in Action Scheduler's own
            // cleanup; here it is caught. Its own cleanup then finds nothing left to mark.
            Closte_Native_Queue::clean_dead(10 * $limit);
            // Action Scheduler's own time limit: with one action a claim on every node's runner,
            // the chunks are shared out before Action Scheduler's batch (a claim of 25) could
            // take the rest in one request.
            $budget = (float) $limit;
            /**
             * Filters how many claims of the refresh's actions may run at once, every node
             * together (default 4): at least the number of runners across your nodes.
             *
             * @since 0.4.0
             *
             * @param int $runners Claims at once (one action each).
             *
             * Example: eight web nodes, each with its own cron.
             *
             *     add_filter('closte_native_runners', fn () => 8);
             */
            $runners = max(1, (int) apply_filters('closte_native_runners', self::RUNNERS));
            /**
             * Filters the name this runner gives Action Scheduler's log ("action started via …").
             *
             * @since 0.4.0
             *
             * @param string $context Default 'closte-native'.
             *
             * Example: name each web node in the log.
             *
             *     add_filter('closte_native_runner_context', fn () => 'closte-native ' . gethostname());
             */
            $context = (string) apply_filters('closte_native_runner_context', 'closte-native');
            while (true) {
                // The site's claim size caps ours: a site (or a test) that sets it to 0 holds both.
                if ((int) apply_filters('action_scheduler_queue_runner_batch_size', 25) < 1 || !Closte_Native_Queue::due_of(self::HOOKS)
                    || Closte_Native_Queue::running_of(self::HOOKS) >= $runners) {
                    break; // nothing due (no claim is staked for nothing), or enough runners at it
                }
                $done = Closte_Native_Queue::run_one(self::HOOKS, $context);
                $ran += $done;
                $elapsed = microtime(true) - $start;
                if ($done === 0 || $elapsed + $elapsed / max(1, $ran) > $budget) {
                    break; // nothing due, or the next one would likely end past the budget
                }
            }
            // And once more right before Action Scheduler's own cleanup, which comes next: an
            // action that died while this share ran is marked here (where the race above is
            // caught), not there, so that cleanup has nothing left to race for.
            Closte_Native_Queue::clean_dead(10 * $limit);
        } catch (Throwable $e) {
            // Never in the way of Action Scheduler's own run, which comes next: said, and left to it.
            Closte_Native_Log::add('runner: the refresh\'s share of this queue run stopped: ' . $e->getMessage());
        } finally {
            self::$running = false;
        }
        return $ran;
    }
}
