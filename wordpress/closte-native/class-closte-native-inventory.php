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
     * @return iterable<int, list<array>>
     */
    public function pages(int $size = 500, int $from = 0): iterable
    {
        for ($offset = max(0, $from);; $offset += $size) {
            [$read, $page] = $this->read(['number' => $size, 'offset' => $offset, 'orderby' => 'id', 'order' => 'ASC']);
            if ($page !== []) {
                yield $offset => $page;
            }
            if ($read < $size) {
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
     * Of `$names` (canonical name => the domain, as its record holds it, that claimed it),
     * those a record still claims and wants on Closte now: read again just before an add
     * (the reconcile's chunk, minutes after its plan), so a deleted domain (or, without
     * Ultimate Multisite, an archived site) is not added back. A name another record claims
     * too (a record www.example.com, and example.com's www. twin) stays wanted while either
     * does: the records asked for are the claiming domains, each name, and each name without
     * its www. One query for all of them.
     *
     * @param array<string, string> $names
     * @return list<string>
     */
    public function still_wanted(array $names): array
    {
        if ($names === []) {
            return [];
        }
        $domains = array_map('strval', array_values($names));
        foreach (array_keys($names) as $n) {
            $domains[] = (string) $n;
            if (str_starts_with((string) $n, 'www.')) {
                $domains[] = substr((string) $n, 4);
            }
        }
        $domains = array_values(array_unique($domains));
        [, $entries] = $this->read(['domain__in' => $domains, 'number' => 0]);
        $wanted = [];
        foreach ($entries as $e) {
            if ($e['wanted'] && $e['invalid'] === null) {
                foreach ($e['names'] as $n) {
                    $wanted[$n] = true;
                }
            }
        }
        return array_values(array_filter(array_map('strval', array_keys($names)), fn ($n) => isset($wanted[$n])));
    }

    /**
     * One query of the source — Ultimate Multisite's records (wu_get_domains($query)) or the
     * network's sites (get_sites($query), the network's own domain and its subdomains left
     * out) — as entries: [how many records or sites it read, the entries].
     */
    private function read(array $query): array
    {
        $events = new Closte_Native_Events();
        $page = [];
        if (function_exists('wu_get_domains')) {
            $batch = (array) wu_get_domains($query);
            foreach ($batch as $d) {
                if (!is_object($d) || !method_exists($d, 'get_domain')) {
                    continue;
                }
                $stage = (string) $d->get_stage();
                $page[] = self::entry($events, strtolower((string) $d->get_domain()), (int) $d->get_site_id(), true) + [
                    'stage' => $stage,
                    'stage_label' => method_exists($d, 'get_stage_label') ? (string) $d->get_stage_label() : $stage,
                ];
            }
            return [count($batch), $page];
        }
        $network = Closte_Native_Name::key((string) get_network()->domain);
        $batch = get_sites($query + ['network_id' => get_current_network_id()]);
        foreach ($batch as $site) {
            $name = strtolower($site->domain);
            $key = Closte_Native_Name::key($name);
            if ($key === $network || str_ends_with($key, ".$network")) {
                continue;
            }
            $page[] = self::entry($events, $name, (int) $site->blog_id, !$site->deleted && !$site->archived, false) + ['stage' => null, 'stage_label' => null];
        }
        return [count($batch), $page];
    }

    /**
     * The network against Closte's aliases (`$aliases`: Closte\list_domain_names(), canonical),
     * in one pass over the records, a page at a time: memory holds the alias set and what
     * differs, never every record. Returns
     * - missing: wanted, valid names Closte lacks (canonical, once each);
     * - present: how many wanted, valid names Closte has;
     * - invalid: wanted records whose name the extension refuses, typed => why (never sent);
     * - blocked: every record whose name it refuses, typed => why (removal is refused while any is);
     * - claimed: how many names the records claim (every mapped name, an archived or deleted site's too);
     * - unclaimed: the aliases no record claims, in Closte's order.
     *
     * @return array{missing: list<string>, present: int, invalid: array<string, string>, blocked: array<string, string>, claimed: int, unclaimed: list<string>}
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
        // canonical => its position in Closte's list; a claimed name becomes -1, and -2 once
        // counted as a wanted name on Closte. What stays >= 0 is unclaimed, in Closte's order.
        $left = array_flip($aliases);
        unset($aliases);
        $out = ['missing' => [], 'present' => 0, 'invalid' => [], 'blocked' => [], 'claimed' => 0, 'unclaimed' => []];
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
                $out['claimed'] += count($d['names']);
                foreach ($d['names'] as $name) {
                    if (isset($left[$name])) {
                        if ($d['wanted'] && $left[$name] !== -2) {
                            $out['present']++;
                            $left[$name] = -2;
                        } elseif ($left[$name] >= 0) {
                            $left[$name] = -1;
                        }
                    } elseif ($d['wanted']) {
                        $missing[$name] = true;
                    }
                }
            }
        }
        ksort($out['invalid'], SORT_STRING);
        ksort($out['blocked'], SORT_STRING);
        $out['missing'] = array_map('strval', array_keys($missing));
        $out['unclaimed'] = array_map('strval', array_keys(array_filter($left, fn ($v) => $v >= 0)));
        return $out;
    }

    private static function entry(Closte_Native_Events $events, string $name, int $site_id, bool $wanted, bool $twin = true): array
    {
        return [
            'domain' => $name,
            'canonical' => Closte_Native_Name::canonical($name),
            'invalid' => Closte_Native_Name::problem($name),
            'names' => array_values(array_unique($twin ? $events->names($name) : [Closte_Native_Name::key($name)])),
            'site_id' => $site_id,
            'site' => self::site_name($site_id),
            'wanted' => $wanted,
        ];
    }

    private static function site_name(int $site_id): string
    {
        $details = $site_id > 0 ? get_blog_details($site_id) : false;
        return $details ? (string) $details->blogname : "#$site_id";
    }
}
