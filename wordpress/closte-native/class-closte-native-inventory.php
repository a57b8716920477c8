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
     * One entry per mapped domain: domain, names (the domain and its www. twin when the
     * network creates one), site_id, site (its name), stage (null without the plugin), and
     * wanted: whether its names belong on Closte. Every Ultimate Multisite domain record
     * does, whatever its stage (the bridge adds it when it is mapped, before DNS and SSL
     * checks; the model's is_active() is false until then); a site only while it is
     * neither archived nor deleted.
     *
     * @return list<array{domain: string, names: list<string>, site_id: int, site: string, stage: ?string, wanted: bool}>
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
                $out[] = [
                    'domain' => $name,
                    'names' => $events->names($name),
                    'site_id' => $site_id,
                    'site' => self::site_name($site_id),
                    'stage' => (string) $d->get_stage(),
                    'wanted' => true,
                ];
            }
        } else {
            $network = strtolower((string) get_network()->domain);
            foreach (get_sites(['number' => 0, 'network_id' => get_current_network_id()]) as $site) {
                $name = strtolower($site->domain);
                if ($name === $network || str_ends_with($name, ".$network")) {
                    continue; // the network's own names: Closte serves them already
                }
                $out[] = ['domain' => $name, 'names' => [$name], 'site_id' => (int) $site->blog_id,
                    'site' => self::site_name((int) $site->blog_id), 'stage' => null, 'wanted' => !$site->deleted && !$site->archived];
            }
        }
        usort($out, fn ($a, $b) => strcmp($a['domain'], $b['domain']));
        return $out;
    }

    /** Every name of `$domains` (each domain and its twin), once each, in order. */
    public static function names(array $domains): array
    {
        return array_values(array_unique(array_merge([], ...array_column($domains, 'names'))));
    }

    /** Every name that should be an alias on Closte (wanted domains and their twins). */
    public function wanted_names(?array $domains = null): array
    {
        return self::names(array_filter($domains ?? $this->domains(), fn ($d) => $d['wanted']));
    }

    private static function site_name(int $site_id): string
    {
        $details = $site_id > 0 ? get_blog_details($site_id) : false;
        return $details ? (string) $details->blogname : "#$site_id";
    }
}
