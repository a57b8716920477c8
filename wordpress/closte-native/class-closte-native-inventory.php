<?php
/**
 * Which domains the network maps, and so which names should be domain aliases on Closte:
 * Ultimate Multisite's domain records when the plugin is there (wu_get_domains(), 'number' => 0:
 * BerlinDB's "no limit"; its default is 100), else
 * the network's sites whose domain is not the network's own or one of its subdomains.
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
     * @return list<array{domain: string, canonical: ?string, invalid: ?string, names: list<string>, site_id: int, site: string, stage: ?string, stage_label: ?string, wanted: bool}>
     */
    public function domains(): array
    {
        $events = new Closte_Native_Events();
        $out = [];
        if (function_exists('wu_get_domains')) {
            foreach ((array) wu_get_domains(['number' => 0]) as $d) {
                if (!is_object($d) || !method_exists($d, 'get_domain')) {
                    continue;
                }
                $name = strtolower((string) $d->get_domain());
                $site_id = (int) $d->get_site_id();
                $stage = (string) $d->get_stage();
                $out[] = self::entry($events, $name, $site_id, true) + [
                    'stage' => $stage,
                    'stage_label' => method_exists($d, 'get_stage_label') ? (string) $d->get_stage_label() : $stage,
                ];
            }
        } else {
            $network = Closte_Native_Name::key((string) get_network()->domain);
            foreach (get_sites(['number' => 0, 'network_id' => get_current_network_id()]) as $site) {
                $name = strtolower($site->domain);
                $key = Closte_Native_Name::key($name);
                if ($key === $network || str_ends_with($key, ".$network")) {
                    continue; // the network's own names: Closte serves them already
                }
                $out[] = self::entry($events, $name, (int) $site->blog_id, !$site->deleted && !$site->archived, false)
                    + ['stage' => null, 'stage_label' => null];
            }
        }
        usort($out, fn ($a, $b) => strcmp($a['domain'], $b['domain']));
        return $out;
    }

    /**
     * The same entries as domains(), a page at a time (ordered by record or site id, so a
     * record added meanwhile comes last): memory holds one page, not the network. For work
     * that goes through every domain once (the refresh's plan).
     *
     * @return iterable<list<array>>
     */
    public function pages(int $size = 500): iterable
    {
        $events = new Closte_Native_Events();
        $network = Closte_Native_Name::key((string) get_network()->domain);
        for ($offset = 0;; $offset += $size) {
            $page = [];
            if (function_exists('wu_get_domains')) {
                $batch = (array) wu_get_domains(['number' => $size, 'offset' => $offset, 'orderby' => 'id', 'order' => 'ASC']);
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
            } else {
                $batch = get_sites(['number' => $size, 'offset' => $offset, 'orderby' => 'id', 'order' => 'ASC', 'network_id' => get_current_network_id()]);
                foreach ($batch as $site) {
                    $name = strtolower($site->domain);
                    $key = Closte_Native_Name::key($name);
                    if ($key === $network || str_ends_with($key, ".$network")) {
                        continue;
                    }
                    $page[] = self::entry($events, $name, (int) $site->blog_id, !$site->deleted && !$site->archived, false) + ['stage' => null, 'stage_label' => null];
                }
            }
            if ($page !== []) {
                yield $page;
            }
            if (count($batch) < $size) {
                return;
            }
            unset($batch, $page);
        }
    }

    /**
     * The names only, read a page of records at a time (pages()): [every wanted name,
     * canonical, once each; wanted domains whose name the extension refuses, typed => why].
     * What a sync needs, without every record's entry in memory at once.
     */
    public function name_lists(): array
    {
        $wanted = [];
        $invalid = [];
        foreach ($this->pages() as $page) {
            foreach ($page as $d) {
                if (!$d['wanted']) {
                    continue;
                }
                if ($d['invalid'] !== null) {
                    $invalid[$d['domain']] = $d['invalid'];
                    continue;
                }
                foreach ($d['names'] as $name) {
                    $wanted[$name] = true;
                }
            }
        }
        ksort($invalid, SORT_STRING); // as domains() orders them
        return [array_map('strval', array_keys($wanted)), $invalid];
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

    /** Every name of `$domains` (each domain and its twin, canonical), once each, in order. */
    public static function names(array $domains): array
    {
        return array_values(array_unique(array_merge([], ...array_column($domains, 'names'))));
    }

    /**
     * Every name that should be an alias on Closte (wanted domains and their twins), in
     * canonical form. Names the extension refuses are left out: see invalid().
     */
    public function wanted_names(?array $domains = null): array
    {
        return self::names(array_filter($domains ?? $this->domains(), fn ($d) => $d['wanted'] && $d['invalid'] === null));
    }

    /** Wanted domains whose name the extension refuses: typed name => why. */
    public static function invalid(array $domains): array
    {
        $out = [];
        foreach ($domains as $d) {
            if ($d['wanted'] && $d['invalid'] !== null) {
                $out[$d['domain']] = $d['invalid'];
            }
        }
        return $out;
    }

    private static function site_name(int $site_id): string
    {
        $details = $site_id > 0 ? get_blog_details($site_id) : false;
        return $details ? (string) $details->blogname : "#$site_id";
    }
}
