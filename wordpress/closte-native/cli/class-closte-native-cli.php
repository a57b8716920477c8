<?php
/**
 * `wp closte`: every console action from the command line, for cron jobs, deploy scripts
 * and support sessions. Loaded and registered only when WP-CLI runs (see closte-native.php):
 * nothing of it is read on web requests. Each public method is a subcommand; its docblock is
 * its `wp help` page. Lists go through WP_CLI\Utils\format_items (table, json, csv, yaml,
 * count), and a machine format prints nothing else on stdout (notes and warnings go to
 * stderr). Anything that failed makes the exit status 1. Without the extension or the key,
 * every subcommand is one error line and exit 1. The key is never printed.
 */

defined('ABSPATH') || exit;

require_once __DIR__ . '/../app/class-closte-native-doctor.php';
require_once __DIR__ . '/class-closte-native-cli-output.php';
require_once __DIR__ . '/class-closte-native-cli-checks.php';

/**
 * Closte domain aliases of the network: status, refresh, sync, live checks, retries and the watcher.
 *
 * ## EXAMPLES
 *
 *     # Every mapped name: on Closte, DNS, certificate (from the last refresh)
 *     $ wp closte status
 *
 *     # Add the aliases missing on Closte (a nightly cron job)
 *     $ wp closte sync
 *
 *     # Is shop.example.com ready, right now?
 *     $ wp closte check shop.example.com
 *
 *     # Why has shop.example.com no padlock?
 *     $ wp closte doctor shop.example.com
 */
final class Closte_Native_CLI
{
    /** The console's views, by the names the command line takes. */
    const FORMATS = ['table', 'json', 'csv', 'yaml', 'count'];
    /** Fields of `wp closte status`: every one, and those shown by default. */
    const STATUS_FIELDS = ['name', 'domain', 'twin_of', 'site_id', 'site', 'stage', 'stage_label', 'on_closte', 'dns', 'dns_points', 'dns_error', 'dns_next_step', 'dns_checked_at',
        'certificate', 'days_left', 'cert_expires', 'cert_subject', 'cert_issuer', 'cert_error', 'cert_checked_at', 'invalid', 'last_error', 'add_error'];
    const STATUS_DEFAULT_FIELDS = ['name', 'domain', 'site', 'stage', 'on_closte', 'dns', 'certificate', 'days_left'];

    /** Registers `wp closte` (called by the loader only when WP-CLI runs). */
    public static function register(): void
    {
        WP_CLI::add_command('closte', self::class);
        WP_CLI::add_command('closte check', [new Closte_Native_CLI_Checks(), 'check']);
        WP_CLI::add_command('closte doctor', [new Closte_Native_CLI_Checks(), 'doctor']);
    }

