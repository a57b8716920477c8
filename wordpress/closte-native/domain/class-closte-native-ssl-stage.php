<?php
/**
 * The SSL stage of Ultimate Multisite's domain processing. Each time the plugin processes a
 * domain's stage (async_process_domain_stage applies wu_async_process_domain_stage_max_tries
 * once per run), and the stage is checking-ssl-cert: allow Closte more tries, and write what
 * the domain serves now, and why it is not valid yet, to the domain's log.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Ssl_Stage
{
    const STAGE = Closte_Native_Stages::CHECKING_SSL;
    const MAX_TRIES = 20;

    public function max_tries($max_tries, $domain = null)
    {
        if (!is_object($domain) || !method_exists($domain, 'get_stage') || $domain->get_stage() !== self::STAGE) {
            return $max_tries;
        }
        $name = method_exists($domain, 'get_domain') ? (string) $domain->get_domain() : '';
        if ($name !== '') {
            $this->log_check($name, $domain);
        }
        return max((int) $max_tries, self::MAX_TRIES);
    }

    /** The options of the certificate check of one domain, as the SSL stage asks it (the stage, the watcher, `wp closte doctor`'s public check). */
    public static function options(string $name): array
    {
        /**
         * Filters the options of the certificate check of one domain that Ultimate Multisite's SSL
         * stage logs (and the watcher's, and `wp closte doctor`'s public check): Closte\check_ssl()'s options.
         *
         * @since 0.4.0
         *
         * @param array  $options Default [].
         * @param string $domain  The domain checked.
         *
         * Example: a longer handshake timeout.
         *
         *     add_filter('closte_native_check_ssl_options', fn (array $o) => ['timeout' => 10] + $o);
         */
        $options = apply_filters('closte_native_check_ssl_options', [], $name);
        return is_array($options) ? $options : [];
    }

    /** @param object|null $domain Ultimate Multisite's Domain (for the events: its site) */
    public function log_check(string $name, $domain = null): void
    {
        $options = self::options($name);
        try {
            $r = Closte\check_ssl($name, $options);
        } catch (Throwable $e) {
            Closte_Native_Log::domain($name, 'certificate check not possible: ' . $e->getMessage());
            return;
        }
        if ($r['valid']) {
            $message = sprintf('certificate valid: issued by %s, %d days left', $r['issuer'], $r['days_remaining']);
        } elseif (in_array($r['reason'], ['hostname_mismatch', 'self_signed'], true)) {
            $message = sprintf('certificate not issued yet: %s (%s)', $r['error'], $r['reason']);
        } else {
            $message = sprintf('certificate check failed: %s (%s)', $r['error'], $r['reason']);
        }
        Closte_Native_Log::domain($name, $message);
        (new Closte_Native_Um_Events())->certificate_checked($domain ?? $name, $r); // live: told once
    }

    /**
     * What a Closte\check_ssl() reason (or expiring_soon) means and what to do next, in plain
     * words: the certificate's counterpart of Closte_Native_Dns_Stage::next_step().
     */
    public static function next_step(string $reason): string
    {
        switch ($reason) {
            case 'expiring_soon':
                return __('Closte renews certificates by itself while the domain\'s DNS points at Closte: check DNS (wp closte doctor), then ask Closte\'s support if the date does not move within a day.', 'closte-native');
            case 'hostname_mismatch':
            case 'self_signed':
                return __('Closte has not issued a certificate for the name: make sure the alias is on Closte and DNS points at Closte (wp closte doctor); Closte issues it within minutes once both are right.', 'closte-native');
            case 'expired':
                return __('The certificate expired and was not renewed: check that DNS points at Closte and nothing (a proxy, a CAA record) blocks issuance (wp closte doctor), then ask Closte\'s support.', 'closte-native');
            case 'dns_failed':
            case 'connect_failed':
            case 'timeout':
                return __('No server answered on port 443 for the name: check its DNS (wp closte doctor) and that the site is served by Closte.', 'closte-native');
            case '':
                return '';
            default:
                return __('The certificate served is not trusted: check that DNS points at Closte and not at another server (wp closte doctor).', 'closte-native');
        }
    }
}
