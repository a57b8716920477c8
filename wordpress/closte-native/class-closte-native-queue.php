<?php
/**
 * The one helper for "Action Scheduler or WP-Cron": background work is an Action Scheduler
 * action in the group closte-native when Action Scheduler is there (any web node's runner
 * may claim it), a WP-Cron single event otherwise.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Queue
{
    const GROUP = 'closte-native';

    public static function action_scheduler(): bool
    {
        return function_exists('as_schedule_single_action') && function_exists('as_get_scheduled_actions');
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
}