    /**
     * Shows every mapped name as the console does: on Closte, DNS and certificate.
     *
     * Reads the status table written by the last refresh (`wp closte refresh`, the console's
     * Refresh or the daily reconcile); sends nothing. One row per name: a mapped domain and,
     * where the network creates one, its www. twin.
     *
     * ## OPTIONS
     *
     * [<domain>...]
     * : Only these domains (as typed or canonical; a domain brings its www. twin, a www. name only itself).
     *
     * [--view=<view>]
     * : Only the rows of one of the console's views.
     * ---
     * default: all
     * options:
     *   - all
     *   - attention
     *   - dns
     *   - certificate
     *   - expiring
     *   - missing
     *   - waiting
     * ---
     *
     * [--fields=<fields>]
     * : Comma-separated fields to show. Default: name,domain,site,stage,on_closte,dns,certificate,days_left.
     * Also: twin_of, site_id, stage_label, dns_points, dns_error, dns_next_step (what DNS's reason
     * means and what to do, in words), dns_checked_at, cert_expires,
     * cert_subject, cert_issuer, cert_error, cert_checked_at, invalid, last_error, add_error
     * (why the reconcile or a background sync could not add the name).
     *
     * [--format=<format>]
     * : Render output in a particular format.
     * ---
     * default: table
     * options:
     *   - table
     *   - json
     *   - csv
     *   - yaml
     *   - count
     * ---
     *
     * ## EXAMPLES
     *
     *     # Everything that needs attention
     *     $ wp closte status --view=attention
     *
     *     # One domain and its www. twin, as JSON
     *     $ wp closte status shop.example.com --format=json
     *
     *     # How many aliases are missing on Closte
     *     $ wp closte status --view=missing --format=count
     *
     *     # Certificates and when they end, as CSV
     *     $ wp closte status --fields=name,certificate,days_left,cert_expires --format=csv
     *
     * @when after_wp_load
     */
    public function status($args, $assoc_args): void
    {
        Closte_Native_CLI_Output::ready();
        $format = Closte_Native_CLI_Output::format($assoc_args);
        $fields = Closte_Native_CLI_Output::fields($assoc_args, self::STATUS_FIELDS, self::STATUS_DEFAULT_FIELDS);
        $view = (string) ($assoc_args['view'] ?? 'all');
        if (!isset(Closte_Native_Status_Table::VIEWS[$view])) {
            WP_CLI::error(sprintf('Unknown view "%s". Views: %s.', $view, implode(', ', array_keys(Closte_Native_Status_Table::VIEWS))));
        }
        $run = Closte_Native_Refresh::run();
        if ($run === null) {
            WP_CLI::warning('Nothing checked yet: run `wp closte refresh --inline` (or `wp closte refresh` and let the queue run it).');
        } else {
            Closte_Native_CLI_Output::note((new Closte_Native_Refresh())->progress()['text']); // stderr: stdout holds the rows only, in every format
        }
        [$rows, $unknown] = Closte_Native_CLI_Output::status_rows($view, array_map('strval', $args));
        $inflight = (new Closte_Native_Wanted())->for_names(array_column($rows, 'name'));
        $items = array_map(fn ($r) => Closte_Native_CLI_Output::status_item($r, $inflight[$r['name']] ?? null), $rows);
        WP_CLI\Utils\format_items($format, $items, $fields);
        if ($format === 'table' && !in_array('dns_next_step', $fields, true)) {
            // DNS's reason in words, and the next step (machine formats: the dns_next_step field).
            foreach ($items as $item) {
                if ($item['dns_next_step'] !== '') {
                    Closte_Native_CLI_Output::note(sprintf('%s: DNS %s. %s', $item['name'], $item['dns'], $item['dns_next_step']));
                }
            }
        }
        foreach ($unknown as $domain) {
            WP_CLI::warning(sprintf('%s: not in the status table (not a mapped domain, or mapped since the last refresh: run `wp closte refresh --inline`).', $domain));
        }
        if ($unknown !== []) {
            WP_CLI::halt(1);
        }
    }

