<?php
/**
 * The doctor: every check of one mapped domain, now, each with pass or fail, what was seen
 * and the next step — its record and stage in Ultimate Multisite, the claims ledger's word,
 * the alias on Closte, DNS (A/AAAA/CNAME), a proxy in front, CAA, the certificate through
 * Closte's address and through public DNS, and what is scheduled for it. Data only
 * (`wp closte doctor` formats it); sends nothing to Closte but one list read.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Doctor
{
    /** The checks, in the order they are run and shown. */
    const CHECKS = ['record', 'ledger', 'alias', 'dns', 'proxy', 'caa', 'certificate_closte', 'certificate_public', 'scheduled'];
    /** Stages at which Ultimate Multisite stopped trying. */

    /** @var Closte_Native_Inventory */
    private $inventory;
    /** @var Closte_Native_Ledger */
    private $ledger;
    /** @var array<string, true>|null Closte's alias names, read once for every domain of one run */
    private $aliases;
    /** @var string|null why Closte's list could not be read */
    private $aliases_error;

    public function __construct(?Closte_Native_Inventory $inventory = null, ?Closte_Native_Ledger $ledger = null)
    {
        $this->ledger = $ledger ?? new Closte_Native_Ledger();
        $this->inventory = $inventory ?? new Closte_Native_Inventory($this->ledger);
    }

    /**
     * Every check of `$domain` (as typed or canonical, or a www. twin):
     * ['domain' => as given, 'name' => canonical or null, 'ok' => no check failed,
     *  'checks' => list of ['check' => one of CHECKS, 'status' => pass|fail|skip|info, 'detail' => words, 'next_step' => words]].
     */
    public function examine(string $domain): array
    {
        $name = Closte_Native_Name::canonical($domain);
        $checks = [];
        $add = function (string $check, string $status, string $detail, string $next = '') use (&$checks) {
            $checks[] = ['check' => $check, 'status' => $status, 'detail' => $detail, 'next_step' => $next];
        };
        if ($name === null) {
            /* translators: %s: why the extension refuses the name */
            $add('record', 'fail', sprintf(__('not a valid domain name: %s', 'closte-native'), (string) Closte_Native_Name::problem($domain)), __('Correct the name in its domain record.', 'closte-native'));
            foreach (array_slice(self::CHECKS, 1) as $check) {
                $add($check, 'skip', __('not checked: the name is not valid', 'closte-native'));
            }
            return ['domain' => $domain, 'name' => null, 'ok' => false, 'checks' => $checks];
        }

        // The record and its stage.
        try {
            $entry = $this->inventory->find([$domain])[0] ?? null;
        } catch (Throwable $e) {
            $entry = null;
            $add('record', 'fail', Closte_Native_Failure::explain($e), __('Run it again; if it keeps failing, check the database.', 'closte-native'));
        }
        $record = $entry !== null && function_exists('wu_get_domains') ? (((array) wu_get_domains(['domain__in' => [$entry['domain']], 'number' => 1]))[0] ?? null) : null;
        if ($entry === null && $checks === []) {
            $add('record', 'fail', __('no domain record maps this name', 'closte-native'), __('Map the domain in Ultimate Multisite (Domains → Add Domain), or check the spelling.', 'closte-native'));
        } elseif ($entry !== null) {
            $stage = (string) ($entry['stage'] ?? '');
            $site = get_site((int) $entry['site_id']);
            /* translators: 1: the domain as its record holds it, 2: site name, 3: site id, 4: stage */
            $detail = sprintf(__('%1$s on site %2$s (#%3$d), stage %4$s', 'closte-native'), $entry['domain'], $site ? (string) $site->blogname : '?', $entry['site_id'], $stage === '' ? '—' : $stage);
            if ($entry['invalid'] !== null) {
                $add('record', 'fail', $detail . '; ' . $entry['invalid'], __('Correct the name in its domain record.', 'closte-native'));
            } elseif (!$entry['wanted']) {
                $add('record', 'fail', $detail . '; ' . __('its site is archived or deleted', 'closte-native'), __('Restore the site, or unmap the domain.', 'closte-native'));
            } elseif (in_array($stage, Closte_Native_Stages::GAVE_UP, true)) {
                $add('record', 'fail', $detail . '; ' . __('Ultimate Multisite stopped checking it', 'closte-native'),
                    __('Fix what the checks below name; the watcher revives it within a minute for 7 days, else set its stage back to checking-dns in the network admin and save.', 'closte-native'));
            } else {
                $add('record', 'pass', $detail);
            }
        }

        // The ledger: does a mapped domain claim and want the name?
        try {
            $claim = $this->ledger->claims([$name], [], $entry !== null ? [$entry['domain']] : [])[$name];
            if ($claim['claimed'] && $claim['wanted']) {
                /* translators: %s: who claims the name */
                $add('ledger', 'pass', sprintf(__('claimed by %s', 'closte-native'), implode(', ', $claim['by'])));
            } elseif ($claim['claimed']) {
                /* translators: %s: who claims the name */
                $add('ledger', 'fail', sprintf(__('claimed by %s, but not wanted (site archived or deleted): it is not added to Closte', 'closte-native'), implode(', ', $claim['by'])),
                    __('Restore the site if the domain should be served.', 'closte-native'));
            } else {
                $add('ledger', 'fail', __('nothing claims the name: it would never be added to Closte, and may be removed as unclaimed', 'closte-native'), __('Map the domain in Ultimate Multisite.', 'closte-native'));
            }
        } catch (Throwable $e) {
            $add('ledger', 'fail', Closte_Native_Failure::explain($e));
        }

        // The alias on Closte, and a retry in flight.
        try {
            $inflight = (new Closte_Native_Events())->wanted($name);
            $retry = $inflight !== null && $inflight['op'] === 'add'
                /* translators: 1: attempt number, 2: most attempts */
                ? ' ' . sprintf(__('(a retry is pending, attempt %1$d of %2$d)', 'closte-native'), (int) $inflight['attempt'], Closte_Native_Events::MAX_ATTEMPTS) : '';
        } catch (Closte_Native_Walk_Error $e) {
            /* translators: %s: why the retries could not be read */
            $retry = ' ' . sprintf(__('(whether a retry is pending is unknown: %s)', 'closte-native'), $e->getMessage());
        }
        $aliases = $this->aliases();
        if ($aliases === null) {
            $add('alias', 'fail', (string) $this->aliases_error, __('Try again in a few minutes.', 'closte-native'));
        } elseif (isset($aliases[$name])) {
            $add('alias', 'pass', __('an alias on Closte', 'closte-native'));
        } else {
            /* translators: %s: the domain name */
            $add('alias', 'fail', __('not an alias on Closte', 'closte-native') . $retry, sprintf(__('Send it again: wp closte retry %s (or Retry on the Closte console).', 'closte-native'), $name));
        }

        // DNS, the proxy and CAA: one Closte\check_dns(), as the DNS stage asks it.
        try {
            $dns = Closte\check_dns($name, Closte_Native_Dns_Stage::options($name));
        } catch (Throwable $e) {
            $dns = null;
            $add('dns', 'fail', Closte_Native_Failure::explain($e));
            $add('proxy', 'skip', __('not checked: DNS could not be asked', 'closte-native'));
            $add('caa', 'skip', __('not checked: DNS could not be asked', 'closte-native'));
        }
        if ($dns !== null) {
            $reason = (string) $dns['reason'];
            $records = array_merge(array_map(fn ($a) => "A $a", (array) $dns['a']), array_map(fn ($a) => "AAAA $a", (array) $dns['aaaa']), array_map(fn ($c) => "CNAME $c", (array) $dns['cname']));
            $seen = $records === [] ? __('no records', 'closte-native') : implode(', ', $records);
            if ($dns['ok'] || $reason === 'caa_forbids') {
                /* translators: 1: the records found, 2: Closte's expected addresses */
                $add('dns', 'pass', sprintf(__('%1$s; Closte expects %2$s', 'closte-native'), $seen, implode(', ', (array) $dns['expected'])));
            } else {
                $add('dns', 'fail', sprintf('%s (%s)', rtrim((string) $dns['error'], '.'), $reason), Closte_Native_Dns_Stage::next_step($reason));
            }
            $reason === 'proxied'
                ? $add('proxy', 'fail', rtrim((string) $dns['error'], '.'), Closte_Native_Dns_Stage::next_step('proxied'))
                : $add('proxy', 'pass', __('no proxy in front of the addresses', 'closte-native'));
            if ($reason === 'caa_forbids') {
                $add('caa', 'fail', rtrim((string) $dns['error'], '.'), Closte_Native_Dns_Stage::next_step('caa_forbids'));
            } elseif ($dns['ok']) {
                $caa = $dns['caa'] ?? null;
                $add('caa', 'pass', $caa === null ? __('no CAA record: any authority may issue', 'closte-native')
                    /* translators: %s: the name the CAA record set was found at */
                    : sprintf(__('the CAA record set at %s allows Closte\'s certificate authority', 'closte-native'), (string) ($caa['domain'] ?? $name)));
            } else {
                $add('caa', 'skip', __('not checked: CAA is read once the addresses are right', 'closte-native'));
            }
        }

        // The certificate: as Closte serves it (the console's options), and as visitors reach it (the SSL stage's).
        foreach (['certificate_closte' => Closte_Native_Status::ssl_options([$name]), 'certificate_public' => Closte_Native_Ssl_Stage::options($name)] as $check => $o) {
            try {
                $r = Closte\check_ssl_many([$name], $o)[0]; // the filters may give connect_to per name, as the batches take it
            } catch (Throwable $e) {
                $add($check, 'fail', Closte_Native_Failure::explain($e));
                continue;
            }
            if ($r['valid'] && empty($r['expiring_soon'])) {
                /* translators: 1: certificate issuer, 2: whole days left */
                $add($check, 'pass', sprintf(__('valid, issued by %1$s, %2$d days left', 'closte-native'), (string) $r['issuer'], (int) $r['days_remaining']));
            } elseif ($r['valid']) {
                /* translators: %d: whole days left */
                $add($check, 'fail', sprintf(__('valid but expiring: %d days left', 'closte-native'), (int) $r['days_remaining']), Closte_Native_Ssl_Stage::next_step('expiring_soon'));
            } else {
                $add($check, 'fail', sprintf('%s (%s)', rtrim((string) $r['error'], '.'), (string) $r['reason']), Closte_Native_Ssl_Stage::next_step((string) $r['reason']));
            }
        }

        // What is scheduled: Ultimate Multisite's next stage check, a retry, the watcher.
        $what = [];
        $actions = $record !== null && is_object($record) ? Closte_Native_Stages::scheduled((int) $record->get_id()) : null;
        if ($actions !== null) {
            $what[] = $actions['pending'] === [] ? __('no stage check of Ultimate Multisite pending', 'closte-native')
                /* translators: %s: "45 s", "4 min" */
                : sprintf(__('Ultimate Multisite\'s next stage check in %s', 'closte-native'), Closte_Native_Watcher::in(max(0, $actions['pending'][0][1] - time())));
        }
        if ($inflight !== null) {
            /* translators: 1: add or remove, 2: attempt number */
            $what[] = sprintf(__('a %1$s retry pending (attempt %2$d)', 'closte-native'), $inflight['op'], (int) $inflight['attempt']);
        }
        $next = Closte_Native_Watcher::scheduled();
        $what[] = $next === false ? __('the watcher is idle', 'closte-native') : __('the watcher is scheduled', 'closte-native');
        $add('scheduled', 'info', implode('; ', $what));

        $ok = array_filter($checks, fn ($c) => $c['status'] === 'fail') === [];
        return ['domain' => $domain, 'name' => $name, 'ok' => $ok, 'checks' => $checks];
    }

    /** Closte's alias names (one list read for the whole run), or null with aliases_error set. */
    private function aliases(): ?array
    {
        if ($this->aliases === null && $this->aliases_error === null) {
            try {
                $this->aliases = array_fill_keys(Closte\list_domain_names(), true);
            } catch (Throwable $e) {
                $this->aliases_error = Closte_Native_Failure::explain($e);
            }
        }
        return $this->aliases;
    }
}
