<?php
/**
 * Which domains the network maps, and so which names should be domain aliases on Closte:
 * Ultimate Multisite's domain records when the plugin is there (wu_get_domains(), 500 records
 * a query by id: 'number', 'offset', 'orderby' => 'id'), else the network's sites whose
 * domain is not the network's own or one of its subdomains. Always a page at a time.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Inventory
{
    /** @var Closte_Native_Ledger|null */
    private $ledger;
    /** @var int|null how many records the last complete walk of pages() read (null: none or stopped early) */
    private $walked = null;

    public function __construct(?Closte_Native_Ledger $ledger = null)
    {
        $this->ledger = $ledger;
    }

    private function ledger(): Closte_Native_Ledger
    {
        return $this->ledger ??= new Closte_Native_Ledger($this);
    }

    /**
     * One entry per mapped domain: domain (as the record or site holds it, as typed),
     * canonical (its canonical form, null when the extension refuses the name), invalid (why
     * it refuses it, else null), names (the domain and its www. twin when the network
     * creates one, canonical), site_id, site (its name), stage and stage_label (the plugin's
     * own label; null without the plugin), and wanted: whether its names belong on Closte.
     * Every Ultimate Multisite domain record does, whatever its stage (the bridge adds it
     * when it is mapped, before DNS and SSL checks; the model's is_active() is false until
     * then); a site only while it is neither archived nor deleted.
     *
     * A page at a time (ordered by record or site id, so a record added meanwhile comes
     * last): memory holds one page, not the network. For work
     * that goes through every domain once (the refresh's plan). Starts at record `$from`;
     * each page is keyed by the offset of its first record (pages with no entry are skipped).
     *
     * A page the database could not read (a lost connection, max_statement_time, a killed
     * query) throws Closte_Native_Walk_Error: it is never taken for the end of the network.
     * Site names (`site`) are read for a page in one query only with `$site_names`.
     *
     * @return iterable<int, list<array>>
     * @throws Closte_Native_Walk_Error
     */
    public function pages(int $size = 500, int $from = 0, bool $site_names = false): iterable
    {
        $this->walked = null;
        for ($offset = max(0, $from);; $offset += $size) {
            [$read, $page] = $this->read(['number' => $size, 'offset' => $offset, 'orderby' => 'id', 'order' => 'ASC'], $site_names);
            if ($page !== []) {
                yield $offset => $page;
            }
            if ($read < $size) {
                $this->walked = $offset + $read; // the end: how many records the walk read
                return;
            }
            unset($page);
        }
    }

    /**
     * The mapped domains named in `$typed` (as an admin types them: the record's domain, its
     * canonical form, or one of its names, such as its www. twin): index => entry, the first
     * record that matches each; a name nothing maps is left out. Walks the records a page at
     * a time and stops once every name is found.
     *
     * @param list<string> $typed
     * @return array<int, array>
     */
    public function find(array $typed): array
    {
        $keys = array_map(fn ($n) => Closte_Native_Name::key((string) $n), $typed);
        $found = [];
        foreach ($this->pages() as $page) {
            foreach ($page as $d) {
                $key = Closte_Native_Name::key($d['domain']);
                foreach ($typed as $i => $n) {
                    if (!isset($found[$i]) && ($d['domain'] === $n || $key === $keys[$i] || in_array($keys[$i], $d['names'], true))) {
                        $found[$i] = $d;
                    }
                }
            }
            if (count($found) === count($typed)) {
                break;
            }
        }
        return $found;
    }

    /**
     * The mapped domains whose name is one of `$domains` (as typed or canonical): their
     * entries, read now, in one query (domain__in). For the ledger's decisions.
     *
     * @param list<string> $domains
     * @return list<array>
     * @throws Closte_Native_Walk_Error
     */
    public function lookup(array $domains): array
    {
        if ($domains === []) {
            return [];
        }
        return $this->read(['domain__in' => array_values(array_unique(array_map('strval', $domains))), 'number' => 0])[1];
    }

    /**
     * One query of the source — Ultimate Multisite's records (wu_get_domains($query)) or the
     * network's sites (get_sites($query), the network's own domain and its subdomains left
     * out) — as entries: [how many records or sites it read, the entries]. A database error
     * during the query (counted in wpdb's own error list, which every failed query joins,
     * whatever the layer above returns) throws Closte_Native_Walk_Error.
     */
    private function read(array $query, bool $site_names = false): array
    {
        global $EZSQL_ERROR;
        $errors = is_array($EZSQL_ERROR) ? count($EZSQL_ERROR) : 0;
        $rows = [];
        if (function_exists('wu_get_domains')) {
            $batch = (array) wu_get_domains($query);
            foreach ($batch as $d) {
                if (is_object($d) && method_exists($d, 'get_domain')) {
                    $stage = (string) $d->get_stage();
                    $rows[] = [strtolower((string) $d->get_domain()), (int) $d->get_site_id(), true, true,
                        ['stage' => $stage, 'stage_label' => method_exists($d, 'get_stage_label') ? (string) $d->get_stage_label() : $stage]];
                }
            }
        } else {
            $network = Closte_Native_Name::key((string) get_network()->domain);
            $batch = get_sites($query + ['network_id' => get_current_network_id()]);
            foreach ($batch as $site) {
                $name = strtolower($site->domain);
                $key = Closte_Native_Name::key($name);
                if ($key !== $network && !str_ends_with($key, ".$network")) {
                    $rows[] = [$name, (int) $site->blog_id, !$site->deleted && !$site->archived, false, ['stage' => null, 'stage_label' => null]];
                }
            }
        }
        if (is_array($EZSQL_ERROR) && count($EZSQL_ERROR) > $errors) {
            $last = end($EZSQL_ERROR);
            /* translators: %s: the database's error */
            throw new Closte_Native_Walk_Error(sprintf(__('the domain records could not be read (%s)', 'closte-native'), rtrim((string) ($last['error_str'] ?? 'database error'), '.')));
        }
        $twins = $this->ledger()->store()->twin_rows(array_values(array_filter(array_map(fn ($r) => Closte_Native_Name::canonical($r[0]), array_filter($rows, fn ($r) => $r[3])))));
        $sites = $site_names ? self::site_names(array_column($rows, 1)) : [];
        $page = [];
        foreach ($rows as [$name, $site_id, $wanted, $twin_capable, $extra]) {
            $canonical = Closte_Native_Name::canonical($name);
            $names = [Closte_Native_Name::key($name)];
            $twin = $twin_capable && $canonical !== null ? Closte_Native_Ledger::twin($canonical) : null;
            if ($twin !== null && (isset($twins[$canonical]) || Closte_Native_Ledger::creates_twin($name))) {
                $names[] = $twin;
            }
            $page[] = ['domain' => $name, 'canonical' => $canonical, 'invalid' => Closte_Native_Name::problem($name), 'names' => $names,
                'twin' => $twin, 'site_id' => $site_id, 'site' => $sites[$site_id] ?? "#$site_id", 'wanted' => $wanted] + $extra;
        }
        return [count($batch), $page];
    }

    /**
     * The names of sites `$ids` (their blogname option), in one query over their options
     * tables: never switch_to_blog() per site, which loads every autoloaded option of each.
     * A site that no longer exists is "#id".
     *
     * @param list<int> $ids
     * @return array<int, string>
     */
    public static function site_names(array $ids): array
    {
        global $wpdb;
        $ids = array_values(array_unique(array_filter(array_map('intval', $ids), fn ($id) => $id > 0)));
        if ($ids === []) {
            return [];
        }
        $exists = array_map('intval', (array) $wpdb->get_col("SELECT blog_id FROM {$wpdb->blogs} WHERE blog_id IN (" . implode(',', $ids) . ')'));
        $out = [];
        foreach (array_chunk($exists, 200) as $part) {
            $selects = array_map(fn ($id) => sprintf("SELECT %d AS id, option_value AS v FROM `%soptions` WHERE option_name = 'blogname'", $id, esc_sql($wpdb->get_blog_prefix($id))), $part);
            foreach ((array) $wpdb->get_results(implode(' UNION ALL ', $selects), ARRAY_N) as [$id, $v]) {
                $out[(int) $id] = (string) $v;
            }
        }
        return $out;
    }

    /**
     * The network against Closte's aliases (`$aliases`: Closte\list_domain_names(), canonical),
     * in one pass over the records, a page at a time: memory holds the alias set and what
     * differs, never every record. Returns
     * - missing: wanted, valid names Closte lacks (canonical, once each); typed: each of
     *   them => the domain that claims it, as its record holds it (for Closte_Native_Ledger::add());
     * - present: how many wanted, valid names Closte has;
     * - invalid: wanted records whose name the extension refuses, typed => why (never sent);
     * - blocked: every record whose name it refuses, typed => why (removal is refused while any is);
     * - claimed: how many names the records claim (every mapped name, an archived or deleted site's too);
     * - records: how many records (or sites) the walk read;
     * - unclaimed: the aliases nothing claims, in Closte's order: no record claims them (a www.
     *   twin on Closte whose domain is mapped is claimed, whatever the www. setting says now:
     *   Closte_Native_Ledger) and they are not the network's own (protected_names()).
     *
     * The walk is proven complete: every page read without a database error, and in the
     * same snapshot no record after the last one read. Otherwise Closte_Native_Walk_Error:
     * a partial walk would make every record after the failed page look absent.
     *
     * @return array{missing: list<string>, typed: array<string, string>, present: int, invalid: array<string, string>, blocked: array<string, string>, claimed: int, records: int, unclaimed: list<string>}
     * @throws Closte_Native_Walk_Error
     */
    public function compare(array $aliases): array
    {
        // One consistent snapshot of the records for the whole walk (InnoDB, this connection):
        // a record deleted meanwhile cannot shift the later pages and make one go unread, whose
        // names would then look unclaimed — and Remove unclaimed acts on this.
        global $wpdb;
        $wpdb->query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
        try {
            return $this->compare_snapshot($aliases);
        } finally {
            $wpdb->query('COMMIT');
        }
    }

    private function compare_snapshot(array $aliases): array
    {
        $on = array_flip($aliases); // canonical => its position in Closte's list
        $claimed = array_fill_keys(Closte_Native_Ledger::protected_names(), true);
        $wanted_present = [];
        $out = ['missing' => [], 'present' => 0, 'invalid' => [], 'blocked' => [], 'claimed' => 0, 'records' => 0, 'unclaimed' => []];
        $missing = [];
        foreach ($this->pages() as $page) {
            foreach ($page as $d) {
                if ($d['invalid'] !== null) {
                    $out['blocked'][$d['domain']] = $d['invalid'];
                    if ($d['wanted']) {
                        $out['invalid'][$d['domain']] = $d['invalid'];
                    }
                    continue;
                }
                $names = $d['names'];
                if ($d['twin'] !== null && !in_array($d['twin'], $names, true) && isset($on[$d['twin']])) {
                    $names[] = $d['twin']; // on Closte: added for this domain once, so still its own
                }
                $out['claimed'] += count($names);
                foreach ($names as $name) {
                    $claimed[$name] = true;
                    if (isset($on[$name])) {
                        if ($d['wanted']) {
                            $wanted_present[$name] = true;
                        }
                    } elseif ($d['wanted']) {
                        $missing[$name] = $d['domain'];
                    }
                }
            }
        }
        // Pages skip nothing but records filtered out (sites of the network's own domain): the
        // count is the offset reached. Proof of the end: nothing after it in this snapshot.
        $out['records'] = $this->count_to_end();
        ksort($out['invalid'], SORT_STRING);
        ksort($out['blocked'], SORT_STRING);
        $out['present'] = count($wanted_present);
        $out['missing'] = array_map('strval', array_keys($missing));
        $out['typed'] = array_map('strval', $missing);
        $out['unclaimed'] = array_values(array_filter(array_map('strval', $aliases), fn ($a) => !isset($claimed[$a])));
        return $out;
    }

    /**
     * The walk just made by pages() reached the end: its record count, proven in the
     * caller's snapshot by asking for the record after the last once more (none may come).
     * Throws Closte_Native_Walk_Error otherwise.
     */
    private function count_to_end(): int
    {
        if ($this->walked === null) {
            throw new Closte_Native_Walk_Error(__('the walk over the domain records stopped before their end', 'closte-native'));
        }
        [$beyond] = $this->read(['number' => 1, 'offset' => $this->walked, 'orderby' => 'id', 'order' => 'ASC']);
        if ($beyond !== 0) {
            throw new Closte_Native_Walk_Error(__('the domain records changed while they were read', 'closte-native'));
        }
        return $this->walked;
    }
}

/** The walk over the domain records could not read every record: nothing may be decided from it. */
final class Closte_Native_Walk_Error extends RuntimeException
{
}
