<?php
/**
 * The watcher: time to padlock. Ultimate Multisite re-checks a waiting domain only every
 * dns_check_interval (up to 300 s), one stage at a time, and never again once it failed.
 * While any domain waits, a recurring action (closte_native_watch, every 60 s, filter
 * closte_native_watch_interval, 10 s at least) checks every waiting name in one
 * Closte\check_dns_many() and one Closte\check_ssl_many(), through DNS as the plugin's own
 * check will see it, and for each domain whose check now passes lets the plugin advance it
 * at once: its pending wu_async_process_domain_stage action is unscheduled and the plugin's
 * own stage processing runs now, so the plugin sets the stage, saves, logs and fires its
 * hooks. Domains that failed (failed / ssl-failed) within the revival window
 * (closte_native_revive_window, 7 days, by the record's date_modified) are watched too and
 * put back through the plugin's model when they are ready. When nothing waits, nothing is
 * scheduled and nothing is checked.
 *
 * Action Scheduler 3.8.2 stores a recurring action's next instance right after the run
 * completes, even when the callback unscheduled it during that run. So the watcher stops
 * itself from that later point: the instance stored after its last run is cancelled as it
 * is stored (action_scheduler_stored_action), unless a domain came to wait meanwhile.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Watcher
{
    const HOOK = 'closte_native_watch';
    /** The WP-Cron schedule without Action Scheduler. */
    const CRON_SCHEDULE = 'closte_native_watch';
    const INTERVAL = 60;
    const MIN_INTERVAL = 10;
    const REVIVE_WINDOW = 7 * DAY_IN_SECONDS;
    /** Domains checked per tick, oldest-checked first (filter closte_native_watch_batch). */
    const BATCH = 100;
    /** When the DNS batch took longer than this (seconds), the certificate batch waits for the next tick. */
    const BUDGET = 10.0;
    /** The last tick's report (the followed domains and their verdicts: Closte_Native_Watched). */
    const STATE_OPTION = 'closte_native_watch';

    /** Whether the instance stored after this tick is to be cancelled (see stop()). */
    private $stopping = false;
    /** @var Closte_Native_Watched */
    private $watched;

    public function __construct(?Closte_Native_Watched $watched = null)
    {
        $this->watched = $watched ?? new Closte_Native_Watched();
    }

    public static function interval(): int
    {
        /**
         * Filters the seconds between the watcher's ticks while domains wait (at least MIN_INTERVAL).
         *
         * @since 0.4.0
         *
         * @param int $seconds Default INTERVAL.
         *
         * Example: a tick every two minutes.
         *
         *     add_filter('closte_native_watch_interval', fn () => 120);
         */
        return max(self::MIN_INTERVAL, (int) apply_filters('closte_native_watch_interval', self::INTERVAL));
    }

    public static function revive_window(): int
    {
        /**
         * Filters how long after Ultimate Multisite gave a domain up (failed) the watcher still
         * looks at it and brings it back once DNS or its certificate is right (0: never).
         *
         * @since 0.4.0
         *
         * @param int $seconds Default REVIVE_WINDOW.
         *
         * Example: a week.
         *
         *     add_filter('closte_native_revive_window', fn () => WEEK_IN_SECONDS);
         */
        return max(0, (int) apply_filters('closte_native_revive_window', self::REVIVE_WINDOW));
    }

    public function register(): void
    {
        add_action(self::HOOK, [$this, 'tick'], 10, 0);
        add_filter('cron_schedules', [$this, 'cron_schedules']);
        // A stage change (the plugin's, an admin's, a new record) and domain events wake it.
        add_action('wu_domain_post_save', [$this, 'on_domain_saved'], 10, 3);
        add_action('wu_add_domain', [$this, 'wake'], 20, 0);
        add_action(Closte_Native_Stages::PROCESS_HOOK, [$this, 'wake'], 5, 0);
        add_action('action_scheduler_stored_action', [$this, 'on_stored_action'], 10, 1);
    }

    public function cron_schedules($schedules)
    {
        $schedules = is_array($schedules) ? $schedules : [];
        $schedules[self::CRON_SCHEDULE] = ['interval' => self::interval(), 'display' => 'Closte watcher'];
        return $schedules;
    }

    /** wu_domain_post_save ($data, $domain, $new): a domain now waiting (or just failed) wakes the watcher. */
    public function on_domain_saved($data = [], $domain = null, $new = false): void
    {
        $stage = is_object($domain) && method_exists($domain, 'get_stage') ? (string) $domain->get_stage() : '';
        if (isset(Closte_Native_Stages::WAITING[$stage]) || (isset(Closte_Native_Stages::REVIVABLE[$stage]) && self::revive_window() > 0)) {
            $this->wake();
        }
    }

    /** Schedules the watcher when it is not scheduled and something waits. */
    public function wake(): bool
    {
        if (self::scheduled() !== false) {
            return false;
        }
        if (!$this->anything_waiting()) {
            return false;
        }
        return Closte_Native_Queue::recurring(self::HOOK, self::interval(), self::interval(), self::CRON_SCHEDULE, true);
    }

    /** The next tick: a timestamp, true when one is running or due, false when none is scheduled. */
    public static function scheduled()
    {
        return Closte_Native_Queue::next(self::HOOK);
    }

    /** Nothing waits any more: no tick stays scheduled. */
    private function stop(): void
    {
        Closte_Native_Queue::unschedule(self::HOOK, []);
        // Inside its own run, Action Scheduler stores the next instance after this returns:
        // that one is cancelled as it is stored (on_stored_action()). WP-Cron reschedules
        // before it runs the hook: there the unschedule sticks.
        $this->stopping = Closte_Native_Queue::action_scheduler() && doing_action(self::HOOK);
    }

    /** action_scheduler_stored_action: the instance stored right after a last tick is cancelled. */
    public function on_stored_action($action_id): void
    {
        if (!$this->stopping || Closte_Native_Queue::hook_of($action_id) !== self::HOOK) {
            return;
        }
        $this->stopping = false;
        if ($this->anything_waiting()) {
            return; // a domain came to wait during the tick: keep watching
        }
        Closte_Native_Queue::cancel($action_id);
    }

    /** Whether any domain waits (or failed within the revival window): two small queries. */
    private function anything_waiting(): bool
    {
        if (!function_exists('wu_get_domains')) {
            return false;
        }
        if ((array) wu_get_domains(['stage__in' => array_keys(Closte_Native_Stages::WAITING), 'number' => 1]) !== []) {
            return true;
        }
        return $this->failed_within_window(1) !== [];
    }

    private function failed_within_window(int $number): array
    {
        $window = self::revive_window();
        if ($window <= 0) {
            return [];
        }
        // date_query on the column: 2.4.10's BerlinDB matches nothing with date_modified_query.
        return (array) wu_get_domains([
            'stage__in' => array_keys(Closte_Native_Stages::REVIVABLE),
            'number' => $number,
            'date_query' => [['column' => 'date_modified', 'after' => gmdate('Y-m-d H:i:s', time() - $window), 'inclusive' => true]],
        ]);
    }

    /**
     * The domains to watch: [canonical => [domain, stage, for, revive, names]], names being
     * the domain's canonical name and its www. twin where the network creates one.
     */
    private function candidates(): array
    {
        if (!function_exists('wu_get_domains')) {
            return [];
        }
        $events = new Closte_Native_Events();
        $out = [];
        $domains = array_merge((array) wu_get_domains(['stage__in' => array_keys(Closte_Native_Stages::WAITING), 'number' => 0]), $this->failed_within_window(0));
        foreach ($domains as $d) {
            if (!is_object($d) || !method_exists($d, 'get_domain')) {
                continue;
            }
            $typed = strtolower((string) $d->get_domain());
            $canonical = Closte_Native_Name::canonical($typed);
            if ($canonical === null || strncmp($canonical, '*.', 2) === 0) {
                continue; // a name the extension refuses is never checked (the console says why)
            }
            $stage = (string) $d->get_stage();
            $revive = isset(Closte_Native_Stages::REVIVABLE[$stage]);
            $out[$canonical] = [
                'domain' => $d,
                'stage' => $stage,
                'for' => $revive ? Closte_Native_Stages::REVIVABLE[$stage][0] : Closte_Native_Stages::WAITING[$stage],
                'revive' => $revive,
                'names' => array_values(array_unique(array_merge([$canonical], array_values($events->names($typed))))),
            ];
        }
        return $out;
    }

    /**
     * One tick: one check_dns_many() over the names waiting for DNS, one check_ssl_many()
     * over those waiting for a certificate, then each domain that passes is advanced by the
     * plugin itself. Returns the tick's report (also kept for the console).
     */
    public function tick(): array
    {
        $start = microtime(true);
        $report = ['at' => time(), 'domains' => 0, 'names' => 0, 'advanced' => [], 'revived' => [], 'held' => [], 'left' => 0, 'errors' => [], 'seconds' => 0.0];
        $candidates = $this->candidates();
        if ($candidates === []) {
            $this->stop();
            $report['idle'] = true;
            $this->watched->replace([]);
            update_network_option(null, self::STATE_OPTION, ['last_tick' => $report]);
            return $report;
        }
        $known = $this->watched->all();
        uksort($candidates, fn ($a, $b) => (($known[$a]['checked_at'] ?? 0) <=> ($known[$b]['checked_at'] ?? 0)) ?: strcmp($a, $b));
        /**
         * Filters how many waiting domains one tick checks (the longest unchecked first).
         *
         * @since 0.4.0
         *
         * @param int $domains Default BATCH.
         *
         * Example: a network with many domains waiting at once.
         *
         *     add_filter('closte_native_watch_batch', fn () => 500);
         */
        $batch = max(1, (int) apply_filters('closte_native_watch_batch', self::BATCH));
        $chunk = array_slice($candidates, 0, $batch, true);
        $report['left'] = count($candidates) - count($chunk);
        $report['domains'] = count($chunk);

        $names = ['dns' => [], 'certificate' => []];
        foreach ($chunk as $c) {
            foreach ($c['names'] as $name) {
                $names[$c['for']][$name] = true;
            }
        }
        $results = ['dns' => $this->check('dns', array_keys($names['dns']), $report), 'certificate' => []];
        if (microtime(true) - $start <= self::BUDGET) {
            $results['certificate'] = $this->check('certificate', array_keys($names['certificate']), $report);
        } elseif ($names['certificate'] !== []) {
            $report['errors']['certificate'] = 'not checked this tick: the DNS batch used the time';
        }

        $now = time();
        $domains = [];
        foreach ($candidates as $canonical => $c) {
            $entry = ($known[$canonical] ?? []) + ['checked_at' => null, 'verdict' => null, 'twin' => null, 'held' => null];
            $entry = ['id' => (int) $c['domain']->get_id(), 'for' => $c['for'], 'revive' => $c['revive'], 'stage' => $c['stage']] + $entry;
            if ($entry['held'] !== null && $entry['held'] !== $c['stage']) {
                $entry['held'] = null; // the stage moved on: the watcher may advance it again
            }
            $r = $results[$c['for']][$canonical] ?? null;
            if (isset($chunk[$canonical]) && $r !== null) {
                $entry['checked_at'] = $now;
                $entry['verdict'] = self::verdict($c['for'], $r);
                $twin = $c['names'][1] ?? null;
                $entry['twin'] = $twin !== null && isset($results[$c['for']][$twin]) ? [$twin, self::verdict($c['for'], $results[$c['for']][$twin])] : null;
                $report['names'] += count(array_filter($c['names'], fn ($n) => isset($results[$c['for']][$n])));
                if ($c['revive'] && !self::passes($c['for'], $r)) {
                    (new Closte_Native_Um_Events())->failed_check($c['domain'], $c['for'], $r); // the plugin stopped waiting: a person is told, once
                }
                if (self::passes($c['for'], $r) && $entry['held'] === null) {
                    $outcome = $this->advance($c, $r);
                    if ($outcome === 'advanced' || $outcome === 'revived') {
                        $report[$outcome][] = $canonical;
                        $entry['stage'] = (string) (wu_get_domain($entry['id']) ?: $c['domain'])->get_stage();
                    } elseif ($outcome === 'held') {
                        $report['held'][] = $canonical;
                        $entry['held'] = $c['stage'];
                    }
                }
            }
            $domains[$canonical] = $entry;
        }
        $report['seconds'] = round(microtime(true) - $start, 3);
        $this->watched->replace($domains);
        update_network_option(null, self::STATE_OPTION, ['last_tick' => $report]);
        if ($report['advanced'] || $report['revived'] || $report['errors']) {
            Closte_Native_Log::add(sprintf('watcher: %d domains (%d names) checked in %.1f s, %d advanced, %d revived%s', $report['domains'], $report['names'],
                $report['seconds'], count($report['advanced']), count($report['revived']),
                $report['errors'] ? '; ' . implode('; ', array_map(fn ($k, $v) => "$k: $v", array_keys($report['errors']), $report['errors'])) : ''));
        }
        return $report;
    }

    /**
     * One batch, options from the stage checks' filters (per name; names whose options are
     * the same go in one call, so normally one call). Null for a name that was not checked.
     * A batch that cannot run changes nothing: its names are simply not checked.
     */
    private function check(string $for, array $names, array &$report): array
    {
        if ($names === []) {
            return [];
        }
        $groups = [];
        foreach ($names as $name) {
            $options = $for === 'dns' ? Closte_Native_Dns_Stage::options($name) : Closte_Native_Ssl_Stage::options($name);
            $key = md5(serialize($options));
            $groups[$key]['options'] = $options;
            $groups[$key]['names'][] = $name;
        }
        $out = [];
        foreach ($groups as $g) {
            try {
                $results = $for === 'dns' ? Closte\check_dns_many($g['names'], $g['options']) : Closte\check_ssl_many($g['names'], $g['options']);
            } catch (Throwable $e) {
                $report['errors'][$for] = $e->getMessage();
                continue;
            }
            foreach ($g['names'] as $i => $name) {
                if (isset($results[$i]) && is_array($results[$i])) {
                    $out[$name] = $results[$i];
                }
            }
        }
        return $out;
    }

    private static function passes(string $for, array $r): bool
    {
        return $for === 'dns' ? !empty($r['ok']) : !empty($r['valid']);
    }

    /** The verdict in words, as the console shows it. */
    public static function verdict(string $for, array $r): string
    {
        if ($for === 'dns') {
            return !empty($r['ok'])
                ? sprintf('points to %s, as Closte expects', implode(', ', array_merge($r['a'] ?? [], $r['aaaa'] ?? [])))
                : sprintf('%s (%s)', $r['error'] ?? 'not ready', $r['reason'] ?? 'unknown');
        }
        return !empty($r['valid'])
            ? sprintf('valid (%s), issued by %s', $r['subject'] ?? '', $r['issuer'] ?? '')
            : sprintf('%s (%s)', $r['error'] ?? 'not valid', $r['reason'] ?? 'unknown');
    }

    /**
     * Lets the plugin advance one domain now: its pending stage actions are unscheduled, a
     * failed domain is put back a stage through the plugin's model, and the plugin's own
     * processing runs with the args the pending action carried. Returns advanced, revived,
     * held (the plugin's own check did not agree: the domain is left to its schedule),
     * busy (the plugin is processing it right now) or unsupported (no Action Scheduler).
     */
    private function advance(array $c, array $r): string
    {
        $domain = $c['domain'];
        $id = (int) $domain->get_id();
        $name = (string) $domain->get_domain();
        $actions = Closte_Native_Stages::scheduled($id);
        if ($actions === null) {
            return 'unsupported';
        }
        if ($actions['running'] > 0) {
            return 'busy';
        }
        $args = [$id, 0];
        $due = null;
        foreach ($actions['pending'] as [$pending]) {
            wu_unschedule_action(Closte_Native_Stages::PROCESS_HOOK, $pending, Closte_Native_Stages::PROCESS_GROUP);
        }
        if (!$c['revive'] && $actions['pending'] !== []) {
            $due = $actions['pending'][0][1];
            $latest = $actions['pending'][0][0];
            foreach ($actions['pending'] as [$pending]) {
                $latest = (int) ($pending['tries'] ?? 0) > (int) ($latest['tries'] ?? 0) ? $pending : $latest;
            }
            $args = array_values($latest); // the try it would have been, as Action Scheduler passes it
        }
        $why = $c['for'] === 'dns'
            ? sprintf('DNS now points at Closte (%s)', implode(', ', $r['matched'] ?: array_merge($r['a'], $r['aaaa'])))
            : sprintf('the certificate is now valid (%s, issued by %s)', $r['subject'], $r['issuer']);
        if ($c['revive']) {
            $back = Closte_Native_Stages::REVIVABLE[$c['stage']][1];
            $since = method_exists($domain, 'get_date_modified') ? (string) $domain->get_date_modified() : '';
            Closte_Native_Log::domain($name, sprintf('%s: reviving the domain (%s since %s UTC), back to %s and checking now', $why, $c['stage'], $since, $back));
            $domain->set_stage($back);
            $domain->save();
        } else {
            $when = $due === null ? 'no check was scheduled' : ($due - time() <= 0 ? 'its check was due' : 'instead of in ' . self::in($due - time()));
            Closte_Native_Log::domain($name, sprintf('%s: checking now, %s', $why, $when));
        }
        do_action_ref_array(Closte_Native_Stages::PROCESS_HOOK, $args); // the plugin's own processing, as Action Scheduler would run it
        $after = wu_get_domain($id);
        $stage = $after ? (string) $after->get_stage() : '';
        $expected = $c['revive'] ? Closte_Native_Stages::REVIVABLE[$c['stage']][1] : $c['stage'];
        if ($stage !== $expected) {
            return $c['revive'] ? 'revived' : 'advanced';
        }
        $next = Closte_Native_Stages::scheduled($id);
        $at = $next && $next['pending'] ? ' (next check in ' . self::in(max(0, $next['pending'][0][1] - time())) . ')' : '';
        Closte_Native_Log::domain($name, "Ultimate Multisite's own check did not agree yet: the domain is left to its own schedule$at");
        return $c['revive'] ? 'revived' : 'held';
    }

    /** "45 s", "4 min". */
    public static function in(int $seconds): string
    {
        return $seconds < 90 ? sprintf('%d s', $seconds) : sprintf('%d min', (int) round($seconds / 60));
    }

    /** The last tick's report, or null before the first. */
    public static function last_tick(): ?array
    {
        $s = get_network_option(null, self::STATE_OPTION, []);
        return is_array($s) && is_array($s['last_tick'] ?? null) ? $s['last_tick'] : null;
    }
}
