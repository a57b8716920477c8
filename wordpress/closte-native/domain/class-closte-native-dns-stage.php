<?php
/**
 * The DNS stage of Ultimate Multisite's domain processing. The plugin decides `checking-dns`
 * by comparing a domain's records with the IP it guesses is the network's
 * (Helper::get_network_public_ip()); behind Closte's load balancers that guess can be wrong
 * and domains wait until they fail. Closte defines the right address as
 * CLOSTE_PUBLIC_IP_ADDRESS: this class hands it to the plugin, and checks what the plugin
 * could not confirm with Closte\check_dns(), writing the verdict to the domain's log.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Dns_Stage
{
    const CONSTANT = 'CLOSTE_PUBLIC_IP_ADDRESS';

    /** The options of the DNS check of one domain, wherever it is asked as the DNS stage asks it (the stage, the watcher, the events, the doctor). */
    public static function options(string $name): array
    {
        /**
         * Filters the options of the DNS check of one domain in Ultimate Multisite's DNS stage
         * (and the watcher's, the events' and `wp closte doctor`'s): Closte\check_dns()'s options.
         *
         * @since 0.4.0
         *
         * @param array  $options Default [] (the extension's own: system resolver, closte.timeout).
         * @param string $domain  The domain checked.
         *
         * Example: allow a second address of your own in front of Closte.
         *
         *     add_filter('closte_native_check_dns_options', fn (array $o) => ['expect' => ['203.0.113.7', '203.0.113.8']] + $o);
         */
        $options = apply_filters('closte_native_check_dns_options', [], $name);
        return is_array($options) ? $options : [];
    }

    /** CLOSTE_PUBLIC_IP_ADDRESS when it is defined and an IP address; null otherwise. */
    public static function public_ip(): ?string
    {
        if (!defined(self::CONSTANT)) {
            return null;
        }
        $ip = constant(self::CONSTANT);
        return is_string($ip) && filter_var(trim($ip), FILTER_VALIDATE_IP) !== false ? trim($ip) : null;
    }

    /** Filter `wu_get_network_public_ip` ($ip, $is_local): the address Closte defines wins. */
    public function network_public_ip($ip, $is_local = false)
    {
        return self::public_ip() ?? $ip;
    }

    /**
     * Reasons of Closte\check_dns() under which no certificate can be issued even though the
     * plugin's own check may see Closte's address: a stray A/AAAA record elsewhere (Let's
     * Encrypt may validate against it), the name behind Cloudflare's proxy, a CAA record set
     * that does not allow Closte's CA. The plugin's yes does not pass such a domain.
     */
    const BLOCKS_CERTIFICATE = ['partly_elsewhere', 'proxied', 'caa_forbids'];

    /**
     * Filter `wu_domain_has_correct_dns` ($result, $domain, $domains_and_ips): when the
     * plugin's own check said no, ask DNS exactly; a yes is kept unless DNS shows a reason
     * no certificate can be issued (BLOCKS_CERTIFICATE). The verdict goes to the domain's
     * log in every case, with the next step.
     */
    public function has_correct_dns($result, $domain = null, $domains_and_ips = [])
    {
        $name = is_object($domain) && method_exists($domain, 'get_domain') ? (string) $domain->get_domain() : '';
        if ($name === '') {
            return $result;
        }
        $options = self::options($name);
        try {
            $r = Closte\check_dns($name, $options);
        } catch (Throwable $e) {
            Closte_Native_Log::domain($name, 'DNS check not possible: ' . $e->getMessage());
            return $result;
        }
        if ($result) {
            if (in_array($r['reason'], self::BLOCKS_CERTIFICATE, true)) {
                Closte_Native_Log::domain($name, sprintf('DNS not ready, though Ultimate Multisite saw its address: %s (%s). No certificate can be issued until this is fixed. %s',
                    rtrim((string) $r['error'], '.'), $r['reason'], self::next_step((string) $r['reason'])));
                return false;
            }
            $message = $r['ok']
                ? sprintf('DNS ready: %s', self::describe($r))
                : sprintf('DNS accepted by Ultimate Multisite, but %s (%s)', $r['error'], $r['reason']);
            Closte_Native_Log::domain($name, $message);
            return $result;
        }
        if ($r['ok']) {
            Closte_Native_Log::domain($name, sprintf('DNS ready: %s', self::describe($r)));
            return true;
        }
        Closte_Native_Log::domain($name, sprintf('DNS not ready: %s (%s)', $r['error'], $r['reason']));
        return false;
    }

    /**
     * What a Closte\check_dns() reason means and what to do next, in plain words: the one
     * place they are worded, used by the domain's log, the console's DNS column, `wp closte
     * status` and `wp closte doctor`. Empty for `ok` (null or '') and reasons with nothing to add.
     */
    public static function next_step(?string $reason): string
    {
        switch ((string) $reason) {
            case 'proxied':
                return __('The name is behind Cloudflare\'s proxy (the orange cloud), so Let\'s Encrypt cannot reach Closte to issue its certificate. Next step: in Cloudflare\'s DNS settings set this record to "DNS only" (the grey cloud), or point it straight at Closte\'s address.', 'closte-native');
            case 'partly_elsewhere':
                return __('Some of the name\'s A/AAAA records point at another server: Let\'s Encrypt may validate against them (over IPv6 first when there is an AAAA record), and visitors may reach the old server. Next step: delete every A and AAAA record that does not point at Closte (often an old AAAA record).', 'closte-native');
            case 'caa_forbids':
                return __('A CAA record on the name or on a parent domain does not allow Let\'s Encrypt, the authority that issues Closte\'s certificates. Next step: add the CAA record 0 issue "letsencrypt.org" beside the existing ones, or delete them.', 'closte-native');
            case 'points_elsewhere':
                return __('Next step: point the name\'s A record at Closte\'s address (or a CNAME at a name that resolves there), and delete records pointing elsewhere.', 'closte-native');
            case 'nxdomain':
            case 'no_records':
                return __('Next step: create an A record for the name pointing at Closte\'s address.', 'closte-native');
            case 'no_expectation':
                return __('Next step: define CLOSTE_PUBLIC_IP_ADDRESS in wp-config.php (Closte\'s wp-config.php has it).', 'closte-native');
            case '':
                return '';
            default:
                return __('Next step: the name\'s DNS servers did not answer as expected; check again in a few minutes, and if it persists, ask the DNS provider.', 'closte-native');
        }
    }

    /** "shop.example.com points to 198.51.100.7 (through CNAME …), as Closte expects". */
    private static function describe(array $r): string
    {
        $targets = implode(', ', array_merge($r['a'], $r['aaaa']));
        $via = $r['cname'] ? ' (through CNAME ' . implode(' → ', $r['cname']) . ')' : '';
        return sprintf('%s points to %s%s, as Closte expects (%s)', $r['domain'], $targets, $via, implode(', ', $r['matched']));
    }
}