    /**
     * Queues a refresh of every name's alias, DNS and certificate; or runs it here.
     *
     * Without --inline the refresh is queued (Action Scheduler, group closte-native) as the
     * console's Refresh button does, and checked in chunks by the queue's runners. With
     * --inline it runs in this process, with a progress bar, and prints what it found.
     *
     * ## OPTIONS
     *
     * [--inline]
     * : Run the refresh in this process (one list read, then one DNS and one certificate batch per chunk) instead of queueing it.
     *
     * ## EXAMPLES
     *
     *     # Queue a refresh; the queue's runners check every name in chunks
     *     $ wp closte refresh
     *
     *     # Check everything now, in this process
     *     $ wp closte refresh --inline
     *
     * @when after_wp_load
     */
    public function refresh($args, $assoc_args): void
    {
        Closte_Native_CLI_Output::ready();
        if (!WP_CLI\Utils\get_flag_value($assoc_args, 'inline', false)) {
            $id = Closte_Native_Refresh::start('wp-cli');
            WP_CLI::success(sprintf('Refresh queued (run %d): the queue\'s runners check every name in chunks. `wp closte status` shows the result when it is done.', $id));
            return;
        }
        $refresh = new Closte_Native_Refresh();
        $table = new Closte_Native_Status_Table();
        $id = Closte_Native_Refresh::start('wp-cli');
        Closte_Native_CLI_Output::unqueue(Closte_Native_Refresh::HOOK, [$id]); // planned here, not by a runner
        $refresh->plan_inline($id); // every step, enqueueing nothing
        $run = Closte_Native_Refresh::run() ?? [];
        $chunks = (int) ($run['chunks'] ?? 0);
        $errors = array_values((array) ($run['errors'] ?? []));
        $progress = WP_CLI\Utils\make_progress_bar('Checking DNS and certificates', max(1, (int) ($run['total'] ?? 0)), 100);
        for ($c = 0; $c < $chunks; $c++) {
            $refresh->add_chunk($id, $c); // a run that adds (it took over the reconcile's or a background sync's) adds here too
            $names = $table->chunk($id, $c);
            foreach ($refresh->check($names, $id) as $error) {
                $errors[] = $error;
            }
            $progress->tick(count($names));
        }
        $progress->finish();
        $refresh->sweep($id); // every chunk checked: the run is finished, the certificate alerts rewritten
        $run = Closte_Native_Refresh::run() ?? [];
        $counts = $table->counts();
        WP_CLI::log(sprintf('%d names checked in %.1f s: %d need attention, %d missing on Closte, %d with DNS wrong, %d without a valid certificate, %d expiring soon, %d waiting.',
            (int) ($run['total'] ?? 0), ((float) ($run['elapsed_ms'] ?? 0)) / 1000, $counts['attention'] ?? 0, $counts['missing'] ?? 0, $counts['dns'] ?? 0,
            $counts['certificate'] ?? 0, $counts['expiring'] ?? 0, $counts['waiting'] ?? 0));
        if ($run['unclaimed_count'] ?? null) {
            WP_CLI::log(sprintf('%d aliases on Closte that no mapped domain claims: %s', (int) $run['unclaimed_count'], implode(', ', array_slice((array) $run['unclaimed'], 0, 20))
                . ((int) $run['unclaimed_count'] > 20 ? ', …' : '')));
        }
        foreach (array_unique($errors) as $error) {
            WP_CLI::warning($error);
        }
        if ($errors !== [] || empty($run['finished_at'])) {
            WP_CLI::warning('The refresh did not check everything (see above). `wp closte status` shows what it could.');
            WP_CLI::halt(1);
        }
        WP_CLI::success('Refreshed. `wp closte status` shows every row.');
    }

