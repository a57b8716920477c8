<?php
/**
 * The application layer under both faces: Sync, Remove unclaimed and Retry, as the console
 * and `wp closte` run them. Each returns a result: what happened (names added, removed,
 * refused, skipped), a notice type (success, warning, error, info) and the sentences an
 * admin reads. The console turns a result into a notice, WP-CLI into lines and an exit
 * code; neither holds a rule, a guard or a sentence of its own. Every send goes through
 * the ledger (Closte_Native_Ledger), which decides each name again as it is sent.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Actions
{
    /** Failed names a summary lists before "…". */
    const LISTED = 20;

    /** @var Closte_Native_Ledger */
    private $ledger;
    /** @var Closte_Native_Inventory */
    private $inventory;

    public function __construct(?Closte_Native_Ledger $ledger = null, ?Closte_Native_Inventory $inventory = null)
    {
        $this->ledger = $ledger ?? new Closte_Native_Ledger($inventory);
        $this->inventory = $inventory ?? new Closte_Native_Inventory($this->ledger);
    }

    /**
     * What differs between the records and Closte, every Sync and removal's start: Closte's
     * alias names read once, the records a page at a time (Closte_Native_Inventory::compare():
     * missing, present, unclaimed, invalid, blocked, claimed, typed, records). Returns
     * ['list' => names, 'compare' => …] or ['error' => sentence] when either could not be
     * read: a walk that did not provably read every record changes nothing.
     */
    public function compare(array $options): array
    {
        try {
            $list = Closte\list_domain_names($options);
        } catch (Throwable $e) {
            return ['error' => __('Closte\'s alias list could not be read, nothing changed:', 'closte-native') . ' ' . Closte_Native_Failure::explain($e)];
        }
        try {
            return ['list' => $list, 'compare' => $this->inventory->compare($list)];
        } catch (Closte_Native_Walk_Error $e) {
            /* translators: %s: what failed, e.g. "the domain records could not be read (…)" */
            return ['error' => sprintf(__('Nothing changed: %s, so an alias could look unclaimed that a domain still needs. Try again; if it keeps failing, check the database.', 'closte-native'),
                rtrim($e->getMessage(), '.'))];
        } catch (Throwable $e) {
            return ['error' => __('Nothing changed:', 'closte-native') . ' ' . Closte_Native_Failure::explain($e)];
        }
    }

    /**
     * Sync now, as the console runs it: the comparison, then the missing names added in
     * this request, or, when more than `$inline` are missing (a network moving to Closte),
     * by a background refresh that adds them chunk by chunk as the reconcile does (none
     * started while a run that adds is under way: that one adds them). Returns ['type',
     * 'message'] and, when added here, add_missing()'s fields.
     */
    public function sync(array $options, string $who, int $inline): array
    {
        $cmp = $this->compare($options);
        if (isset($cmp['error'])) {
            return ['type' => 'error', 'message' => $cmp['error']];
        }
        $c = $cmp['compare'];
        $invalid = $c['invalid'] ? ' ' . self::invalid_sentence($c['invalid']) : '';
        if (count($c['missing']) > $inline) {
            $current = Closte_Native_Refresh::run();
            if ($current !== null && empty($current['finished_at']) && $current['add_missing']) {
                /* translators: %s: how many names are missing */
                return ['type' => 'info', 'message' => sprintf(__('Sync: %s names are missing on Closte; the run under way adds them, chunk by chunk; this page shows its progress.', 'closte-native'),
                    number_format_i18n(count($c['missing'])))];
            }
            try {
                $id = Closte_Native_Refresh::start('console', true, 'sync');
            } catch (RuntimeException $e) {
                return ['type' => 'error', 'message' => __('Sync failed, nothing changed:', 'closte-native') . ' ' . $e->getMessage()];
            }
            Closte_Native_Log::add(sprintf('%s: %d names missing on Closte, more than one request adds (%d): run %d adds them in the background', $who, count($c['missing']), $inline, $id));
            /* translators: 1: how many names are missing, 2: how many one request adds, 3: how many are on Closte already */
            return ['type' => $invalid ? 'warning' : 'info', 'message' => sprintf(__('Sync: %1$s names are missing on Closte, more than this page adds at once (%2$s): they are being added in the background, chunk by chunk; this page shows the progress. %3$s already on Closte.', 'closte-native'),
                number_format_i18n(count($c['missing'])), number_format_i18n($inline), number_format_i18n($c['present'])) . $invalid];
        }
        $r = $this->add_missing($cmp, $options, $who);
        if (isset($r['error'])) {
            return ['type' => 'error', 'message' => $r['error']];
        }
        $message = self::sync_summary(count($r['added']), $r['unchanged'], count($r['failed']))
            . ($r['failed'] ? ' ' . self::listed($r['failed']) . '.' : '')
            . ($r['skipped'] ? ' ' . self::listed($r['skipped']) . '.' : '')
            . $invalid;
        return ['type' => $r['failed'] || $invalid ? 'warning' : 'success', 'message' => $message] + $r;
    }

    /**
     * Remove unclaimed, as the console runs it: only the names the admin was shown and
     * confirmed (`$shown`), after a comparison that provably read every record, and of those
     * only the ones still unclaimed as each is sent. Returns ['type', 'message'].
     */
    public function remove_confirmed(array $shown, array $options, string $who): array
    {
        if ($shown === []) {
            return ['type' => 'error', 'message' => __('Nothing removed: the page did not say which aliases to remove. Reload the page and confirm again.', 'closte-native')];
        }
        $cmp = $this->compare($options);
        if (isset($cmp['error'])) {
            return ['type' => 'error', 'message' => $cmp['error']];
        }
        $refused = self::removal_refused($cmp['compare']);
        if ($refused !== null) {
            return ['type' => 'error', 'message' => $refused];
        }
        $r = $this->remove_unclaimed($cmp, $shown, $options, $who);
        return ['type' => $r['failed'] ? 'warning' : 'success', 'message' => self::removal_summary($r)] + $r;
    }

    /**
     * Why no alias may be removed now, in one sentence, or null: no mapped domain was found
     * (removing every alias is never what a network wants), or a record holds a name the
     * extension refuses (an alias it stands for would look unclaimed). `$offered`: said
     * where the removal would be offered (the page, before anything is pressed), not as
     * the result of a removal asked for.
     */
    public static function removal_refused(array $c, bool $offered = false): ?string
    {
        if ($c['claimed'] === 0) {
            return $offered
                ? __('No removal is offered: no mapped domain was found, and removing every alias is never what a network wants.', 'closte-native')
                : __('Nothing removed: no mapped domain was found, and removing every alias is never what a network wants.', 'closte-native');
        }
        return $c['blocked'] !== [] ? self::blocked($c['blocked'], $offered) : null;
    }

    /** Why no alias is removed while domain records (`$invalid`: name => why) hold names the extension refuses (`$offered`: see removal_refused()). */
    public static function blocked(array $invalid, bool $offered = false): string
    {
        return $offered
            /* translators: %s: the records' names, each with why it is not valid, separated by semicolons */
            ? sprintf(__('No removal is offered: these domain records hold names that are not valid domain names: %s. An alias they stand for would look unclaimed, so no alias is removed until they are corrected or deleted.', 'closte-native'),
                self::pairs($invalid))
            /* translators: %s: the records' names, each with why it is not valid, separated by semicolons */
            : sprintf(__('Nothing removed: these domain records hold names that are not valid domain names: %s. An alias they stand for would look unclaimed, so no alias is removed until they are corrected or deleted.', 'closte-native'),
                self::pairs($invalid));
    }

    /**
     * Adds the names the comparison found missing, each only if the ledger finds it claimed
     * and wanted as it is sent, then updates the On Closte column from the list read and
     * what was added. Returns ['added' => names, 'unchanged' => already on Closte,
     * 'failed' => name => sentence, 'skipped' => sentences] or ['error' => sentence] when
     * nothing could be sent (a setting, the key). `$cmp['list']` then holds the names added too.
     */
    public function add_missing(array &$cmp, array $options, string $who): array
    {
        $c = $cmp['compare'];
        try {
            $r = $this->ledger->add($c['missing'], $options, $who, $c['typed']);
        } catch (Throwable $e) {
            return ['error' => __('Sync failed, nothing changed:', 'closte-native') . ' ' . Closte_Native_Failure::explain($e)];
        }
        if ($r['added'] !== []) {
            $cmp['list'] = array_values(array_unique(array_merge($cmp['list'], $r['added']))); // what Closte holds now, for a removal that follows
            (new Closte_Native_Status())->refresh_aliases(null, $cmp['list']);
        }
        $failed = [];
        foreach ($r['failed'] as $name => $error) {
            $failed[$name] = !empty($error['retryable'])
                /* translators: 1: a name, 2: why Closte did not take it */
                ? sprintf(__('%1$s: %2$s (temporary: sync again later)', 'closte-native'), $name, rtrim((string) $error['message'], '.'))
                /* translators: 1: a name, 2: why Closte refused it */
                : sprintf(__('%1$s: %2$s (refused)', 'closte-native'), $name, rtrim((string) $error['message'], '.'));
        }
        return ['added' => $r['added'], 'unchanged' => $c['present'] + $r['unchanged'], 'failed' => $failed, 'skipped' => array_values($r['skipped'])];
    }

    /**
     * Removes `$names` of the comparison's unclaimed aliases (those the admin was shown and
     * confirmed; any other name is ignored), each only if the ledger finds it unclaimed as it
     * is sent; protected names never. Updates the On Closte column. Returns ['removed' =>
     * names, 'failed' => sentences, 'skipped' => sentences, 'kept' => shown names not removed
     * because they are claimed or gone now].
     */
    public function remove_unclaimed(array $cmp, array $names, array $options, string $who): array
    {
        $todo = array_values(array_intersect($cmp['compare']['unclaimed'], $names));
        $r = $this->ledger->remove($todo, $options, $who);
        if ($r['removed'] !== []) {
            (new Closte_Native_Status())->refresh_aliases(null, array_values(array_diff($cmp['list'], $r['removed'])));
        }
        return ['removed' => $r['removed'], 'failed' => array_values($r['failed']), 'skipped' => array_values($r['skipped']),
            'kept' => max(0, count($names) - count($r['removed']) - count($r['failed']))];
    }

    /**
     * Re-sends mapped domains' names now (`$records`: each ['domain' => as its record holds it,
     * 'invalid' => why the extension refuses it, or null]), through the same path as a
     * domain event; says what really happened to each name. Returns ['type', 'message' (one
     * sentence per domain), 'on' => names on Closte, 'not' => names not].
     */
    public function retry(array $records, array $options = []): array
    {
        $type = 'success';
        $parts = [];
        $on = 0;
        $not = 0;
        $events = new Closte_Native_Events($this->ledger);
        foreach ($records as $record) {
            [$t, $message, $yes, $no] = self::retry_one($events, $record, $options);
            $type = $t === 'error' || $type === 'error' ? 'error' : ($t === 'warning' ? 'warning' : $type);
            $parts[] = $message;
            $on += $yes;
            $not += $no;
        }
        if ($on > 0) {
            (new Closte_Native_Status())->refresh_aliases(); // the On Closte column: one list read
        }
        return ['type' => $type, 'message' => implode(' ', $parts), 'on' => $on, 'not' => $not];
    }

    /** One domain's retry: [type, sentence, names on Closte, names not]. */
    private static function retry_one(Closte_Native_Events $events, array $record, array $options): array
    {
        $shown = Closte_Native_Name::shown($record['domain']);
        if ($record['invalid'] !== null) {
            /* translators: 1: the domain, 2: why it is not a valid domain name */
            return ['error', sprintf(__('%1$s is not a valid domain name (%2$s): correct it in its domain record. Nothing was sent.', 'closte-native'), $shown, $record['invalid']), 0, 1];
        }
        $outcomes = $events->event('add', $record['domain'], $options);
        $type = 'success';
        $parts = [];
        $on = array_keys(array_filter($outcomes, fn ($o) => $o['status'] === 'done'));
        foreach ($outcomes as $name => $o) {
            if ($o['status'] === 'skipped') {
                $type = $type === 'error' ? 'error' : 'warning';
                $parts[] = rtrim($o['why'], '.') . '.';
            } elseif ($o['status'] === 'scheduled') {
                $type = $type === 'error' ? 'error' : 'warning';
                /* translators: 1: a name, 2: why Closte did not take it, 3: the attempt now scheduled, 4: the attempts in all */
                $parts[] = sprintf(__('Closte did not take %1$s yet (%2$s); it is sent again automatically: attempt %3$d of %4$d is scheduled.', 'closte-native'),
                    $name, rtrim($o['error'], '.'), $o['attempt'], Closte_Native_Events::MAX_ATTEMPTS);
            } elseif ($o['status'] === 'gave_up') {
                $type = 'error';
                /* translators: 1: a name, 2: why Closte did not take it */
                $parts[] = sprintf(__('Closte did not take %1$s (%2$s), and its retries are used up.', 'closte-native'), $name, rtrim($o['error'], '.'));
            } elseif ($o['status'] === 'refused') {
                $type = 'error';
                /* translators: 1: a name, 2: Closte's answer */
                $parts[] = sprintf(__('%1$s was refused, not retried: %2$s', 'closte-native'), $name, $o['error']);
            }
        }
        $not = count($outcomes) - count($on);
        if ($parts === []) {
            /* translators: %s: the domain */
            return ['success', sprintf(__('Re-sent %s: on Closte.', 'closte-native'), $shown), count($on), $not];
        }
        if ($on === [] && count(array_filter($outcomes, fn ($o) => $o['status'] !== 'skipped')) === 0) {
            return ['warning', implode(' ', $parts), 0, $not]; // nothing was sent: no "Re-sent"
        }
        if ($on !== []) {
            /* translators: %s: names, separated by commas */
            array_unshift($parts, sprintf(__('%s: on Closte.', 'closte-native'), implode(', ', $on)));
        }
        /* translators: %s: the domain */
        return [$type, sprintf(__('Re-sent %s:', 'closte-native'), $shown) . ' ' . implode(' ', $parts), count($on), $not];
    }

    /** "Dry run, nothing sent: 1 to add, 7 already on Closte[, 2 unclaimed to remove]." */
    public static function dry_run_summary(int $add, int $present, ?int $remove = null): string
    {
        /* translators: 1: names to add, 2: names already on Closte */
        $s = sprintf(__('Dry run, nothing sent: %1$d to add, %2$d already on Closte', 'closte-native'), $add, $present);
        if ($remove !== null) {
            /* translators: %d: unclaimed aliases that would be removed */
            $s .= sprintf(__(', %d unclaimed to remove', 'closte-native'), $remove);
        }
        return $s . '.';
    }

    /** "Re-sent 2 domains: 3 names on Closte, 1 not." */
    public static function retry_summary(int $domains, int $on, int $not): string
    {
        /* translators: %d: domains re-sent */
        return sprintf(_n('Re-sent %d domain:', 'Re-sent %d domains:', $domains, 'closte-native'), $domains) . ' '
            /* translators: 1: names on Closte, 2: names not */
            . sprintf(_n('%1$d name on Closte, %2$d not.', '%1$d names on Closte, %2$d not.', $on, 'closte-native'), $on, $not);
    }

    /** "x is not a mapped domain: nothing sent." */
    public static function not_mapped(string $name): string
    {
        /* translators: %s: the name given */
        return sprintf(__('%s is not a mapped domain: nothing sent.', 'closte-native'), $name);
    }

    /** "Sync: 1 added, 7 already on Closte, 0 failed[, 2 unclaimed removed]." */
    public static function sync_summary(int $added, int $unchanged, int $failed, ?int $removed = null): string
    {
        /* translators: 1: names added, 2: names already on Closte, 3: names that failed */
        $s = sprintf(__('Sync: %1$d added, %2$d already on Closte, %3$d failed', 'closte-native'), $added, $unchanged, $failed);
        if ($removed !== null) {
            /* translators: %d: unclaimed aliases removed */
            $s .= sprintf(__(', %d unclaimed removed', 'closte-native'), $removed);
        }
        return $s . '.';
    }

    /** "Removed 2 unclaimed aliases, 0 failed." with the failures and the names kept. */
    public static function removal_summary(array $r): string
    {
        $n = count($r['removed']);
        /* translators: 1: aliases removed, 2: aliases that failed */
        return sprintf(_n('Removed %1$d unclaimed alias, %2$d failed.', 'Removed %1$d unclaimed aliases, %2$d failed.', $n, 'closte-native'), $n, count($r['failed']))
            . ($r['failed'] ? ' ' . self::listed($r['failed']) . '.' : '')
            /* translators: %d: aliases shown that were not removed */
            . ($r['kept'] > 0 ? ' ' . sprintf(_n('%d alias shown is claimed or gone now: not removed.', '%d aliases shown are claimed or gone now: not removed.', $r['kept'], 'closte-native'), $r['kept']) : '');
    }

    /** "Not sent, not a valid domain name: x (why). Correct it in its domain record." */
    public static function invalid_sentence(array $invalid): string
    {
        /* translators: %s: the names, each with why it is not valid, separated by semicolons */
        return sprintf(_n('Not sent, not a valid domain name: %s. Correct it in its domain record.', 'Not sent, not valid domain names: %s. Correct them in their domain records.', count($invalid), 'closte-native'),
            self::pairs($invalid));
    }

    /** Up to LISTED sentences joined by "; ", then "…". */
    public static function listed(array $lines): string
    {
        return implode('; ', array_slice(array_values($lines), 0, self::LISTED)) . (count($lines) > self::LISTED ? '; …' : '');
    }

    private static function pairs(array $map): string
    {
        return implode('; ', array_map(fn ($n, $why) => "$n ($why)", array_keys($map), $map));
    }
}
