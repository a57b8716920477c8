<?php
/**
 * The claims ledger: the one answer to "who needs this alias?", asked at the moment of
 * sending. Every add and every remove, whoever asks for it (a domain event, a scheduled
 * retry, the console's Retry, Sync and removal, every `wp closte` command, the reconcile's
 * chunks), goes through add() or remove() (or send_one() for one name), which, under a
 * per-name lock shared by every process and node (MariaDB's GET_LOCK), reads the domain
 * records that could claim the names again and decides then: an add is sent only while
 * something claims and wants the name, a remove only while nothing claims it and it is not
 * one of the network's own names. Nothing decides from the status table, a list read
 * earlier, or the page the admin looked at.
 *
 * What claims a name (claims()):
 * - a mapped domain claims its own name (as a site of the network without Ultimate
 *   Multisite: its domain, wanted while the site is neither archived nor deleted);
 * - and its www. twin, while the network creates one for it now (Ultimate Multisite's
 *   setting auto_create_www_subdomain) or the twin was ever added for it (a row of the
 *   claims table, kept whatever the setting says later, for as long as the record is
 *   mapped), or the twin is on Closte already (a network upgraded from an older bridge
 *   whose twins have no row yet: conservatively claimed, never removed);
 * - the network itself claims its main domain and, on a subdomain install, the wildcard
 *   `*.<network domain>` behind which every subdomain site lives (protected(); filter
 *   closte_native_protected_names adds more). Protected names are never removed.
 *
 * The table {base_prefix}closte_claims (created with the status table) keeps, for every
 * mapped domain, the names it claimed when it was last sent or walked: its own and its
 * twin's. A row never makes a name claimed by itself: the record must still exist.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Ledger
{
    /** Names one add_domains() or remove_domains() call takes (each call reads Closte's list once). */
    const BATCH = 5000;

    /** @var Closte_Native_Inventory */
    private $inventory;
    /** @var Closte_Native_Claims */
    private $claims;
    /** @var Closte_Native_Name_Lock */
    private $lock;
    /** @var array<string, string> canonical domain => as its record holds it, of the claimants claims() met */
    private $typed = [];

    public function __construct(?Closte_Native_Inventory $inventory = null, ?Closte_Native_Status_Table $table = null, ?wpdb $db = null)
    {
        global $wpdb;
        $db ??= $wpdb;
        $table ??= new Closte_Native_Status_Table($db);
        $this->inventory = $inventory ?? new Closte_Native_Inventory($this);
        $this->claims = new Closte_Native_Claims($table, $this->inventory, $db);
        $this->lock = new Closte_Native_Name_Lock($db);
    }

    /** The claims table (Closte_Native_Claims), which the refresh's walk rebuilds. */
    public function store(): Closte_Native_Claims
    {
        return $this->claims;
    }

    /** The www. twin a mapped domain (canonical) may have: null for a www. or wildcard name. */
    public static function twin(string $canonical): ?string
    {
        return str_starts_with($canonical, 'www.') || str_starts_with($canonical, '*.') ? null : "www.$canonical";
    }

    /** Whether the network creates a www. twin for `$domain` now (Ultimate Multisite's setting; never without the plugin). */
    public static function creates_twin(string $domain): bool
    {
        $manager = '\\WP_Ultimo\\Managers\\Domain_Manager';
        if (!class_exists($manager) || !method_exists($manager, 'get_instance')) {
            return false;
        }
        $instance = $manager::get_instance();
        return method_exists($instance, 'should_create_www_subdomain') && (bool) $instance->should_create_www_subdomain($domain);
    }

    /**
     * The names the network itself needs on Closte, canonical: its main domain and, on a
     * subdomain install, `*.<network domain>`. Never listed as unclaimed, never removed.
     *
     * @return list<string>
     */
    public static function protected_names(): array
    {
        $network = get_network();
        $domain = $network ? Closte_Native_Name::key((string) $network->domain) : '';
        $names = $domain === '' ? [] : [$domain];
        if ($domain !== '' && is_subdomain_install()) {
            $names[] = "*.$domain";
        }
        /**
         * Filters the names the network itself needs on Closte: never listed as unclaimed,
         * never removed by the bridge (the console's removal, `wp closte sync
         * --remove-unlisted`, a domain event).
         *
         * @since 0.4.0
         *
         * @param string[] $names The network's main domain and, on a subdomain install, `*.<network domain>`.
         *
         * Example: keep a name another system serves from this Closte site.
         *
         *     add_filter('closte_native_protected_names', function (array $names) {
         *         $names[] = 'status.example.com';
         *         return $names;
         *     });
         */
        $filtered = apply_filters('closte_native_protected_names', $names);
        $out = [];
        foreach (is_array($filtered) ? $filtered : $names as $n) {
            if (is_string($n) && $n !== '') {
                $out[Closte_Native_Name::key($n)] = true;
            }
        }
        return array_map('strval', array_keys($out));
    }

    /**
     * Who claims each of `$names` (canonical), read now from the records: name => [
     *   'claimed' => something claims it (a mapped domain, whatever its state, or the network),
     *   'wanted'  => a claimant wants it on Closte (a record; a site neither archived nor deleted),
     *   'by'      => list of words: "shop.example.com", "www. twin of shop.example.com", "the network",
     *   'claimants' => canonical domains of the records that claim it,
     * ]. `$on_closte`: the names known to be on Closte (a www. twin there counts as claimed
     * while its domain is mapped). `$typed`: the domains as the records may hold them
     * (`bücher.example` for `xn--bcher-kva.example`), asked for too. One query of the
     * records, one of the claims table.
     *
     * @param list<string> $names
     * @param array<string, mixed> $on_closte name => anything
     * @param list<string> $typed
     * @return array<string, array{claimed: bool, wanted: bool, by: list<string>, claimants: list<string>}>
     */
    public function claims(array $names, array $on_closte = [], array $typed = []): array
    {
        $names = array_values(array_unique(array_map('strval', $names)));
        $this->typed = []; // of this call's claimants only: a long-running worker keeps no growing map
        $out = [];
        foreach ($names as $n) {
            $out[$n] = ['claimed' => false, 'wanted' => false, 'by' => [], 'claimants' => []];
        }
        if ($names === []) {
            return $out;
        }
        foreach (array_intersect($names, self::protected_names()) as $n) {
            $out[$n]['claimed'] = true;
            $out[$n]['by'][] = __('the network', 'closte-native');
        }
        // The records that could claim them: each name itself, and each www. name's domain.
        $entries = $this->inventory->lookup(array_values(array_unique(array_merge($this->claimants_of($names), array_map('strval', $typed)))));
        $twins = $this->claims->twin_rows(array_values(array_filter(array_map(fn ($e) => $e['canonical'], $entries))));
        foreach ($entries as $e) {
            if ($e['canonical'] === null) {
                continue; // a name the extension refuses claims nothing it could be compared with
            }
            $c = $e['canonical'];
            if (isset($out[$c])) {
                $out[$c]['claimed'] = true;
                $out[$c]['wanted'] = $out[$c]['wanted'] || $e['wanted'];
                $out[$c]['by'][] = $e['domain'];
                $out[$c]['claimants'][] = $c;
                $this->typed[$c] = $e['domain'];
            }
            $twin = self::twin($c);
            if ($twin !== null && isset($out[$twin]) && (isset($twins[$c]) || isset($on_closte[$twin]) || in_array($twin, $e['names'], true))) {
                $out[$twin]['claimed'] = true;
                $out[$twin]['wanted'] = $out[$twin]['wanted'] || $e['wanted'];
                /* translators: %s: the domain as its record holds it */
                $out[$twin]['by'][] = sprintf(__('www. twin of %s', 'closte-native'), $e['domain']);
                $out[$twin]['claimants'][] = $c;
                $this->typed[$c] = $e['domain'];
            }
        }
        return $out;
    }

    /**
     * Adds `$names` (canonical) to Closte, each only if something claims and wants it now,
     * under the names' locks: ['added' => names, 'unchanged' => how many Closte had,
     * 'failed' => name => error array (message, retryable, retry_reason), 'skipped' => name
     * => why nothing was sent (in words)]. `$who` says in the log who asked. The claims
     * are recorded for the names sent. `$typed`: name => the domain as its record holds it,
     * where known (an IDN record keeps its Unicode form). Throws what add_domains() throws
     * before sending anything (settings, the key); locks are released either way.
     */
    public function add(array $names, array $options, string $who, array $typed = []): array
    {
        $out = ['added' => [], 'unchanged' => 0, 'failed' => [], 'skipped' => []];
        // One add_domains() (one list read of its own) for up to a chunk's 5,000 names.
        foreach (array_chunk(array_values(array_unique(array_map('strval', $names))), self::BATCH) as $part) {
            if (!$this->lock->lock($part)) {
                foreach ($part as $n) {
                    $out['failed'][$n] = self::busy();
                }
                continue;
            }
            try {
                $claims = $this->claims($part, [], array_values(array_intersect_key($typed, array_flip($part))));
                $send = [];
                foreach ($claims as $n => $c) {
                    if ($c['wanted']) {
                        $send[] = $n;
                    } else {
                        $out['skipped'][$n] = self::not_claimed($n, $c);
                        Closte_Native_Log::add("$who: not added: " . $out['skipped'][$n]);
                    }
                }
                if ($send === []) {
                    continue;
                }
                $record = [];
                foreach ($send as $n) {
                    foreach ($claims[$n]['claimants'] as $claimant) {
                        $record[$claimant][] = $n;
                    }
                }
                $this->claims->record_many($record, $this->typed);
                foreach (Closte\add_domains($send, $options) as $r) {
                    if ($r['status'] === 'added') {
                        $out['added'][] = $r['domain'];
                        Closte_Native_Log::add("$who: added {$r['domain']} (missing on Closte)");
                    } elseif ($r['status'] === 'failed') {
                        $out['failed'][$r['domain']] = $r['error'];
                    } else {
                        $out['unchanged']++;
                    }
                }
            } finally {
                $this->lock->unlock();
            }
        }
        return $out;
    }

    /**
     * Removes `$names` (canonical) from Closte, each only if nothing claims it now and it is
     * not protected, under the names' locks: ['removed' => names, 'failed' => "name: why"
     * lines, 'skipped' => name => why nothing was sent]. Each removal is logged with `$who`.
     */
    public function remove(array $names, array $options, string $who): array
    {
        $out = ['removed' => [], 'failed' => [], 'skipped' => []];
        foreach (array_chunk(array_values(array_unique(array_map('strval', $names))), self::BATCH) as $part) {
            if (!$this->lock->lock($part)) {
                foreach ($part as $n) {
                    $out['failed'][] = "$n: " . self::busy()['message'];
                }
                continue;
            }
            try {
                $send = [];
                $this->claims->release($this->claimants_of($part));
                foreach ($this->claims($part, array_fill_keys($part, true)) as $n => $c) {
                    if ($c['claimed']) {
                        /* translators: 1: a name, 2: who claims it (domains, or "the network") */
                        $out['skipped'][$n] = sprintf(__('%1$s is claimed by %2$s: not removed', 'closte-native'), $n, implode(', ', $c['by']));
                        Closte_Native_Log::add("$who: " . $out['skipped'][$n]);
                    } else {
                        $send[] = $n;
                    }
                }
                if ($send === []) {
                    continue;
                }
                try {
                    $results = Closte\remove_domains($send, $options);
                } catch (Throwable $e) {
                    $out['failed'][] = sprintf('%d aliases: %s', count($send), Closte_Native_Failure::explain($e));
                    continue;
                }
                foreach ($results as $x) {
                    if ($x['status'] === 'removed') {
                        $out['removed'][] = $x['domain'];
                        Closte_Native_Log::add("$who: removed unclaimed alias {$x['domain']}");
                    } elseif ($x['status'] === 'failed') {
                        $out['failed'][] = "{$x['domain']}: " . rtrim((string) ($x['error']['message'] ?? ''), '.');
                    }
                }
            } finally {
                $this->lock->unlock();
            }
        }
        return $out;
    }

    /**
     * One name, one request (a domain event or its retry), decided under the name's lock:
     * ['sent' => the extension's result array] or ['skipped' => why in words]. Throws what
     * the extension throws, and Closte_Native_Busy (retryable) when another process holds
     * the name past LOCK_WAIT. `$typed`: the domain as the event carries it (its record's form).
     */
    public function send_one(string $op, string $name, array $options = [], string $typed = ''): array
    {
        if (Closte_Native_Name::canonical($name) === null) {
            // Not a name the extension takes: it says why, and nothing is sent (no claim to weigh).
            return ['sent' => $op === 'add' ? Closte\add_domain($name, $options) : Closte\remove_domain($name, $options)];
        }
        if (!$this->lock->lock([$name])) {
            throw new Closte_Native_Busy(self::busy()['message']);
        }
        try {
            if ($op === 'remove') {
                $this->claims->release(array_merge($this->claimants_of([$name]), $typed === '' ? [] : [$typed]));
            }
            $c = $this->claims([$name], $op === 'remove' ? [$name => true] : [], $typed === '' ? [] : [$typed, "www.$typed"])[$name];
            if ($op === 'add') {
                if (!$c['wanted']) {
                    return ['skipped' => self::not_claimed($name, $c)];
                }
                foreach ($c['claimants'] as $claimant) {
                    $this->claims->record($claimant, [$name], $this->typed[$claimant] ?? '');
                }
                return ['sent' => Closte\add_domain($name, $options)];
            }
            if ($c['claimed']) {
                /* translators: 1: a name, 2: who claims it (domains, or "the network") */
                return ['skipped' => sprintf(__('%1$s is still claimed by %2$s: nothing sent', 'closte-native'), $name, implode(', ', $c['by']))];
            }
            return ['sent' => Closte\remove_domain($name, $options)];
        } finally {
            $this->lock->unlock();
        }
    }

    /**
     * The domains that could claim `$names` (canonical), as the records hold them: each name,
     * each www. name's domain, and for an IDN name (xn--) its forms as typed that the
     * ledger or the status table saw (records keep `bücher.example`, not its punycode).
     */
    private function claimants_of(array $names): array
    {
        $out = [];
        $idn = [];
        foreach ($names as $n) {
            $n = (string) $n;
            $out[] = $n;
            if (str_starts_with($n, 'www.')) {
                $out[] = substr($n, 4);
            }
        }
        foreach ($out as $n) {
            if (str_contains($n, 'xn--')) {
                $idn[] = $n;
            }
        }
        foreach ($this->claims->typed_forms($idn) as $typed) {
            $out[] = $typed;
        }
        return array_values(array_unique($out));
    }

    /** Why an add was not sent, in words. */
    private static function not_claimed(string $name, array $c): string
    {
        return $c['claimed']
            /* translators: %s: a name */
            ? sprintf(__('%s belongs to an archived or deleted site: nothing sent', 'closte-native'), $name)
            /* translators: %s: a name */
            : sprintf(__('%s is no longer mapped: nothing sent', 'closte-native'), $name);
    }

    /** The error of a send that could not get its names' locks (retryable: the other send ends). */
    private static function busy(): array
    {
        return ['message' => __('another process is sending the same name right now; try again in a moment', 'closte-native'), 'retryable' => true,
            'retry_reason' => 'busy'];
    }


}
