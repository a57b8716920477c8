<?php
/**
 * Domain events and their retries. One event (wu_add_domain / wu_remove_domain) covers the
 * domain and, when the network creates one, its www. twin. Before any request, the latest
 * wanted state of every one of those names is recorded with a token unique to the event;
 * each name is then sent on its own, and a transient failure schedules a retry for that one
 * name, carrying the token. A retry runs only while its token is still the name's latest:
 * a later event for the same name (an unmap after a failed map, say) supersedes it, so a
 * stale retry never brings an alias back, and a retry never re-expands its name.
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
    const RETRY_GROUP = 'closte-native';
    /** One network option per name with work in flight: prefix . md5(name). */
    const WANTED_PREFIX = 'closte_native_wanted_';

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
                        Closte_Native::log("took over $hook from $owner: closte-native sends this event");
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

    /** The names one event covers: the domain, and its www. twin when the network creates one. */
    public function names(string $domain): array
    {
        $names = [$domain];
        $manager = '\\WP_Ultimo\\Managers\\Domain_Manager';
        if (strncmp($domain, 'www.', 4) !== 0 && strncmp($domain, '*.', 2) !== 0
            && class_exists($manager) && method_exists($manager, 'get_instance')) {
            $instance = $manager::get_instance();
            if (method_exists($instance, 'should_create_www_subdomain') && $instance->should_create_www_subdomain($domain)) {
                $names[] = "www.$domain";
            }
        }
        return $names;
    }

    public function event(string $op, string $domain): void
    {
        $tokens = [];
        foreach ($this->names($domain) as $name) {
            $tokens[$name] = wp_generate_uuid4();
            $this->want($name, $op, $tokens[$name], 1); // all recorded before any request
        }
        foreach ($tokens as $name => $token) {
            $this->attempt($op, $name, 1, $token);
        }
    }

    /** A scheduled retry: one name, never re-expanded; dropped when a later event superseded it. */
    public function on_retry($op, $name, $attempt, $token = null): void
    {
        $op = (string) $op;
        $name = (string) $name;
        $wanted = $this->wanted($name);
        if ($token === null) { // a retry queued by closte-native 0.1, before tokens
            if ($wanted !== null && $wanted['op'] !== $op) {
                Closte_Native::log("$op $name: retry dropped, superseded by a later {$wanted['op']}");
                return;
            }
            $token = wp_generate_uuid4();
            $this->want($name, $op, $token, (int) $attempt);
        } elseif ($wanted === null || $wanted['token'] !== $token) {
            $later = $wanted === null ? 'event, already settled' : $wanted['op'];
            Closte_Native::log("$op $name: retry dropped, superseded by a later $later");
            return;
        }
        $this->attempt($op, $name, (int) $attempt, (string) $token);
    }

    private function attempt(string $op, string $name, int $attempt, string $token): void
    {
        try {
            $r = $op === 'add' ? Closte\add_domain($name) : Closte\remove_domain($name);
            Closte_Native::log(sprintf('%s %s: %s (attempt %d, %d request%s, %.0f ms)', $op, $r['domain'], $r['status'],
                $attempt, $r['attempts'], $r['attempts'] === 1 ? '' : 's', $r['elapsed_ms']));
        } catch (Throwable $e) {
            if (self::is_transient($e)) {
                Closte_Native::log(sprintf('%s %s failed (attempt %d of %d): %s', $op, $name, $attempt, self::MAX_ATTEMPTS, $e->getMessage()));
                $this->reschedule($op, $name, $attempt, $token);
                return;
            }
            Closte_Native::log(sprintf('%s %s failed for good, not retried: %s: %s', $op, $name, get_class($e), $e->getMessage()));
        }
        $this->settle($name, $token);
    }

    /** Closte unreachable, timed out, rate-limited or failing on its side: worth another try. */
    public static function is_transient(Throwable $e): bool
    {
        if ($e instanceof Closte\TransportException) {
            return true;
        }
        if ($e instanceof Closte\ApiException) {
            $code = $e->getCode();
            return $code === 408 || $code === 429 || $code >= 500;
        }
        return false;
    }

    public static function retry_delay(int $attempt): int
    {
        return (int) min(self::RETRY_CAP, self::RETRY_BASE * (2 ** ($attempt - 1)));
    }

    private function reschedule(string $op, string $name, int $attempt, string $token): void
    {
        if ($attempt >= self::MAX_ATTEMPTS) {
            Closte_Native::log("$op $name: giving up after $attempt attempts; map the domain again once Closte is reachable");
            $this->settle($name, $token);
            return;
        }
        $this->want($name, $op, $token, $attempt + 1);
        $delay = self::retry_delay($attempt);
        $args = [$op, $name, $attempt + 1, $token];
        if (function_exists('as_schedule_single_action')) {
            as_schedule_single_action(time() + $delay, self::RETRY_HOOK, $args, self::RETRY_GROUP);
            $via = 'Action Scheduler';
        } else {
            wp_schedule_single_event(time() + $delay, self::RETRY_HOOK, $args);
            $via = 'WP-Cron';
        }
        Closte_Native::log(sprintf('%s %s: attempt %d scheduled in %d s (%s)', $op, $name, $attempt + 1, $delay, $via));
    }

    /** The name's latest wanted state while work for it is in flight: op, token, attempt. */
    public function wanted(string $name): ?array
    {
        $record = get_network_option(null, self::WANTED_PREFIX . md5($name), null);
        return is_array($record) && isset($record['op'], $record['token']) ? $record : null;
    }

    /**
     * Every name with work in flight, name => record, in one query (the console shows them
     * for thousands of names; one get_network_option() each would be a query each).
     */
    public static function all_wanted(): array
    {
        global $wpdb;
        $rows = $wpdb->get_col($wpdb->prepare(
            "SELECT meta_value FROM {$wpdb->sitemeta} WHERE site_id = %d AND meta_key LIKE %s",
            get_current_network_id(),
            $wpdb->esc_like(self::WANTED_PREFIX) . '%'
        ));
        $out = [];
        foreach ($rows as $raw) {
            $record = maybe_unserialize($raw);
            if (is_array($record) && isset($record['name'], $record['op'], $record['token'])) {
                $out[$record['name']] = $record;
            }
        }
        return $out;
    }

    private function want(string $name, string $op, string $token, int $attempt): void
    {
        update_network_option(null, self::WANTED_PREFIX . md5($name), ['name' => $name, 'op' => $op, 'token' => $token, 'attempt' => $attempt]);
    }

    /** Done with this event's work for the name, unless a later event has taken it over. */
    private function settle(string $name, string $token): void
    {
        $wanted = $this->wanted($name);
        if ($wanted !== null && $wanted['token'] === $token) {
            delete_network_option(null, self::WANTED_PREFIX . md5($name));
        }
    }
}