    /**
     * Adds every mapped name missing on Closte; optionally removes aliases no mapped domain claims.
     *
     * The same as the console's Sync now: the names of every mapped domain (and their www.
     * twins) that are not aliases on Closte are added. Names the extension refuses are
     * reported, never sent. With --remove-unlisted, aliases that no mapped domain claims
     * (an archived or deleted site's domain counts as claimed) are removed too, after a
     * confirmation; as in the console, this is refused when no mapped domain is found (that
     * would remove every alias) or while a domain record holds a name that is not valid.
     *
     * ## OPTIONS
     *
     * [--dry-run]
     * : Read Closte's alias list once and print what would be added (and removed); send no change.
     *
     * [--remove-unlisted]
     * : Also remove aliases that no mapped domain claims (asks first; see --yes).
     *
     * [--yes]
     * : Remove without asking. Without it, a removal is refused when stdin is not a terminal (cron, pipes).
     *
     * ## EXAMPLES
     *
     *     # Add the missing aliases
     *     $ wp closte sync
     *     Success: Sync: 1 added, 5 already on Closte, 0 failed.
     *
     *     # What would change, adding and removing; nothing is sent
     *     $ wp closte sync --dry-run --remove-unlisted
     *
     *     # Remove unclaimed aliases without a question (scripts)
     *     $ wp closte sync --remove-unlisted --yes
     *
     *     # Nightly, from cron (exit status 1 when anything failed)
     *     0 3 * * * wp --path=/var/www/html closte sync --quiet
     *
     * @when after_wp_load
     */
    public function sync($args, $assoc_args): void
    {
        Closte_Native_CLI_Output::ready();
        $dry = (bool) WP_CLI\Utils\get_flag_value($assoc_args, 'dry-run', false);
        $remove = (bool) WP_CLI\Utils\get_flag_value($assoc_args, 'remove-unlisted', false);
        $yes = (bool) WP_CLI\Utils\get_flag_value($assoc_args, 'yes', false);
        $actions = new Closte_Native_Actions();
        // The alias names once, the records a page at a time: memory holds what differs.
        $cmp = $actions->compare([]);
        if (isset($cmp['error'])) {
            WP_CLI::error($cmp['error']);
        }
        $c = $cmp['compare'];
        $refused = $remove ? Closte_Native_Actions::removal_refused($c) : null;
        if ($refused !== null) {
            WP_CLI::error($refused);
        }
        $unclaimed = $remove ? $c['unclaimed'] : [];
        if ($dry) {
            foreach ($c['missing'] as $name) {
                WP_CLI::log("would add $name");
            }
            foreach ($unclaimed as $name) {
                WP_CLI::log("would remove $name");
            }
            Closte_Native_CLI_Output::warn_invalid($c['invalid']);
            WP_CLI::success(Closte_Native_Actions::dry_run_summary(count($c['missing']), $c['present'], $remove ? count($unclaimed) : null));
            return;
        }
        if ($unclaimed !== []) {
            // Every name that will be removed is printed first; only these are removed.
            foreach ($unclaimed as $name) {
                WP_CLI::log("unclaimed $name");
            }
            $question = sprintf('Remove the %d alias%s listed above from Closte (no mapped domain claims %s)?', count($unclaimed), count($unclaimed) === 1 ? '' : 'es',
                count($unclaimed) === 1 ? 'it' : 'them');
            Closte_Native_CLI_Output::confirm($question, $yes, 'Nothing was changed.');
        }
        // The ledger decides each name again as it is sent: one deleted since the walk is not added.
        $r = $actions->add_missing($cmp, [], 'wp closte sync');
        if (isset($r['error'])) {
            WP_CLI::error($r['error']);
        }
        foreach ($r['added'] as $name) {
            WP_CLI::log("added $name");
        }
        foreach ($r['skipped'] as $why) {
            WP_CLI::log($why);
        }
        $failed = array_values($r['failed']);
        $removed = [];
        if ($unclaimed !== []) {
            $x = $actions->remove_unclaimed($cmp, $unclaimed, [], 'wp closte sync');
            $removed = $x['removed'];
            foreach ($removed as $name) {
                WP_CLI::log("removed $name");
            }
            foreach ($x['skipped'] as $why) {
                WP_CLI::log($why);
            }
            foreach ($x['failed'] as $line) {
                $failed[] = "$line (not removed)";
            }
        }
        foreach ($failed as $line) {
            WP_CLI::warning($line);
        }
        Closte_Native_CLI_Output::warn_invalid($c['invalid']);
        $summary = Closte_Native_Actions::sync_summary(count($r['added']), $r['unchanged'], count($failed), $remove ? count($removed) : null);
        if ($failed !== [] || $c['invalid'] !== []) {
            WP_CLI::warning($summary);
            WP_CLI::halt(1);
        }
        WP_CLI::success($summary);
    }

