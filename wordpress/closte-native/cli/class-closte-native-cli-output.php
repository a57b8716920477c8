<?php
/**
 * What every `wp closte` subcommand shares: the readiness check, --format and --fields,
 * the status rows in words (the console's data, read from the status table), notes on
 * stderr (stdout holds only a command's data), the confirmation before a removal.
 */

defined('ABSPATH') || exit;

final class Closte_Native_CLI_Output
{
    /** Without the extension or the key: one error line, exit 1. */
    public static function ready(): void
    {
        $missing = Closte_Native_Requirements::missing();
        if ($missing !== null) {
            WP_CLI::error('Closte (native) is inactive: ' . $missing);
        }
    }

    /** The --format asked for, one of Closte_Native_CLI::FORMATS. */
    public static function format(array $assoc_args): string
    {
        $format = (string) ($assoc_args['format'] ?? 'table');
        if (!in_array($format, Closte_Native_CLI::FORMATS, true)) {
            WP_CLI::error(sprintf('Unknown format "%s". Formats: %s.', $format, implode(', ', Closte_Native_CLI::FORMATS)));
        }
        return $format;
    }

    /** The --fields asked for, each one of `$all`; `$default` without the option. */
    public static function fields(array $assoc_args, array $all, array $default): array
    {
        if (!isset($assoc_args['fields'])) {
            return $default;
        }
        $fields = array_values(array_filter(array_map('trim', explode(',', (string) $assoc_args['fields'])), 'strlen'));
        $unknown = array_diff($fields, $all);
        if ($fields === [] || $unknown !== []) {
            WP_CLI::error(sprintf('Unknown field%s: %s. Fields: %s.', count($unknown) === 1 ? '' : 's', implode(', ', $unknown) ?: '(none given)', implode(', ', $all)));
        }
        return $fields;
    }

    /** The status table's key of a view named on the command line (the console's names). */
    public static function view_key(string $view): string
    {
        return isset(Closte_Native_Status_Table::VIEWS[$view]) ? $view : 'all';
    }

    /**
     * The rows of a view (all of them, or of the domains named), from the status table, and
     * the domains named that have no row at all. The one place that reads the console's data.
     *
     * @return array{0: list<array>, 1: list<string>}
     */
    public static function status_rows(string $view, array $domains): array
    {
        $table = new Closte_Native_Status_Table();
        $key = self::view_key($view);
        if ($domains === []) {
            $rows = [];
            for ($page = 1;; $page++) {
                [$part] = $table->page($key, '', 'name', 'asc', 1000, $page);
                array_push($rows, ...$part);
                if (count($part) < 1000) {
                    return [$rows, []];
                }
            }
        }
        $rows = [];
        $unknown = [];
        foreach ($domains as $domain) {
            $canonical = Closte_Native_Name::key($domain);
            $match = fn ($r) => $r['name'] === $canonical || Closte_Native_Name::key((string) $r['domain']) === $canonical
                || (str_starts_with($canonical, 'www.') ? false : $r['domain'] === $domain);
            // The search (a substring of the name, the domain as typed or the site) narrows; $match decides.
            $found = false;
            foreach (['all', $key] as $v) {
                [$part] = $table->page($v, $canonical, 'name', 'asc', 1000, 1);
                if ($canonical !== strtolower($domain)) {
                    [$more] = $table->page($v, $domain, 'name', 'asc', 1000, 1);
                    $part = array_merge($part, $more);
                }
                foreach (array_filter($part, $match) as $r) {
                    $found = true;
                    if ($v === $key) {
                        $rows[$r['name']] = $r;
                    }
                }
            }
            if (!$found) {
                $unknown[] = $domain;
            }
        }
        uasort($rows, fn ($a, $b) => [$a['domain'], $a['is_twin'], $a['name']] <=> [$b['domain'], $b['is_twin'], $b['name']]);
        return [array_values($rows), $unknown];
    }

    /** One status row in words: every field of STATUS_FIELDS, strings (and days as a number). */
    public static function status_item(array $r, ?array $inflight): array
    {
        $on = Closte_Native_Row_State::closte($r, $inflight);
        if ($on === 'invalid') {
            $on = 'not sent (not a valid name)';
        } elseif ($on === 'retry') {
            $on = sprintf('retry pending, attempt %d of %d', (int) $inflight['attempt'], Closte_Native_Events::MAX_ATTEMPTS);
        }
        $cert = Closte_Native_Row_State::certificate($r);
        $cert = ['unchecked' => 'not checked', 'invalid' => (string) $r['cert_reason']][$cert] ?? $cert;
        $dns = Closte_Native_Row_State::dns($r);
        return [
            'name' => (string) $r['name'],
            'domain' => (string) $r['domain'],
            'twin_of' => $r['is_twin'] ? (string) $r['domain'] : '',
            'site_id' => (int) $r['site_id'],
            'site' => (string) $r['site'],
            'stage' => (string) $r['stage'],
            'stage_label' => (string) $r['stage_label'],
            'on_closte' => $on,
            'dns' => ['unchecked' => 'not checked', 'ok' => 'ok', 'wrong' => (string) $r['dns_reason']][$dns],
            'dns_points' => (string) $r['dns_points'],
            'dns_error' => (string) $r['dns_error'],
            'dns_next_step' => $dns === 'wrong' ? Closte_Native_Dns_Stage::next_step((string) $r['dns_reason']) : '',
            'dns_checked_at' => (string) $r['dns_checked_at'],
            'certificate' => $cert,
            'days_left' => $r['cert_days'] === null ? '' : (int) $r['cert_days'],
            'cert_expires' => (string) $r['cert_expires'],
            'cert_subject' => (string) $r['cert_subject'],
            'cert_issuer' => (string) $r['cert_issuer'],
            'cert_error' => (string) $r['cert_error'],
            'cert_checked_at' => (string) $r['cert_checked_at'],
            'invalid' => (string) $r['invalid'],
            'last_error' => (string) $r['last_error'],
            'add_error' => (string) ($r['add_error'] ?? ''),
        ];
    }

    /** A line for the person at the terminal, on stderr: stdout holds only a command's data (rows, names). */
    public static function note(string $line): void
    {
        if (!WP_CLI::get_config('quiet')) {
            fwrite(STDERR, $line . "\n");
        }
    }

    /** Records whose name the extension refuses: one warning. */
    public static function warn_invalid(array $invalid): void
    {
        if ($invalid !== []) {
            WP_CLI::warning(Closte_Native_Actions::invalid_sentence($invalid));
        }
    }

    /**
     * WP_CLI::confirm() on a terminal; without --yes and without a terminal (cron, a pipe)
     * nobody can answer, so the command refuses with one error line, exit 1.
     */
    public static function confirm(string $question, bool $yes, string $nothing): void
    {
        if ($yes) {
            return;
        }
        $tty = function_exists('stream_isatty') ? @stream_isatty(STDIN) : (function_exists('posix_isatty') && @posix_isatty(STDIN));
        if (!$tty) {
            WP_CLI::error("Refusing to remove aliases without confirmation: stdin is not a terminal. Run again with --yes to remove them. $nothing");
        }
        WP_CLI::confirm($question); // exits when the answer is not "y"
    }

    /** Takes back a queued action of the run (Action Scheduler, or WP-Cron without it). */
    public static function unqueue(string $hook, array $args): void
    {
        Closte_Native_Queue::unschedule($hook, $args);
    }
}
