<?php
/**
 * Domain events and their retries. One event (wu_add_domain / wu_remove_domain) covers the
 * domain and, when the network creates one, its www. twin, each in its canonical form
 * (Closte_Native_Name). Before any request, the latest wanted state of every one of those
 * names is recorded with a token unique to the event; each name is then sent on its own,
 * and a failure the extension calls retryable schedules a retry for that one name,
 * carrying the token. A retry runs only while its token is still the name's latest:
 * a later event for the same name (an unmap after a failed map, say) supersedes it, so a
 * stale retry never brings an alias back, and a retry never re-expands its name. The
 * records are the rows of Closte_Native_Wanted (retries in flight).
 */

defined('ABSPATH') || exit;

final class Closte_Native_Events
{
    /** Attempts for one name, the first included, before giving up. */
    const MAX_ATTEMPTS = 8;
    /** First retry delay in seconds; doubles each time, capped at RETRY_CAP. */
    const RETRY_BASE = 60;
    const RETRY_CAP = 3600;
    const RETRY_HOOK = 'closte_native_retry';

    /** @var string[] hooks the bridge owns */
    const DOMAIN_HOOKS = ['wu_add_domain', 'wu_remove_domain', 'wu_add_subdomain', 'wu_remove_subdomain'];

    /**
     * Removes any other Closte integration from the domain hooks (Ultimate Multisite's
     * built-in provider or its capability module), so each domain is sent exactly once
     * and no guessed SSL requests go out.
     */
    public function take_over(): void
    {
        global $wp_filter;
        foreach (self::DOMAIN_HOOKS as $hook) {
            if (!isset($wp_filter[$hook])) {
                continue;
            }
            foreach ($wp_filter[$hook]->callbacks as $priority => $callbacks) {
                foreach ($callbacks as $entry) {
                    $fn = $entry['function'];
                    $owner = is_array($fn) ? (is_object($fn[0]) ? get_class($fn[0]) : (string) $fn[0]) : '';
                    if ($owner !== '' && stripos($owner, 'closte') !== false && strncmp($owner, 'Closte_Native', 13) !== 0) {
                        remove_action($hook, $fn, $priority);
                        Closte_Native_Log::add("took over $hook from $owner: closte-native sends this event");
                    }
                }
            }
        }
    }

    public function on_add_domain($domain, $site_id = 0): void
    {
        $this->event('add', (string) $domain);
    }

    public function on_remove_domain($domain, $site_id = 0): void
    {
        $this->event('remove', (string) $domain);
    }

    /** @var Closte_Native_Ledger */
    private $ledger;
    /** @var Closte_Native_Wanted */
    private $wanted;

    public function __construct(?Closte_Native_Ledger $ledger = null, ?Closte_Native_Wanted $wanted = null)
    {
        $this->ledger = $ledger ?? new Closte_Native_Ledger();
        $this->wanted = $wanted ?? new Closte_Native_Wanted();
    }

    /**
     * The names one event covers, in their canonical form (Closte_Native_Name::key()): the
     * domain, and its www. twin when the network creates one now or the twin was added for
     * the domain once (the ledger's row: a setting changed since does not orphan it).
     * Keyed by the name as typed.
     *
     * @return array<string, string> typed => canonical
     */
    public function names(string $domain): array
    {
        $key = Closte_Native_Name::key($domain);
        $names = [$domain => $key];
        $twin = Closte_Native_Name::canonical($domain) === null ? null : Closte_Native_Ledger::twin($key);
        if ($twin !== null && (Closte_Native_Ledger::creates_twin($domain) || $this->ledger->store()->twin_rows([$key]) !== [])) {
            $names["www.$domain"] = $twin;
        }
        return $names;
    }

    /**
     * One event: every name recorded first, then each sent on its own. Returns what became
     * of each name (canonical name => outcome, see attempt()). `$options` go to the
     * extension's calls (the console passes its short timeout).
     */
    public function event(string $op, string $domain, array $options = []): array
    {
        $tokens = [];
        foreach ($this->names($domain) as $typed => $name) {
            $tokens[$name] = wp_generate_uuid4();
            $this->wanted->put($name, $op, $tokens[$name], 1); // all recorded before any request
        }
        $outcomes = [];
        $typed = strtolower(trim($domain));
        foreach ($tokens as $name => $token) {
            $outcomes[$name] = $this->attempt($op, $name, 1, $token, $options, $typed);
        }
        return $outcomes;
    }

