<?php
/**
 * `wp closte check` and `wp closte doctor`: live checks of names, now (DNS, the
 * certificate, and for the doctor every part of a mapped domain's path to a padlock).
 * Registered under `wp closte` beside Closte_Native_CLI's subcommands.
 */

defined('ABSPATH') || exit;

final class Closte_Native_CLI_Checks
{
    /**
     * Checks names live, now: DNS against Closte's address and the certificate Closte serves.
     *
     * Not from the status table: one DNS batch and one certificate batch, with the console's
     * options (filters closte_native_console_dns_options and closte_native_console_ssl_options;
     * certificates are fetched from CLOSTE_PUBLIC_IP_ADDRESS when it is defined). One row per
     * name given. Exit status 1 when a name's DNS is not right or its certificate not valid.
     *
     * ## OPTIONS
     *
     * <domain>...
     * : The names to check (a www. twin is checked only when given).
     *
     * [--dns]
     * : Check DNS only.
     *
     * [--ssl]
     * : Check the certificate only.
     *
     * [--connect-to=<host>]
     * : Fetch the certificate from this host or IP (or host:port, [IPv6]:port) instead of CLOSTE_PUBLIC_IP_ADDRESS; SNI and verification stay for each name.
     *
     * [--format=<format>]
     * : Render output in a particular format.
     * ---
     * default: table
     * options:
     *   - table
     *   - json
     *   - csv
     *   - yaml
     *   - count
     * ---
     *
     * ## EXAMPLES
     *
     *     # Is the domain ready: DNS at Closte and a valid certificate?
     *     $ wp closte check shop.example.com www.shop.example.com
     *
     *     # The certificate as a given server serves it
     *     $ wp closte check shop.example.com --ssl --connect-to=198.51.100.7
     *
     *     # In a deploy script
     *     $ wp closte check shop.example.com --dns --format=json
     *
     * @when after_wp_load
     */
    public function check($args, $assoc_args): void
    {
        Closte_Native_CLI_Output::ready();
        $format = Closte_Native_CLI_Output::format($assoc_args);
        $dns = (bool) WP_CLI\Utils\get_flag_value($assoc_args, 'dns', false);
        $ssl = (bool) WP_CLI\Utils\get_flag_value($assoc_args, 'ssl', false);
        if (!$dns && !$ssl) {
            $dns = $ssl = true;
        }
        $rows = [];
        $names = [];
        foreach ($args as $arg) {
            $arg = (string) $arg;
            $canonical = Closte_Native_Name::canonical($arg);
            $rows[$arg] = ['name' => $canonical ?? $arg];
            if ($canonical === null) {
                $rows[$arg]['detail'] = sprintf('not a valid domain name: %s', (string) Closte_Native_Name::problem($arg));
                $rows[$arg] += $dns ? ['dns' => 'invalid'] : [];
                $rows[$arg] += $ssl ? ['certificate' => 'invalid'] : [];
            } else {
                $names[$arg] = $canonical;
            }
        }
        $list = array_values(array_unique($names));
        $failed = array_keys(array_diff_key($rows, $names));
        $results = ['dns' => [], 'ssl' => []];
        if ($list !== [] && $dns) {
            try {
                foreach (Closte\check_dns_many($list, Closte_Native_Status::dns_options($list)) as $i => $r) {
                    $results['dns'][$list[$i]] = $r;
                }
            } catch (Throwable $e) {
                WP_CLI::error('DNS could not be checked: ' . Closte_Native_Failure::explain($e));
            }
        }
        if ($list !== [] && $ssl) {
            $options = Closte_Native_Status::ssl_options($list); // expiring_soon: the extension's word, by the certificate's lifetime
            if (isset($assoc_args['connect-to'])) { // the operator's word wins over the filters
                $to = trim((string) $assoc_args['connect-to']);
                if (preg_match('/^\[([^\]]+)\]:(\d{1,5})$/', $to, $m) || preg_match('/^([^:]+):(\d{1,5})$/', $to, $m)) {
                    $options['connect_to'] = $m[1];
                    $options['port'] = (int) $m[2];
                } else {
                    $options['connect_to'] = trim($to, '[]');
                }
            }
            try {
                foreach (Closte\check_ssl_many($list, $options) as $i => $r) {
                    $results['ssl'][$list[$i]] = $r;
                }
            } catch (Throwable $e) {
                WP_CLI::error('Certificates could not be checked: ' . Closte_Native_Failure::explain($e));
            }
        }
        foreach ($names as $arg => $name) {
            $detail = [];
            if ($dns) {
                $r = $results['dns'][$name];
                $rows[$arg]['dns'] = $r['ok'] ? 'ok' : (string) $r['reason'];
                $rows[$arg]['points_to'] = implode(', ', array_merge((array) $r['a'], (array) $r['aaaa']));
                if (!$r['ok']) {
                    $detail[] = (string) $r['error'];
                }
            }
            if ($ssl) {
                $r = $results['ssl'][$name];
                $rows[$arg]['certificate'] = $r['valid'] ? (!empty($r['expiring_soon']) ? 'expiring' : 'valid') : (string) $r['reason'];
                $rows[$arg]['days_left'] = $r['days_remaining'] === null ? '' : (int) $r['days_remaining'];
                $rows[$arg]['expires'] = $r['not_after'] === null ? '' : gmdate('Y-m-d H:i:s', (int) $r['not_after']);
                $rows[$arg]['subject'] = (string) $r['subject'];
                $rows[$arg]['issuer'] = (string) $r['issuer'];
                if (!$r['valid']) {
                    $detail[] = (string) $r['error'];
                }
            }
            $rows[$arg]['detail'] = implode('; ', $detail);
            if ($detail !== []) {
                $failed[] = $arg;
            }
        }
        $fields = array_merge(['name'], $dns ? ['dns', 'points_to'] : [], $ssl ? ['certificate', 'days_left', 'expires', 'subject', 'issuer'] : [], ['detail']);
        $items = [];
        foreach ($rows as $row) {
            $items[] = array_map(fn ($f) => $row[$f] ?? '', array_combine($fields, $fields));
        }
        WP_CLI\Utils\format_items($format, $items, $fields);
        if ($failed !== []) {
            WP_CLI::warning(sprintf('%d of %d names not ready: %s.', count($failed), count($rows), implode(', ', $failed)));
            WP_CLI::halt(1);
        }
    }

