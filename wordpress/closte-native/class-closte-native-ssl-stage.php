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
    const STAGE = 'checking-ssl-cert';
    const MAX_TRIES = 20;

    public function max_tries($max_tries, $domain = null)
    {
        if (!is_object($domain) || !method_exists($domain, 'get_stage') || $domain->get_stage() !== self::STAGE) {
            return $max_tries;
        }
        $name = method_exists($domain, 'get_domain') ? (string) $domain->get_domain() : '';
        if ($name !== '') {
            $this->log_check($name);
        }
        return max((int) $max_tries, self::MAX_TRIES);
    }

    public function log_check(string $name): void
    {
        /**
         * Filters the options of the certificate check of one domain that Ultimate Multisite's SSL
         * stage logs (and the watcher's): Closte\check_ssl()'s options.
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
    }
}
