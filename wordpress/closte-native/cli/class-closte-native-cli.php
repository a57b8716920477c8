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
    const VIEWS = ['all', 'attention', 'dns', 'certificate', 'expiring', 'missing', 'waiting'];
    const FORMATS = ['table', 'json', 'csv', 'yaml', 'count'];
    /** Fields of `wp closte status`: every one, and those shown by default. */
    const STATUS_FIELDS = ['name', 'domain', 'twin_of', 'site_id', 'site', 'stage', 'stage_label', 'on_closte', 'dns', 'dns_points', 'dns_error', 'dns_next_step', 'dns_checked_at',
        'certificate', 'days_left', 'cert_expires', 'cert_subject', 'cert_issuer', 'cert_error', 'cert_checked_at', 'invalid', 'last_error', 'add_error'];
    const STATUS_DEFAULT_FIELDS = ['name', 'domain', 'site', 'stage', 'on_closte', 'dns', 'certificate', 'days_left'];

    /** Registers `wp closte` (called by the loader only when WP-CLI runs). */
    public static function register(): void
    {
        WP_CLI::add_command('closte', self::class);
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
        self::ready();
        $format = self::format($assoc_args);
        $fields = self::fields($assoc_args, self::STATUS_FIELDS, self::STATUS_DEFAULT_FIELDS);
        $view = (string) ($assoc_args['view'] ?? 'all');
        if (!in_array($view, self::VIEWS, true)) {
            WP_CLI::error(sprintf('Unknown view "%s". Views: %s.', $view, implode(', ', self::VIEWS)));
        }
        $run = Closte_Native_Refresh::run();
        if ($run === null) {
            WP_CLI::warning('Nothing checked yet: run `wp closte refresh --inline` (or `wp closte refresh` and let the queue run it).');
        } elseif ($format === 'table') {
            WP_CLI::log((new Closte_Native_Refresh())->progress()['text']);
        }
        [$rows, $unknown] = $this->status_rows($view, array_map('strval', $args));
        $inflight = Closte_Native_Events::all_wanted();
        $items = array_map(fn ($r) => self::status_item($r, $inflight[$r['name']] ?? null), $rows);
        WP_CLI\Utils\format_items($format, $items, $fields);
        if ($format === 'table' && !in_array('dns_next_step', $fields, true)) {
            // DNS's reason in words, and the next step (machine formats: the dns_next_step field).
            foreach ($items as $item) {
                if ($item['dns_next_step'] !== '') {
                    WP_CLI::log(sprintf('%s: DNS %s. %s', $item['name'], $item['dns'], $item['dns_next_step']));
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
        self::ready();
        if (!WP_CLI\Utils\get_flag_value($assoc_args, 'inline', false)) {
            $id = Closte_Native_Refresh::start('wp-cli');
            WP_CLI::success(sprintf('Refresh queued (run %d): the queue\'s runners check every name in chunks. `wp closte status` shows the result when it is done.', $id));
            return;
        }
        $refresh = new Closte_Native_Refresh();
        $table = new Closte_Native_Status_Table();
        $id = Closte_Native_Refresh::start('wp-cli');
        self::unqueue(Closte_Native_Refresh::HOOK, [$id]); // planned here, not by a runner
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
            $counts[self::view_key('certificate')] ?? 0, $counts['expiring'] ?? 0, $counts['waiting'] ?? 0));
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
        self::ready();
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
            self::warn_invalid($c['invalid']);
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
            self::confirm($question, $yes, 'Nothing was changed.');
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
        self::warn_invalid($c['invalid']);
        $summary = Closte_Native_Actions::sync_summary(count($r['added']), $r['unchanged'], count($failed), $remove ? count($removed) : null);
        if ($failed !== [] || $c['invalid'] !== []) {
            WP_CLI::warning($summary);
            WP_CLI::halt(1);
        }
        WP_CLI::success($summary);
    }

    /**
     * Checks names live, now: DNS against Closte's address and the certificate Closte serves.
     *
     * Not from the status table: one DNS batch and one certificate batch, with the console's
     * options (filters closte_native_console_dns_options and closte_native_console_ssl_options;
     * certificates are fetched from CLOSTE_PUBLIC_IP_ADDRESS when it is defined). One row per
     * name given. Exit status 1 when a name's DNS is not right or its certificate not valid.
     *
     * ## OPTIONS
     *
     * <domain>...
     * : The names to check (a www. twin is checked only when given).
     *
     * [--dns]
     * : Check DNS only.
     *
     * [--ssl]
     * : Check the certificate only.
     *
     * [--connect-to=<host>]
     * : Fetch the certificate from this host or IP (or host:port, [IPv6]:port) instead of CLOSTE_PUBLIC_IP_ADDRESS; SNI and verification stay for each name.
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
     *     # Is the domain ready: DNS at Closte and a valid certificate?
     *     $ wp closte check shop.example.com www.shop.example.com
     *
     *     # The certificate as a given server serves it
     *     $ wp closte check shop.example.com --ssl --connect-to=198.51.100.7
     *
     *     # In a deploy script
     *     $ wp closte check shop.example.com --dns --format=json
     *
     * @when after_wp_load
     */
    public function check($args, $assoc_args): void
    {
        self::ready();
        $format = self::format($assoc_args);
        $dns = (bool) WP_CLI\Utils\get_flag_value($assoc_args, 'dns', false);
        $ssl = (bool) WP_CLI\Utils\get_flag_value($assoc_args, 'ssl', false);
        if (!$dns && !$ssl) {
            $dns = $ssl = true;
        }
        $rows = [];
        $names = [];
        foreach ($args as $arg) {
            $arg = (string) $arg;
            $canonical = Closte_Native_Name::canonical($arg);
            $rows[$arg] = ['name' => $canonical ?? $arg];
            if ($canonical === null) {
                $rows[$arg]['detail'] = sprintf('not a valid domain name: %s', (string) Closte_Native_Name::problem($arg));
                $rows[$arg] += $dns ? ['dns' => 'invalid'] : [];
                $rows[$arg] += $ssl ? ['certificate' => 'invalid'] : [];
            } else {
                $names[$arg] = $canonical;
            }
        }
        $list = array_values(array_unique($names));
        $failed = array_keys(array_diff_key($rows, $names));
        $results = ['dns' => [], 'ssl' => []];
        if ($list !== [] && $dns) {
            try {
                foreach (Closte\check_dns_many($list, Closte_Native_Status::dns_options($list)) as $i => $r) {
                    $results['dns'][$list[$i]] = $r;
                }
            } catch (Throwable $e) {
                WP_CLI::error('DNS could not be checked: ' . Closte_Native_Failure::explain($e));
            }
        }
        if ($list !== [] && $ssl) {
            $options = Closte_Native_Status::ssl_options($list); // expiring_soon: the extension's word, by the certificate's lifetime
            if (isset($assoc_args['connect-to'])) { // the operator's word wins over the filters
                $to = trim((string) $assoc_args['connect-to']);
                if (preg_match('/^\[([^\]]+)\]:(\d{1,5})$/', $to, $m) || preg_match('/^([^:]+):(\d{1,5})$/', $to, $m)) {
                    $options['connect_to'] = $m[1];
                    $options['port'] = (int) $m[2];
                } else {
                    $options['connect_to'] = trim($to, '[]');
                }
            }
            try {
                foreach (Closte\check_ssl_many($list, $options) as $i => $r) {
                    $results['ssl'][$list[$i]] = $r;
                }
            } catch (Throwable $e) {
                WP_CLI::error('Certificates could not be checked: ' . Closte_Native_Failure::explain($e));
            }
        }
        foreach ($names as $arg => $name) {
            $detail = [];
            if ($dns) {
                $r = $results['dns'][$name];
                $rows[$arg]['dns'] = $r['ok'] ? 'ok' : (string) $r['reason'];
                $rows[$arg]['points_to'] = implode(', ', array_merge((array) $r['a'], (array) $r['aaaa']));
                if (!$r['ok']) {
                    $detail[] = (string) $r['error'];
                }
            }
            if ($ssl) {
                $r = $results['ssl'][$name];
                $rows[$arg]['certificate'] = $r['valid'] ? (!empty($r['expiring_soon']) ? 'expiring' : 'valid') : (string) $r['reason'];
                $rows[$arg]['days_left'] = $r['days_remaining'] === null ? '' : (int) $r['days_remaining'];
                $rows[$arg]['expires'] = $r['not_after'] === null ? '' : gmdate('Y-m-d H:i:s', (int) $r['not_after']);
                $rows[$arg]['subject'] = (string) $r['subject'];
                $rows[$arg]['issuer'] = (string) $r['issuer'];
                if (!$r['valid']) {
                    $detail[] = (string) $r['error'];
                }
            }
            $rows[$arg]['detail'] = implode('; ', $detail);
            if ($detail !== []) {
                $failed[] = $arg;
            }
        }
        $fields = array_merge(['name'], $dns ? ['dns', 'points_to'] : [], $ssl ? ['certificate', 'days_left', 'expires', 'subject', 'issuer'] : [], ['detail']);
        $items = [];
        foreach ($rows as $row) {
            $items[] = array_map(fn ($f) => $row[$f] ?? '', array_combine($fields, $fields));
        }
        WP_CLI\Utils\format_items($format, $items, $fields);
        if ($failed !== []) {
            WP_CLI::warning(sprintf('%d of %d names not ready: %s.', count($failed), count($rows), implode(', ', $failed)));
            WP_CLI::halt(1);
        }
    }

    /**
     * Runs every check of mapped domains now and says, for each, pass or fail and the next step.
     *
     * For each domain: its record and stage in Ultimate Multisite, the claims ledger's word,
     * the alias on Closte (one list read for all), DNS (A, AAAA, CNAME) against Closte's
     * address, a proxy in front (Cloudflare), CAA, the certificate as Closte serves it
     * (CLOSTE_PUBLIC_IP_ADDRESS, the console's options) and as visitors reach it (public DNS,
     * the SSL stage's options), and what is scheduled for it (Ultimate Multisite's next
     * stage check, a retry, the watcher). Sends nothing to Closte but the list read. Exit
     * status 1 when any check fails.
     *
     * ## OPTIONS
     *
     * <domain>...
     * : The mapped domains to examine (as typed or canonical; a www. twin is examined as itself).
     *
     * [--format=<format>]
     * : Render output in a particular format: one row per check (domain, check, status, detail, next_step).
     * ---
     * default: table
     * options:
     *   - table
     *   - json
     *   - csv
     *   - yaml
     * ---
     *
     * ## EXAMPLES
     *
     *     # Why has the domain no padlock?
     *     $ wp closte doctor shop.example.com
     *
     *     # Only what fails, as JSON (jq)
     *     $ wp closte doctor shop.example.com --format=json | jq '.[] | select(.status == "fail")'
     *
     *     # Several domains; exit status 1 when any check fails
     *     $ wp closte doctor shop.example.com blog.example.org || echo "needs attention"
     *
     * @when after_wp_load
     */
    public function doctor($args, $assoc_args): void
    {
        self::ready();
        $format = self::format($assoc_args);
        $doctor = new Closte_Native_Doctor();
        $items = [];
        $failed = [];
        foreach ($args as $arg) {
            $result = $doctor->examine((string) $arg);
            if (!$result['ok']) {
                $failed[] = (string) $arg;
            }
            foreach ($result['checks'] as $c) {
                $items[] = ['domain' => (string) $arg] + $c;
            }
        }
        WP_CLI\Utils\format_items($format, $items, ['domain', 'check', 'status', 'detail', 'next_step']);
        if ($failed !== []) {
            WP_CLI::warning(sprintf('%d of %d domains have a failing check: %s.', count($failed), count($args), implode(', ', $failed)));
            WP_CLI::halt(1);
        }
        if ($format === 'table') {
            WP_CLI::success(sprintf('Every check passed (%d domain%s).', count($args), count($args) === 1 ? '' : 's'));
        }
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
        self::ready();
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
        self::ready();
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

    /** Without the extension or the key: one error line, exit 1. */
    private static function ready(): void
    {
        $missing = Closte_Native_Requirements::missing();
        if ($missing !== null) {
            WP_CLI::error('Closte (native) is inactive: ' . $missing);
        }
    }

    private static function format(array $assoc_args): string
    {
        $format = (string) ($assoc_args['format'] ?? 'table');
        if (!in_array($format, self::FORMATS, true)) {
            WP_CLI::error(sprintf('Unknown format "%s". Formats: %s.', $format, implode(', ', self::FORMATS)));
        }
        return $format;
    }

    private static function fields(array $assoc_args, array $all, array $default): array
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

    /** The status table's key of a view named on the command line. */
    private static function view_key(string $view): string
    {
        $views = Closte_Native_Status_Table::VIEWS;
        if (isset($views[$view])) {
            return $view;
        }
        return $view === 'certificate' && isset($views['cert']) ? 'cert' : 'all';
    }

    /**
     * The rows of a view (all of them, or of the domains named), from the status table, and
     * the domains named that have no row at all. The one place that reads the console's data.
     *
     * @return array{0: list<array>, 1: list<string>}
     */
    private function status_rows(string $view, array $domains): array
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
    private static function status_item(array $r, ?array $inflight): array
    {
        if ($r['invalid'] !== null) {
            $on = 'not sent (not a valid name)';
        } elseif ($inflight !== null && $inflight['op'] === 'add') {
            $on = sprintf('retry pending, attempt %d of %d', (int) $inflight['attempt'], Closte_Native_Events::MAX_ATTEMPTS);
        } elseif ($r['on_closte'] === null) {
            $on = 'unknown';
        } else {
            $on = (int) $r['on_closte'] === 1 ? 'yes' : 'missing';
        }
        if ($r['cert_valid'] === null) {
            $cert = 'not checked';
        } elseif ((int) $r['cert_valid'] === 1) {
            $cert = (int) $r['cert_expiring'] === 1 ? 'expiring' : 'valid'; // the extension's verdict, as stored
        } else {
            $cert = (string) $r['cert_reason'];
        }
        return [
            'name' => (string) $r['name'],
            'domain' => (string) $r['domain'],
            'twin_of' => $r['is_twin'] ? (string) $r['domain'] : '',
            'site_id' => (int) $r['site_id'],
            'site' => (string) $r['site'],
            'stage' => (string) $r['stage'],
            'stage_label' => (string) $r['stage_label'],
            'on_closte' => $on,
            'dns' => $r['dns_ok'] === null ? 'not checked' : ((int) $r['dns_ok'] === 1 ? 'ok' : (string) $r['dns_reason']),
            'dns_points' => (string) $r['dns_points'],
            'dns_error' => (string) $r['dns_error'],
            'dns_next_step' => (int) $r['dns_ok'] === 0 && $r['dns_ok'] !== null ? Closte_Native_Dns_Stage::next_step((string) $r['dns_reason']) : '',
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

    /** Records whose name the extension refuses: one warning. */
    private static function warn_invalid(array $invalid): void
    {
        if ($invalid !== []) {
            WP_CLI::warning(Closte_Native_Actions::invalid_sentence($invalid));
        }
    }

    /**
     * WP_CLI::confirm() on a terminal; without --yes and without a terminal (cron, a pipe)
     * nobody can answer, so the command refuses with one error line, exit 1.
     */
    private static function confirm(string $question, bool $yes, string $nothing): void
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
    private static function unqueue(string $hook, array $args): void
    {
        Closte_Native_Queue::unschedule($hook, $args);
    }
}