    /**
     * Runs every check of mapped domains now and says, for each, pass or fail and the next step.
     *
     * For each domain: its record and stage in Ultimate Multisite, the claims ledger's word,
     * the alias on Closte (one list read for all), DNS (A, AAAA, CNAME) against Closte's
     * address, a proxy in front (Cloudflare), CAA, the certificate as Closte serves it
     * (CLOSTE_PUBLIC_IP_ADDRESS, the console's options) and as visitors reach it (public DNS,
     * the SSL stage's options), and what is scheduled for it (Ultimate Multisite's next
     * stage check, a retry, the watcher). Sends nothing to Closte but the list read. Exit
     * status 1 when any check fails.
     *
     * ## OPTIONS
     *
     * <domain>...
     * : The mapped domains to examine (as typed or canonical; a www. twin is examined as itself).
     *
     * [--format=<format>]
     * : Render output in a particular format: one row per check (domain, check, status, detail, next_step).
     * ---
     * default: table
     * options:
     *   - table
     *   - json
     *   - csv
     *   - yaml
     * ---
     *
     * ## EXAMPLES
     *
     *     # Why has the domain no padlock?
     *     $ wp closte doctor shop.example.com
     *
     *     # Only what fails, as JSON (jq)
     *     $ wp closte doctor shop.example.com --format=json | jq '.[] | select(.status == "fail")'
     *
     *     # Several domains; exit status 1 when any check fails
     *     $ wp closte doctor shop.example.com blog.example.org || echo "needs attention"
     *
     * @when after_wp_load
     */
    public function doctor($args, $assoc_args): void
    {
        Closte_Native_CLI_Output::ready();
        $format = Closte_Native_CLI_Output::format($assoc_args);
        $doctor = new Closte_Native_Doctor();
        $items = [];
        $failed = [];
        foreach ($args as $arg) {
            $result = $doctor->examine((string) $arg);
            if (!$result['ok']) {
                $failed[] = (string) $arg;
            }
            foreach ($result['checks'] as $c) {
                $items[] = ['domain' => (string) $arg] + $c;
            }
        }
        WP_CLI\Utils\format_items($format, $items, ['domain', 'check', 'status', 'detail', 'next_step']);
        if ($failed !== []) {
            WP_CLI::warning(sprintf('%d of %d domains have a failing check: %s.', count($failed), count($args), implode(', ', $failed)));
            WP_CLI::halt(1);
        }
        if ($format === 'table') {
            WP_CLI::success(sprintf('Every check passed (%d domain%s).', count($args), count($args) === 1 ? '' : 's'));
        }
    }
}