    /**
     * A scheduled retry: one name, never re-expanded; dropped when a later event superseded
     * it. A record that cannot be read (the database) is not "superseded": the same attempt
     * comes again later.
     */
    public function on_retry($op, $name, $attempt, $token = null): void
    {
        $op = (string) $op;
        $name = Closte_Native_Name::key((string) $name); // retries queued by 0.3.0 carry the name as typed
        try {
            $wanted = $this->wanted->get($name);
        } catch (Closte_Native_Walk_Error $e) {
            $delay = self::retry_delay((int) $attempt);
            Closte_Native_Queue::schedule(self::RETRY_HOOK, [$op, $name, (int) $attempt, $token], $delay);
            Closte_Native_Log::add(sprintf('%s %s: attempt %d moved by %d s: %s', $op, $name, (int) $attempt, $delay, $e->getMessage()));
            return;
        }
        if ($token === null) { // a retry queued by closte-native 0.1, before tokens
            if ($wanted !== null && $wanted['op'] !== $op) {
                Closte_Native_Log::add("$op $name: retry dropped, superseded by a later {$wanted['op']}");
                return;
            }
            $token = wp_generate_uuid4();
            $this->wanted->put($name, $op, $token, (int) $attempt);
        } elseif ($wanted === null || $wanted['token'] !== $token) {
            $later = $wanted === null ? 'event, already settled' : $wanted['op'];
            Closte_Native_Log::add("$op $name: retry dropped, superseded by a later $later");
            return;
        }
        $this->attempt($op, $name, (int) $attempt, (string) $token);
    }

    /**
     * Sends one name once. Whether a failure is retried is the extension's decision
     * (Closte\Exception::isRetryable(), the core's one rule), never the bridge's.
     *
     * @return array{status: 'done'|'skipped'|'scheduled'|'gave_up'|'refused', result?: string, why?: string, error?: string, reason?: string, attempt?: int}
     *         done: on Closte (add) or off it (remove), `result` the extension's status;
     *         skipped: the ledger sent nothing, `why` in words (no longer mapped; still claimed);
     *         scheduled: a retry comes at `attempt`; gave_up: retries used up; refused: permanent.
     */
    private function attempt(string $op, string $name, int $attempt, string $token, array $options = [], string $typed = ''): array
    {
        try {
            // The ledger decides now, under the name's lock: an add only while a mapped domain
            // claims the name, a remove only while nothing does.
            $sent = $this->ledger->send_one($op, $name, $options, $typed);
            if (isset($sent['skipped'])) {
                Closte_Native_Log::add(sprintf('%s %s: %s (attempt %d)', $op, $name, $sent['skipped'], $attempt));
                $outcome = ['status' => 'skipped', 'why' => $sent['skipped']];
            } else {
                $r = $sent['sent'];
                Closte_Native_Log::add(sprintf('%s %s: %s (attempt %d, %d request%s, %.0f ms)', $op, $r['domain'], $r['status'],
                    $attempt, $r['attempts'], $r['attempts'] === 1 ? '' : 's', $r['elapsed_ms']));
                $outcome = ['status' => 'done', 'result' => (string) $r['status']];
            }
        } catch (Throwable $e) {
            [$retryable, $why] = Closte_Native_Failure::retryable($e);
            if ($retryable) {
                Closte_Native_Log::add(sprintf('%s %s failed (attempt %d of %d): %s (retryable: %s)', $op, $name, $attempt, self::MAX_ATTEMPTS, $e->getMessage(), $why));
                $next = $this->reschedule($op, $name, $attempt, $token);
                if ($next !== null) {
                    return ['status' => 'scheduled', 'error' => Closte_Native_Failure::explain($e, true), 'reason' => $why, 'attempt' => $next];
                }
                return ['status' => 'gave_up', 'error' => Closte_Native_Failure::explain($e), 'reason' => $why];
            }
            Closte_Native_Log::add(sprintf('%s %s failed for good, not retried: %s (%s)', $op, $name, $e->getMessage(), $why));
            if ($op === 'add') {
                (new Closte_Native_Um_Events())->alias_refused($name, $e->getMessage(), $typed); // told once, with Closte's answer
            }
            $outcome = ['status' => 'refused', 'error' => Closte_Native_Failure::explain($e), 'reason' => $why];
        }
        $this->wanted->settle($name, $token);
        return $outcome;
    }

    public static function retry_delay(int $attempt): int
    {
        return (int) min(self::RETRY_CAP, self::RETRY_BASE * (2 ** ($attempt - 1)));
    }

    /** Schedules the next attempt and returns its number; null when the attempts are used up. */
    private function reschedule(string $op, string $name, int $attempt, string $token): ?int
    {
        if ($attempt >= self::MAX_ATTEMPTS) {
            Closte_Native_Log::add("$op $name: giving up after $attempt attempts; map the domain again once Closte is reachable");
            $this->wanted->settle($name, $token);
            return null;
        }
        $this->wanted->put($name, $op, $token, $attempt + 1);
        $delay = self::retry_delay($attempt);
        $args = [$op, $name, $attempt + 1, $token];
        Closte_Native_Queue::schedule(self::RETRY_HOOK, $args, $delay);
        Closte_Native_Log::add(sprintf('%s %s: attempt %d scheduled in %d s (%s)', $op, $name, $attempt + 1, $delay, Closte_Native_Queue::via()));
        return $attempt + 1;
    }

    /**
     * The name's latest wanted state while work for it is in flight (Closte_Native_Wanted):
     * name (canonical), op, token, attempt, since; null when nothing is in flight.
     *
     * @throws Closte_Native_Walk_Error when it cannot be read
     */
    public function wanted(string $name): ?array
    {
        return $this->wanted->get(Closte_Native_Name::key($name));
    }
}
