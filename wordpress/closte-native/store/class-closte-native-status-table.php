<?php
/**
 * The status table {$wpdb->base_prefix}closte_status: one row per name (a mapped domain and
 * its www. twin, canonical), with its domain record and site, the plugin's stage, on Closte
 * or not, the DNS and certificate verdicts with when each was checked, and the last error.
 * Created and upgraded by dbDelta behind the schema-version network option
 * closte_native_status_schema (no table change without a version bump). The console's
 * views are indexed flag columns (f_*), each with a (flag, domain, name) key, so a view
 * sorted by domain is one index range with LIMIT; the flags are derived from the columns by
 * one SQL rule (FLAGS), rewritten after every write.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Status_Table
{
    /**
     * The version of every table of the bridge (Closte_Native_Schema), raised with each
     * change. 8: the retries in flight (closte_wanted) and the watcher's domains
     * (closte_watched) have tables. No release before 0.4.0 had tables; 1 to 7 were
     * development builds of 0.4.0, brought up to date by dbDelta alone.
     */
    const SCHEMA = 8;
    const SCHEMA_OPTION = 'closte_native_status_schema';
    /** The console's views: key => [label, SQL condition on one indexed flag]. */
    const VIEWS = [
        'all' => ['All', '1=1'],
        'attention' => ['Needs attention', 'f_attention = 1'],
        'dns' => ['DNS wrong', 'f_dns = 1'],
        'certificate' => ['No valid certificate', 'f_cert = 1'],
        'expiring' => ['Expiring soon', 'f_expiring = 1'],
        'missing' => ['Missing on Closte', 'f_missing = 1'],
        'waiting' => ['Waiting', 'f_waiting = 1'],
    ];

    /** Sortable columns => ORDER BY (each the prefix of an index; name last, unique). */
    const SORTS = [
        'name' => 'domain %1$s, is_twin %1$s, name %1$s',
        'site' => 'site %1$s, domain %1$s, is_twin %1$s, name %1$s',
        'stage' => 'stage %1$s, domain %1$s, is_twin %1$s, name %1$s',
        'expires' => 'cert_expires %1$s, name %1$s',
    ];

    /** The index of each sort. */
    const SORT_KEYS = ['name' => 'domain', 'site' => 'site', 'stage' => 'stage', 'expires' => 'cert_expires'];

    /**
     * The one rule for the flags, from the row's own columns. Waiting domains (the customer
     * is still setting DNS up, the certificate is not issued yet) need no one's attention
     * for DNS or the certificate: the watcher follows them. Whether a certificate is
     * expiring is the extension's word (check_ssl()'s expiring_soon, by the certificate's
     * own lifetime), stored in cert_expiring: the plugin decides nothing from the days left.
     */
    const FLAGS = 'f_waiting = (stage IN (' . Closte_Native_Stages::WAITING_SQL . ")),
        f_missing = (wanted = 1 AND invalid IS NULL AND on_closte = 0),
        f_dns = (dns_ok = 0),
        f_cert = (cert_valid = 0),
        f_expiring = (cert_valid = 1 AND cert_expiring = 1),
        f_attention = (wanted = 1 AND (invalid IS NOT NULL OR on_closte = 0 OR cert_expiring = 1 AND cert_valid = 1
            OR (stage NOT IN (" . Closte_Native_Stages::WAITING_SQL . ') AND (dns_ok = 0 OR cert_valid = 0))))';

    /** The rows of the certificate alerts: a finished domain's certificate not valid, or expiring. */
    const ALERTS_WHERE = "wanted = 1 AND invalid IS NULL AND stage IN ('" . Closte_Native_Stages::DONE . "', '') AND (f_cert = 1 OR f_expiring = 1)";

    /** How many certificates need attention (the alerts' count, one COUNT). */
    public function certificate_alert_count(): int
    {
        $this->install();
        return (int) $this->db->get_var('SELECT COUNT(*) FROM ' . $this->name() . ' WHERE ' . self::ALERTS_WHERE);
    }

    /** Names read per query when the whole table is compared with Closte's list. */
    const NAMES_PAGE = 5000;

    /** @var wpdb */
    private $db;

    public function __construct(?wpdb $db = null)
    {
        global $wpdb;
        $this->db = $db ?? $wpdb;
    }

    public function name(): string
    {
        return $this->db->base_prefix . 'closte_status';
    }

    public function runs_name(): string
    {
        return $this->db->base_prefix . 'closte_runs';
    }

    public function run_aliases_name(): string
    {
        return $this->db->base_prefix . 'closte_run_aliases';
    }

    public function run_chunks_name(): string
    {
        return $this->db->base_prefix . 'closte_run_chunks';
    }

    /** Creates or upgrades the bridge's tables when the stored schema version is older (Closte_Native_Schema). */
    public function install(): void
    {
        if ((int) get_network_option(null, self::SCHEMA_OPTION, 0) < self::SCHEMA) {
            (new Closte_Native_Schema($this, $this->db))->install();
        }
    }

    /** Empties the table (and forgets the schema check was made, so the next write reinstalls). */
    public function clear(): void
    {
        $this->install();
        $this->db->query('TRUNCATE TABLE ' . $this->name());
        $this->db->query('TRUNCATE TABLE ' . $this->runs_name());
        $this->db->query('TRUNCATE TABLE ' . $this->run_chunks_name());
        $this->db->query('TRUNCATE TABLE ' . $this->run_aliases_name());
        $this->db->query('TRUNCATE TABLE ' . $this->db->base_prefix . 'closte_claims');
    }

    /** Closte's alias names (canonical) for run `$run`'s plan, 1,000 a statement. */
    public function store_aliases(int $run, array $names): void
    {
        $this->install();
        $t = $this->run_aliases_name();
        $this->db->query($this->db->prepare("DELETE FROM $t WHERE run = %d", $run));
        foreach (array_chunk($names, 1000) as $part) {
            $this->db->query("INSERT IGNORE INTO $t (run, name) VALUES " . implode(',', array_map(fn ($n) => "($run," . $this->literal(mb_substr((string) $n, 0, 253)) . ')', $part)));
        }
    }

    /** Of `$names`, those on Closte by run `$run`'s list read. */
    public function aliases_among(int $run, array $names): array
    {
        return $names === [] ? [] : $this->db->get_col($this->db->prepare('SELECT name FROM ' . $this->run_aliases_name() . ' WHERE run = %d AND name IN (', $run)
            . implode(',', array_map([$this, 'literal'], $names)) . ')');
    }

    /** Of `$names`, those an earlier plan step of run `$run` wrote (a step that starts before record `$offset`). */
    public function names_in_run(int $run, array $names, int $offset): array
    {
        return $names === [] ? [] : $this->db->get_col($this->db->prepare('SELECT name FROM ' . $this->name() . ' WHERE run = %d AND planned_from < %d AND name IN (', $run, $offset)
            . implode(',', array_map([$this, 'literal'], $names)) . ')');
    }

    /**
     * Aliases of run `$run`'s list read that no row of the run claims and that are not
     * `$protected` (the network's own names): [the first `$limit` by name, how many].
     */
    public function unclaimed_aliases(int $run, int $limit, array $protected = []): array
    {
        $keep = $protected === [] ? '' : ' AND a.name NOT IN (' . implode(',', array_map([$this, 'literal'], $protected)) . ')';
        $from = $this->db->prepare('FROM ' . $this->run_aliases_name() . ' a LEFT JOIN ' . $this->name() . ' s ON s.name = a.name AND s.run = %d WHERE a.run = %d AND s.name IS NULL', $run, $run) . $keep;
        return [$this->db->get_col("SELECT a.name $from ORDER BY a.name LIMIT " . (int) $limit), (int) $this->db->get_var("SELECT COUNT(*) $from")];
    }

    /**
     * Claimants of the ledger (canonical domains) that no row of run `$run` holds as a domain
     * and that were recorded before `$before` (a Unix time: the run's start; a domain mapped
     * since was recorded by its event after the walk passed): the walk did not meet them.
     */
    public function claimants_not_in_run(int $run, int $before): array
    {
        $claims = $this->db->base_prefix . 'closte_claims';
        return array_map('strval', (array) $this->db->get_col($this->db->prepare("SELECT DISTINCT c.claimant FROM $claims c LEFT JOIN " . $this->name()
            . ' s ON s.name = c.claimant AND s.run = %d AND s.is_twin = 0 WHERE s.name IS NULL AND c.since < %d', $run, $before)));
    }

    /** The plan is done with run `$run`'s alias names. */
    public function forget_aliases(int $run): void
    {
        $this->db->query($this->db->prepare('DELETE FROM ' . $this->run_aliases_name() . ' WHERE run <= %d', $run));
    }

    /**
     * One multi-row upsert: $rows are column => value arrays with the same keys; on an
     * existing name only those columns change. Rows without `domain` only update: a name
     * with no row gets none. Then the flags of those names are rewritten.
     */
    public function upsert(array $rows): void
    {
        if ($rows === []) {
            return;
        }
        $this->install();
        $columns = array_keys($rows[0]);
        $values = [];
        foreach ($rows as $row) {
            $values[] = '(' . implode(',', array_map(fn ($c) => $this->literal($row[$c] ?? null), $columns)) . ')';
        }
        $update = implode(', ', array_map(fn ($c) => "$c = VALUES($c)", array_diff($columns, ['name'])));
        $this->db->query('INSERT INTO ' . $this->name() . ' (' . implode(',', $columns) . ') VALUES ' . implode(',', $values) . " ON DUPLICATE KEY UPDATE $update");
        $in = 'name IN (' . implode(',', array_map(fn ($r) => $this->literal($r['name']), $rows)) . ')';
        if (!in_array('domain', $columns, true)) {
            // Rows that only update (a chunk's checks, its adds) never create one: a row a newer
            // plan deleted meanwhile (its domain unmapped) is not brought back as a ghost.
            $this->db->query('DELETE FROM ' . $this->name() . " WHERE domain = '' AND $in");
        }
        $this->reflag($in);
    }

    /**
     * Sets the state last told to Ultimate Multisite's events for `$name` (canonical), and
     * says whether this call changed it: a row is made for a domain with none yet (mapped
     * since the last refresh), then one conditional UPDATE, so of two processes seeing the
     * same change exactly one gets true (Closte_Native_Um_Events fires then).
     */
    public function announce(string $name, string $domain, int $site_id, string $state): bool
    {
        $this->install();
        $t = $this->name();
        $this->db->query($this->db->prepare("INSERT IGNORE INTO $t (name, domain, site_id) VALUES (%s, %s, %d)", $name, mb_substr($domain, 0, 253), $site_id));
        $changed = $this->db->query($this->db->prepare("UPDATE $t SET announced = %s WHERE name = %s AND (announced IS NULL OR announced <> %s)", $state, $name, $state));
        return (int) $changed === 1;
    }

    /** Sets `$state` as told for `$names` that were never told one (NULL, or '' from the upgrade): one UPDATE. */
    public function baseline(array $names, string $state): void
    {
        if ($names !== []) {
            $this->db->query($this->db->prepare('UPDATE ' . $this->name() . " SET announced = %s WHERE (announced IS NULL OR announced = '') AND name IN ("
                . implode(',', array_map([$this, 'literal'], $names)) . ')', $state));
        }
    }

    /** Rewrites the flags by FLAGS, for the rows matching `$where` (SQL). */
    public function reflag(string $where = '1=1'): void
    {
        $this->db->query('UPDATE ' . $this->name() . ' SET ' . self::FLAGS . " WHERE $where");
    }

    private function literal($v): string
    {
        if ($v === null) {
            return 'NULL';
        }
        if (is_bool($v)) {
            return $v ? '1' : '0';
        }
        if (is_int($v)) {
            return (string) $v;
        }
        return "'" . esc_sql((string) $v) . "'";
    }

    /** The names of one chunk of a run that are not checked in that run yet. */
    public function chunk(int $run, int $chunk): array
    {
        return $this->db->get_col($this->db->prepare('SELECT name FROM ' . $this->name() . ' WHERE run = %d AND chunk = %d AND checked_run <> %d ORDER BY name', $run, $chunk, $run));
    }

    /**
     * The names of one chunk of a run that belong on Closte and are not there by the plan's
     * list read — or whose state became unknown since (a console action's list read failed):
     * add_domains() reads the list again, so a name Closte has is not sent. Keyed by name,
     * each with the domain (as its record holds it) that claims it.
     */
    public function missing(int $run, int $chunk): array
    {
        $rows = $this->db->get_results($this->db->prepare('SELECT name, domain FROM ' . $this->name() . ' WHERE run = %d AND chunk = %d AND wanted = 1 AND invalid IS NULL AND (on_closte = 0 OR on_closte IS NULL) ORDER BY name', $run, $chunk), ARRAY_N);
        return array_column($rows, 1, 0); // name => the domain (as typed) that claims it
    }

    /** Rows of run `$run` no longer wanted (their record was deleted since the plan): an UPDATE, so a row a newer plan deleted stays deleted. */
    public function unwant(int $run, array $names): void
    {
        foreach (array_chunk($names, 1000) as $part) {
            $in = 'name IN (' . implode(',', array_map([$this, 'literal'], $part)) . ')';
            $this->db->query($this->db->prepare('UPDATE ' . $this->name() . " SET wanted = 0 WHERE run = %d AND $in", $run));
            $this->reflag($in);
        }
    }

    /** The reconcile's result, counted from the rows: [added in the run, already on Closte, failed]. */
    public function add_counts(int $run): array
    {
        $r = $this->db->get_row($this->db->prepare('SELECT SUM(added_run = %d) AS added, SUM(on_closte = 1 AND added_run <> %d) AS unchanged, SUM(add_error IS NOT NULL) AS failed FROM '
            . $this->name() . ' WHERE run = %d AND wanted = 1 AND invalid IS NULL', $run, $run, $run), ARRAY_A);
        return [(int) ($r['added'] ?? 0), (int) ($r['unchanged'] ?? 0), (int) ($r['failed'] ?? 0)];
    }

    /**
     * Gives up chunk `$chunk` of run `$run`: its unchecked names count as checked in the
     * run, their verdicts unknown, each saying `$why` (the last verdicts' details stay).
     */
    public function give_up(int $run, int $chunk, string $why): void
    {
        $why = mb_substr($why, 0, 512);
        $where = $this->db->prepare('run = %d AND chunk = %d AND checked_run <> %d', $run, $chunk, $run);
        $this->db->query($this->db->prepare('UPDATE ' . $this->name() . " SET checked_run = %d, dns_ok = NULL, dns_error = %s, cert_valid = NULL, cert_error = %s, last_error = %s WHERE $where",
            $run, $why, $why, $why));
        $this->reflag($this->db->prepare('run = %d AND chunk = %d', $run, $chunk));
    }

    /** The chunks of a run that still have a name to check. */
    public function unfinished_chunks(int $run): array
    {
        return array_map('intval', $this->db->get_col($this->db->prepare('SELECT DISTINCT chunk FROM ' . $this->name() . ' WHERE run = %d AND chunk IS NOT NULL AND checked_run <> %d', $run, $run)));
    }

    /** [names to check in the run, of which checked]. */
    public function progress(int $run): array
    {
        $r = $this->db->get_row($this->db->prepare('SELECT COUNT(*) AS total, SUM(checked_run = %d) AS checked FROM ' . $this->name() . ' WHERE run = %d AND chunk IS NOT NULL', $run, $run), ARRAY_A);
        return [(int) ($r['total'] ?? 0), (int) ($r['checked'] ?? 0)];
    }

    /** Rows of older runs (domains unmapped since) go; a newer run's rows stay (a Refresh pressed meanwhile). */
    public function delete_other_runs(int $run): void
    {
        $this->db->query($this->db->prepare('DELETE FROM ' . $this->name() . ' WHERE run < %d', $run));
    }

    /**
     * After a change on Closte (sync, retry, removal): on_closte from one list read, for
     * every row. `$aliases` canonical; null when the list could not be read (unknown).
     * Only rows whose answer changed are written: the table's names are read a page at a
     * time (by name) and compared with the list, so a console action at 100,000 rows writes
     * the few rows it changed, not every row twice. Returns the aliases no row claims, in
     * the list's order (none when the list is unknown).
     */
    public function set_aliases(?array $aliases): array
    {
        $this->install();
        $t = $this->name();
        if ($aliases === null) {
            $this->db->query("UPDATE $t SET on_closte = NULL WHERE on_closte IS NOT NULL");
            $this->reflag('on_closte IS NULL');
            return [];
        }
        $listed = array_fill_keys($aliases, false); // name => claimed by a row
        $change = [0 => [], 1 => []];
        $after = '';
        do {
            $rows = $this->db->get_results($this->db->prepare("SELECT name, on_closte FROM $t WHERE name > %s ORDER BY name LIMIT %d", $after, self::NAMES_PAGE), ARRAY_N);
            foreach ($rows as [$name, $on]) {
                $want = array_key_exists($name, $listed) ? 1 : 0;
                if ($want === 1) {
                    $listed[$name] = true;
                }
                if ($on === null || (int) $on !== $want) {
                    $change[$want][] = $name;
                }
            }
            $after = $rows !== [] ? (string) end($rows)[0] : $after;
        } while (count($rows) === self::NAMES_PAGE);
        foreach ($change as $value => $names) {
            foreach (array_chunk($names, 1000) as $part) {
                $in = 'name IN (' . implode(',', array_map([$this, 'literal'], $part)) . ')';
                $this->db->query("UPDATE $t SET on_closte = $value WHERE $in");
                $this->reflag($in);
            }
        }
        return array_map('strval', array_keys(array_filter($listed, fn ($claimed) => !$claimed)));
    }

    /**
     * Domains sent to Closte since `$since` (the last refresh's start: the ledger recorded their
     * claim when they were sent) that have no row yet: ['count' => int, 'names' => up to
     * `$limit` of them, as typed]. A range of the claims' (kind, since) index, not the network.
     */
    public function mapped_since_refresh(int $since, int $limit): array
    {
        $this->install();
        $claims = $this->db->base_prefix . 'closte_claims';
        $from = "FROM $claims c LEFT JOIN " . $this->name() . " s ON s.name = c.claimant WHERE c.kind = 'domain' AND c.since >= " . (int) $since . ' AND s.name IS NULL';
        $names = $this->db->get_col("SELECT c.domain $from ORDER BY c.since DESC, c.domain LIMIT " . max(1, $limit));
        $count = count($names) < $limit ? count($names) : (int) $this->db->get_var("SELECT COUNT(*) $from");
        return ['count' => $count, 'names' => array_map('strval', $names)];
    }

    /** How many rows one view holds (one COUNT; counts() does every view). */
    public function count(string $view): int
    {
        $this->install();
        $where = self::VIEWS[$view][1] ?? self::VIEWS['all'][1];
        return (int) $this->db->get_var('SELECT COUNT(*) FROM ' . $this->name() . " WHERE $where");
    }

    /** How many rows each view holds: one index range count per view. */
    public function counts(): array
    {
        $out = [];
        foreach (array_keys(self::VIEWS) as $key) {
            $out[$key] = $this->count($key);
        }
        return $out;
    }

    /**
     * The SQL for one page of a view: filter, search (name, domain as typed or site, a
     * substring), sort, LIMIT. Unknown views and sorts fall back to All and the domain.
     */
    public function select_sql(string $view, string $search, string $orderby, string $order, int $limit, int $offset, string $columns = '*'): string
    {
        $where = self::VIEWS[$view][1] ?? '1=1';
        if ($search !== '') {
            $like = "'%" . esc_sql($this->db->esc_like($search)) . "%'";
            $where .= " AND (name LIKE $like OR domain LIKE $like OR site LIKE $like)";
        }
        $sort = sprintf(self::SORTS[$orderby] ?? self::SORTS['name'], strtolower($order) === 'desc' ? 'DESC' : 'ASC');
        // A view is one flag's index range, in the order of its (flag, domain, …) key. For All,
        // the optimizer would rather read every row and sort them than follow the sort's
        // index for a page: the index is named.
        $force = isset(self::VIEWS[$view]) && $view !== 'all' ? '' : ' FORCE INDEX (' . (self::SORT_KEYS[$orderby] ?? 'domain') . ')';
        return "SELECT $columns FROM " . $this->name() . "$force WHERE $where ORDER BY $sort LIMIT " . max(0, $limit) . ' OFFSET ' . max(0, $offset);
    }

    /** One page of a view: rows (arrays) and how many the view (with the search) holds. */
    public function page(string $view, string $search, string $orderby, string $order, int $per_page, int $page): array
    {
        $this->install();
        $rows = $this->db->get_results($this->select_sql($view, $search, $orderby, $order, $per_page, ($page - 1) * $per_page), ARRAY_A);
        if ($search === '') {
            $total = (int) $this->db->get_var('SELECT COUNT(*) FROM ' . $this->name() . ' WHERE ' . (self::VIEWS[$view][1] ?? '1=1'));
        } else {
            $total = (int) $this->db->get_var(preg_replace('/^SELECT \* (.*) ORDER BY .*$/s', 'SELECT COUNT(*) $1', $this->select_sql($view, $search, 'name', 'asc', 1, 0)));
        }
        return [$rows ?: [], $total];
    }

    /** Rows by name (for bulk actions: at most a page of them). */
    public function rows_named(array $names): array
    {
        if ($names === []) {
            return [];
        }
        $this->install();
        return $this->db->get_results('SELECT * FROM ' . $this->name() . ' WHERE name IN (' . implode(',', array_map([$this, 'literal'], $names)) . ') ORDER BY domain, is_twin, name', ARRAY_A) ?: [];
    }

    /** Records whose name the extension refuses: domain => why (a few, for the removal guard's sentence). */
    public function invalid(int $limit = 20): array
    {
        $this->install();
        $rows = $this->db->get_results('SELECT domain, invalid FROM ' . $this->name() . " WHERE invalid IS NOT NULL AND wanted = 1 ORDER BY domain LIMIT $limit", ARRAY_A) ?: [];
        return array_column($rows, 'invalid', 'domain');
    }

    /**
     * Certificates of finished domains that need attention (invalid, or expiring by the
     * extension's verdict at their check: f_expiring), in the alerts' format: name => [reason, error, days_remaining, shown].
     */
    public function certificate_alerts(int $limit = 1000): array
    {
        $this->install();
        $rows = $this->db->get_results('SELECT name, domain, is_twin, cert_valid, cert_reason, cert_error, cert_days FROM ' . $this->name()
            . ' WHERE ' . self::ALERTS_WHERE . " ORDER BY domain, name LIMIT $limit", ARRAY_A) ?: [];
        $out = [];
        foreach ($rows as $r) {
            $valid = (int) $r['cert_valid'] === 1;
            $out[$r['name']] = ['reason' => $valid ? 'expiring_soon' : (string) $r['cert_reason'],
                'error' => $valid ? sprintf('expires in %d days', (int) $r['cert_days']) : (string) $r['cert_error'],
                'days_remaining' => $r['cert_days'] === null ? null : (int) $r['cert_days'],
                'shown' => $r['is_twin'] ? $r['name'] : Closte_Native_Name::shown((string) $r['domain'])];
        }
        return $out;
    }
}