    /**
     * Re-sends domains to Closte now, superseding their pending retries.
     *
     * Each domain is sent with its www. twin (where the network creates one), as a new
     * domain event: a retry still pending for one of its names is superseded (dropped when
     * its time comes). Says what became of each name: on Closte, a retry scheduled (and
     * why), or refused (and why). Exit status 1 when a name is not on Closte.
     *
     * ## OPTIONS
     *
     * [<domain>...]
     * : The mapped domains to re-send (as typed or canonical; a www. twin stands for its domain).
     *
     * [--all-missing]
     * : Every mapped domain with a name missing on Closte (one read of Closte's alias list decides).
     *
     * ## EXAMPLES
     *
     *     # One domain, now
     *     $ wp closte retry shop.example.com
     *
     *     # Everything Closte lacks
     *     $ wp closte retry --all-missing
     *
     * @when after_wp_load
     */
    public function retry($args, $assoc_args): void
    {
        Closte_Native_CLI_Output::ready();
        $all = (bool) WP_CLI\Utils\get_flag_value($assoc_args, 'all-missing', false);
        if ($all === ($args !== [])) {
            WP_CLI::error('Name the domains to re-send, or pass --all-missing (not both).');
        }
        $actions = new Closte_Native_Actions();
        $records = [];
        $not_mapped = 0;
        if ($all) {
            // The records that claim a name Closte lacks, from one comparison.
            $cmp = $actions->compare([]);
            if (isset($cmp['error'])) {
                WP_CLI::error($cmp['error']);
            }
            foreach ($cmp['compare']['missing'] as $name) {
                $domain = (string) ($cmp['compare']['typed'][$name] ?? $name);
                $records[$domain] = ['domain' => $domain, 'invalid' => null];
            }
            if ($records === []) {
                WP_CLI::success('Nothing missing: every mapped name is on Closte.');
                return;
            }
        }
        $found = $args !== [] ? (new Closte_Native_Inventory())->find(array_values($args)) : [];
        foreach ($args as $i => $arg) {
            if (!isset($found[$i])) {
                WP_CLI::warning(Closte_Native_Actions::not_mapped((string) $arg));
                $not_mapped++;
            } else {
                $records[$found[$i]['domain']] = ['domain' => $found[$i]['domain'], 'invalid' => $found[$i]['invalid']];
            }
        }
        $r = $records !== [] ? $actions->retry(array_values($records)) : ['type' => 'error', 'message' => '', 'on' => 0, 'not' => 0];
        if ($r['message'] !== '') {
            $r['type'] === 'success' ? WP_CLI::log($r['message']) : WP_CLI::warning($r['message']);
        }
        $summary = Closte_Native_Actions::retry_summary(count($records), $r['on'], $r['not'] + $not_mapped);
        if ($r['type'] !== 'success' || $not_mapped > 0) {
            WP_CLI::warning($summary);
            WP_CLI::halt(1);
        }
        WP_CLI::success($summary);
    }

    /**
     * Runs one watcher tick now: waiting domains advance as soon as DNS or their certificate is ready.
     *
     * The same tick the recurring closte_native_watch action runs: one DNS batch over the
     * domains at checking-dns, one certificate batch over those at checking-ssl-cert (and
     * failed ones inside the revival window); each domain whose check passes is processed by
     * Ultimate Multisite at once. Exit status 1 when a batch could not run.
     *
     * ## EXAMPLES
     *
     *     # Let ready domains advance now, instead of at their next check
     *     $ wp closte watch
     *
     * @when after_wp_load
     */
    public function watch($args, $assoc_args): void
    {
        Closte_Native_CLI_Output::ready();
        $r = (new Closte_Native_Watcher())->tick();
        if (!empty($r['idle'])) {
            WP_CLI::success('Nothing is waiting for DNS or a certificate: the watcher has nothing to check.');
            return;
        }
        $list = fn (array $names) => $names === [] ? '' : ' (' . implode(', ', $names) . ')';
        WP_CLI::log(sprintf('%d domains (%d names) checked in %.1f s: %d advanced%s, %d revived%s, %d held by Ultimate Multisite\'s own check%s.',
            (int) $r['domains'], (int) $r['names'], (float) $r['seconds'], count($r['advanced']), $list($r['advanced']), count($r['revived']), $list($r['revived']),
            count($r['held']), $list($r['held'])));
        if (!empty($r['left'])) {
            WP_CLI::log(sprintf('%d domains wait for the next ticks (checked in turns).', (int) $r['left']));
        }
        foreach ((array) $r['errors'] as $what => $error) {
            WP_CLI::warning(sprintf('%s could not be checked: %s', $what === 'dns' ? 'DNS' : 'Certificates', $error));
        }
        if (!empty($r['errors'])) {
            WP_CLI::halt(1);
        }
        WP_CLI::success('Watcher tick done.');
    }
}
