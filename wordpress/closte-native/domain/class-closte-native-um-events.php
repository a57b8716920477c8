<?php
/**
 * Events in Ultimate Multisite: `closte_domain_live` (a mapped domain is live: its alias on
 * Closte, its DNS at Closte, a valid certificate served) and `closte_domain_attention`
 * (something needs a person: Closte refused the alias; DNS wrong, proxied, partly elsewhere
 * or forbidden by CAA after the plugin's own waiting ended; the certificate failed, expired
 * or is expiring by the extension's word). Registered on Ultimate Multisite's
 * `wu_register_all_events` with wu_register_event_type() (name, desc, a sample payload), so
 * its Emails and Webhooks screens can attach messages and URLs to them; fired with
 * wu_do_event() once per change of a domain's state: the last state told is kept in the
 * status table's `announced` column and set by one conditional UPDATE, so two processes
 * (or nodes) that see the same change fire it once, and nothing fires while nothing changed.
 *
 * Fed where verdicts are made: the refresh's chunks (rows_checked()), the SSL stage and
 * the watcher (certificate_checked(), failed_check()), a refused add (alias_refused()).
 * Checked against Ultimate Multisite 2.4.10: inc/functions/event.php, inc/managers/class-event-manager.php.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Um_Events
{
    const LIVE = 'closte_domain_live';
    const ATTENTION = 'closte_domain_attention';

    /** Every key a payload carries, with a sample value (what Ultimate Multisite's Emails and Webhooks screens show). */
    const SAMPLE = [
        'domain' => 'shop.example.com',
        'domain_canonical' => 'shop.example.com',
        'site_id' => 2,
        'site_name' => 'Shop',
        'site_url' => 'https://shop.example.com/',
        'state' => 'attention',
        'reason' => 'dns_proxied',
        'message' => 'DNS is not right: shop.example.com points to 104.16.1.1, in Cloudflare\'s proxy ranges',
        'closte_answer' => 'shop.example.com points to 104.16.1.1 (Cloudflare\'s proxy); Closte expects 198.51.100.7',
        'next_step' => 'In Cloudflare\'s DNS settings set this record to "DNS only" (the grey cloud), or point it straight at Closte\'s address.',
        'customer_id' => 1,
        'customer_name' => 'Jane Doe',
        'customer_user_email' => 'jane@example.com',
        'checked_at' => '2026-01-31 12:00:00',
    ];

    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var array<string, true>|null Closte's alias names, read at most once per object (only when a domain may be live) */
    private $aliases;

    public function __construct(?Closte_Native_Status_Table $table = null)
    {
        $this->table = $table ?? new Closte_Native_Status_Table();
    }

    /** Hooks the registration (called by the loader; Ultimate Multisite fires wu_register_all_events on init). */
    public function register(): void
    {
        add_action('wu_register_all_events', [$this, 'register_events']);
    }

    /** wu_register_all_events: the two event types, each with a sample payload of every key. */
    public function register_events(): void
    {
        if (!function_exists('wu_register_event_type')) {
            return;
        }
        wu_register_event_type(self::LIVE, [
            'name' => __('Closte: domain live', 'closte-native'),
            'desc' => __('Fired once when a mapped domain goes live on Closte: its alias is on Closte, its DNS points at Closte and a valid certificate is served (the padlock).', 'closte-native'),
            'payload' => ['state' => 'live', 'reason' => 'live', 'closte_answer' => '', 'next_step' => '', 'message' => 'shop.example.com is live on Closte, with a valid certificate'] + self::SAMPLE,
            'deprecated_args' => [],
        ]);
        wu_register_event_type(self::ATTENTION, [
            'name' => __('Closte: domain needs attention', 'closte-native'),
            'desc' => __('Fired once when a mapped domain needs a person: Closte refused its alias; its DNS is wrong, behind a proxy, partly elsewhere or forbidden by CAA after Ultimate Multisite stopped waiting; or its certificate failed, expired or is expiring. Fired again only when the reason changes.', 'closte-native'),
            'payload' => self::SAMPLE,
            'deprecated_args' => [],
        ]);
    }

    /**
     * After a refresh chunk wrote `$names`' verdicts: each mapped domain's row (not the
     * www. twins) is judged by verdict() and announced if its state changed since the last
     * one told; a row never told is given its state quietly (one UPDATE per state).
     */
    public function rows_checked(array $names): void
    {
        $baseline = [];
        foreach ($this->table->rows_named($names) as $row) {
            if ((int) $row['is_twin'] === 1) {
                continue;
            }
            $v = self::verdict($row);
            if ($v === null) {
                continue;
            }
            if (($row['announced'] ?? null) === null || $row['announced'] === '') {
                // A domain the events never saw (the plugin just installed, or upgraded, or the
                // domain first met by this refresh): its state is the baseline, not news. A
                // change as it happens is told by the SSL stage, the watcher or the refused add.
                $baseline[$v['state'] === 'live' ? 'live' : 'attention:' . $v['reason']][] = (string) $row['name'];
                continue;
            }
            $this->announce((string) $row['domain'], (int) $row['site_id'], $v, $row['announced']);
        }
        foreach ($baseline as $state => $quiet) {
            $this->table->baseline($quiet, mb_substr($state, 0, 64));
        }
    }

    /**
     * The state a status row shows: ['state' => live|attention, 'reason', 'message',
     * 'closte_answer', 'next_step'], or null when nothing is to be told (a domain still
     * waiting within the plugin's own tries, a check not made, a record not sent).
     */
    public static function verdict(array $row): ?array
    {
        if ($row['invalid'] !== null || (int) $row['wanted'] !== 1) {
            return null;
        }
        $waiting = isset(Closte_Native_Stages::WAITING[(string) $row['stage']]);
        $flag = fn (string $c) => $row[$c] === null ? null : (int) $row[$c];
        if ($flag('on_closte') === 0 && ($row['add_error'] ?? null) !== null) {
            return self::refused((string) $row['name'], (string) $row['add_error']);
        }
        if ($flag('dns_ok') === 0 && !$waiting) {
            return self::dns_attention((string) $row['name'], (string) $row['dns_reason'], (string) $row['dns_error']);
        }
        if ($flag('cert_valid') === 0 && !$waiting) {
            return self::cert_attention((string) $row['name'], (string) $row['cert_reason'], (string) $row['cert_error'], false, null);
        }
        if ($flag('cert_valid') === 1 && $flag('cert_expiring') === 1) {
            return self::cert_attention((string) $row['name'], 'expiring_soon', '', true, $row['cert_days'] === null ? null : (int) $row['cert_days']);
        }
        if ($flag('on_closte') === 1 && $flag('dns_ok') === 1 && $flag('cert_valid') === 1) {
            return self::live((string) $row['name']);
        }
        return null;
    }

    /**
     * A certificate check of a domain (the SSL stage's, the watcher's, through DNS): when it
     * is valid and not expiring, the domain is live if its alias is on Closte (the status
     * row, else one list read) and Closte\check_dns() says its DNS points at Closte.
     *
     * @param object|string $domain Ultimate Multisite's Domain, or the domain as its record holds it
     */
    public function certificate_checked($domain, array $ssl): void
    {
        if (empty($ssl['valid']) || !empty($ssl['expiring_soon'])) {
            return;
        }
        [$typed, $site_id] = self::record($domain);
        $name = Closte_Native_Name::canonical($typed);
        if ($name === null) {
            return;
        }
        $row = $this->table->rows_named([$name])[0] ?? null;
        if ($row !== null && ($row['announced'] ?? null) === 'live') {
            return; // told already: nothing is checked again
        }
        if (!$this->on_closte($name, $row)) {
            return;
        }
        try {
            $dns = Closte\check_dns($name, Closte_Native_Dns_Stage::options($name));
        } catch (Throwable $e) {
            return;
        }
        if (!empty($dns['ok'])) {
            $this->announce($typed, $site_id, self::live($name), $row['announced'] ?? null);
        }
    }

    /**
     * The watcher checked a domain that Ultimate Multisite gave up on (stage failed or
     * ssl-failed, inside the revival window) and it still does not pass: the plugin's own
     * waiting is over, so a person is told why.
     *
     * @param object $domain Ultimate Multisite's Domain
     * @param string $for    dns or certificate
     */
    public function failed_check($domain, string $for, array $r): void
    {
        [$typed, $site_id] = self::record($domain);
        $name = Closte_Native_Name::canonical($typed);
        if ($name === null) {
            return;
        }
        $v = $for === 'dns'
            ? self::dns_attention($name, (string) ($r['reason'] ?? ''), (string) ($r['error'] ?? ''))
            : self::cert_attention($name, (string) ($r['reason'] ?? ''), (string) ($r['error'] ?? ''), false, null);
        $this->announce($typed, $site_id, $v, null);
    }

    /** Closte refused to add `$name` for good (not retried): the domain that claims it is told, with Closte's answer. */
    public function alias_refused(string $name, string $answer, string $typed = ''): void
    {
        $candidates = array_values(array_unique(array_filter([$typed, $name, str_starts_with($name, 'www.') ? substr($name, 4) : ''])));
        try {
            $entries = (new Closte_Native_Inventory())->lookup($candidates);
        } catch (Throwable $e) {
            return;
        }
        $entry = $entries[0] ?? null;
        if ($entry !== null && $entry['wanted']) {
            $this->announce((string) $entry['domain'], (int) $entry['site_id'], self::refused($name, $answer), null);
        }
    }

    /**
     * Fires `$v`'s event for the domain when its state differs from the last one told: the
     * row is made if missing, then one conditional UPDATE sets the new state; only the
     * process whose UPDATE changed the row fires. `$known`: the row's announced value as
     * read ('' for a row older than the events: its first state is stored without firing).
     * Returns whether it fired.
     */
    public function announce(string $typed, int $site_id, array $v, ?string $known): bool
    {
        $state = $v['state'] === 'live' ? 'live' : 'attention:' . $v['reason'];
        $name = Closte_Native_Name::canonical($typed);
        if ($name === null || $known === $state || !$this->table->announce($name, $typed, $site_id, mb_substr($state, 0, 64)) || $known === '') {
            return false; // unchanged; or a row from before the events (schema upgrade): its first state is the baseline, stored, not told
        }
        $payload = $this->payload($typed, $name, $site_id, $v);
        Closte_Native_Log::domain($name, sprintf('told Ultimate Multisite: %s (%s)', $v['state'] === 'live' ? self::LIVE : self::ATTENTION, $v['message']));
        if (function_exists('wu_do_event')) {
            wu_do_event($v['state'] === 'live' ? self::LIVE : self::ATTENTION, $payload);
        }
        return true;
    }

    /** Every key of SAMPLE, for this domain. */
    private function payload(string $typed, string $name, int $site_id, array $v): array
    {
        $site = $site_id > 0 ? get_site($site_id) : null;
        $payload = [
            'domain' => $typed,
            'domain_canonical' => $name,
            'site_id' => $site_id,
            'site_name' => $site ? (string) $site->blogname : '',
            'site_url' => $site ? (string) get_home_url($site_id) : '',
            'state' => $v['state'],
            'reason' => $v['reason'],
            'message' => $v['message'],
            'closte_answer' => $v['closte_answer'],
            'next_step' => $v['next_step'],
            'customer_id' => 0,
            'customer_name' => '',
            'customer_user_email' => '',
            'checked_at' => gmdate('Y-m-d H:i:s'),
        ];
        // Ultimate Multisite's Emails screen sends to "Customer" through customer_id (and its email and name).
        $um_site = $site_id > 0 && function_exists('wu_get_site') ? wu_get_site($site_id) : null;
        $customer = is_object($um_site) && method_exists($um_site, 'get_customer') ? $um_site->get_customer() : null;
        if (is_object($customer) && method_exists($customer, 'get_id')) {
            $payload['customer_id'] = (int) $customer->get_id();
            $payload['customer_name'] = method_exists($customer, 'get_display_name') ? (string) $customer->get_display_name() : '';
            $payload['customer_user_email'] = method_exists($customer, 'get_email_address') ? (string) $customer->get_email_address() : '';
        }
        /**
         * Filters the payload of a closte_domain_live or closte_domain_attention event before
         * it is sent to Ultimate Multisite's wu_do_event(). Every key of the registered sample
         * must stay (Ultimate Multisite's Emails and Webhooks read them).
         *
         * @since 0.4.0
         *
         * @param array  $payload The payload: domain, domain_canonical, site_id, site_name, site_url,
         *                        state, reason, message, closte_answer, next_step, customer_id,
         *                        customer_name, customer_user_email, checked_at.
         * @param string $event   closte_domain_live or closte_domain_attention.
         *
         * Example: the customer's plan, for the email.
         *
         *     add_filter('closte_native_event_payload', fn (array $p) => $p + ['plan' => 'pro']);
         */
        $filtered = apply_filters('closte_native_event_payload', $payload, $v['state'] === 'live' ? self::LIVE : self::ATTENTION);
        return is_array($filtered) ? $filtered + $payload : $payload;
    }

    /** Whether `$name` is an alias on Closte: its row's word when known, else one list read (kept for this object). */
    private function on_closte(string $name, ?array $row): bool
    {
        if ($row !== null && $row['on_closte'] !== null && (int) $row['on_closte'] === 1) {
            return true;
        }
        if ($this->aliases === null) {
            try {
                $this->aliases = array_fill_keys(Closte\list_domain_names(['timeout' => Closte_Native_Status::timeout()]), true);
            } catch (Throwable $e) {
                return false; // unknown: nothing is told; a later check tells
            }
        }
        return isset($this->aliases[$name]);
    }

    /** [the domain as its record holds it, its site id] of a Domain object or a name. */
    private static function record($domain): array
    {
        if (is_object($domain) && method_exists($domain, 'get_domain')) {
            return [strtolower((string) $domain->get_domain()), method_exists($domain, 'get_site_id') ? (int) $domain->get_site_id() : 0];
        }
        $typed = strtolower((string) $domain);
        try {
            $entry = (new Closte_Native_Inventory())->lookup([$typed])[0] ?? null;
        } catch (Throwable $e) {
            $entry = null;
        }
        return [$typed, $entry === null ? 0 : (int) $entry['site_id']];
    }

    private static function live(string $name): array
    {
        return ['state' => 'live', 'reason' => 'live', 'closte_answer' => '', 'next_step' => '',
            /* translators: %s: domain name */
            'message' => sprintf(__('%s is live on Closte, with a valid certificate', 'closte-native'), $name)];
    }

    private static function refused(string $name, string $answer): array
    {
        return ['state' => 'attention', 'reason' => 'alias_refused', 'closte_answer' => $answer,
            /* translators: %s: domain name */
            'message' => sprintf(__('Closte refused the alias %s', 'closte-native'), $name),
            /* translators: %s: domain name */
            'next_step' => sprintf(__('Read Closte\'s answer, correct what it names (the domain record, or the alias in Closte\'s dashboard), then re-send it: Retry on the Closte console or `wp closte retry %s`.', 'closte-native'), $name)];
    }

    private static function dns_attention(string $name, string $reason, string $error): array
    {
        return ['state' => 'attention', 'reason' => 'dns_' . ($reason === '' ? 'unknown' : $reason), 'closte_answer' => $error,
            /* translators: 1: domain name, 2: check_dns() reason code */
            'message' => sprintf(__('DNS of %1$s is not right (%2$s)', 'closte-native'), $name, $reason),
            'next_step' => Closte_Native_Dns_Stage::next_step($reason)];
    }

    private static function cert_attention(string $name, string $reason, string $error, bool $expiring, ?int $days): array
    {
        return ['state' => 'attention', 'reason' => 'certificate_' . ($reason === '' ? 'unknown' : $reason), 'closte_answer' => $error,
            'message' => $expiring
                /* translators: 1: domain name, 2: whole days left */
                ? sprintf(__('The certificate of %1$s is expiring: %2$d days left', 'closte-native'), $name, (int) $days)
                /* translators: 1: domain name, 2: check_ssl() reason code */
                : sprintf(__('The certificate of %1$s is not valid (%2$s)', 'closte-native'), $name, $reason),
            'next_step' => Closte_Native_Ssl_Stage::next_step($expiring ? 'expiring_soon' : $reason)];
    }
}
