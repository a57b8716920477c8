<?php
/**
 * The network-admin page "Closte": every mapped domain's alias, DNS and certificate at a
 * glance, from the last snapshot (Closte_Native_Status), with Refresh, Sync now, Retry and
 * an explicitly confirmed removal of aliases no domain claims. Every action is a POST to
 * admin-post.php with a nonce and the manage_network_options capability, answered by a
 * redirect back to the page and an admin notice with counts.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Console
{
    const SLUG = 'closte-native';
    const CAPABILITY = 'manage_network_options';
    const ACTIONS = ['refresh', 'sync', 'remove_unclaimed', 'retry'];

    /** Ultimate Multisite's top-level network menu, when the plugin is there. */
    private static function parent(): string
    {
        return function_exists('WP_Ultimo') ? 'wp-ultimo' : 'settings.php';
    }

    public static function url(): string
    {
        return self::parent() === 'wp-ultimo'
            ? network_admin_url('admin.php?page=' . self::SLUG)
            : network_admin_url('settings.php?page=' . self::SLUG);
    }

    public function menu(): void
    {
        add_submenu_page(self::parent(), __('Closte', 'closte-native'), __('Closte', 'closte-native'), self::CAPABILITY, self::SLUG, [$this, 'render']);
    }

    /** Capability first, then the nonce; anyone else gets a 403 and nothing is done. */
    private function guard(string $action): void
    {
        if (!current_user_can(self::CAPABILITY)) {
            wp_die(esc_html__('Sorry, you are not allowed to manage Closte domain aliases.', 'closte-native'), 403);
        }
        check_admin_referer("closte_native_$action");
    }

    /** Keeps the notice for the next page view and goes back to the console. */
    private function done(string $type, string $message): void
    {
        set_site_transient('closte_native_notice_' . get_current_user_id(), ['type' => $type, 'message' => $message], 300);
        wp_safe_redirect(self::url());
        exit;
    }

    public function do_refresh(): void
    {
        $this->guard('refresh');
        $s = (new Closte_Native_Status())->refresh();
        $this->done($s['errors'] ? 'warning' : 'success', sprintf(__('Checked %1$d names in %2$.1f s.', 'closte-native'), count($s['ssl']), $s['elapsed_ms'] / 1000));
    }

    public function do_sync(): void
    {
        $this->guard('sync');
        $names = (new Closte_Native_Inventory())->wanted_names();
        try {
            $r = $names === [] ? ['added' => [], 'unchanged' => [], 'failed' => []] : Closte\sync_domains($names);
        } catch (Throwable $e) {
            $this->done('error', __('Sync failed, nothing changed: ', 'closte-native') . $e->getMessage());
        }
        foreach ($r['added'] as $name) {
            Closte_Native::log("console sync: added $name");
        }
        (new Closte_Native_Status())->refresh_aliases();
        $this->done($r['failed'] ? 'warning' : 'success', sprintf(
            __('Sync: %1$d added, %2$d already on Closte, %3$d failed.', 'closte-native'),
            count($r['added']), count($r['unchanged']), count($r['failed'])
        ) . ($r['failed'] ? ' ' . implode('; ', array_map(fn ($n, $e) => "$n: {$e['message']}", array_keys($r['failed']), $r['failed'])) : ''));
    }

    public function do_remove_unclaimed(): void
    {
        $this->guard('remove_unclaimed');
        if (($_POST['confirm'] ?? '') !== 'remove') {
            $this->done('error', __('Nothing removed: tick the confirmation box to remove unclaimed aliases.', 'closte-native'));
        }
        // Every mapped name counts as claimed, a deleted or archived site's too.
        $claimed = Closte_Native_Inventory::names((new Closte_Native_Inventory())->domains());
        if ($claimed === []) {
            $this->done('error', __('Nothing removed: no mapped domain was found, and removing every alias is never what a network wants.', 'closte-native'));
        }
        try {
            $unclaimed = array_values(array_diff(array_column(Closte\list_domains(), 'domain'), $claimed));
            $r = $unclaimed === [] ? [] : Closte\remove_domains($unclaimed);
        } catch (Throwable $e) {
            $this->done('error', __('Removal failed, nothing changed: ', 'closte-native') . $e->getMessage());
        }
        $removed = array_column(array_filter($r, fn ($x) => $x['status'] === 'removed'), 'domain');
        foreach ($removed as $name) {
            Closte_Native::log("console: removed unclaimed alias $name");
        }
        (new Closte_Native_Status())->refresh_aliases();
        $failed = count($r) - count(array_filter($r, fn ($x) => $x['status'] !== 'failed'));
        $this->done($failed ? 'warning' : 'success', sprintf(__('Removed %1$d unclaimed aliases, %2$d failed.', 'closte-native'), count($removed), $failed));
    }

    public function do_retry(): void
    {
        $this->guard('retry');
        $domain = strtolower(sanitize_text_field(wp_unslash($_POST['domain'] ?? '')));
        $row = null;
        foreach ((new Closte_Native_Inventory())->domains() as $d) {
            if ($d['domain'] === $domain) {
                $row = $d;
            }
        }
        if ($row === null) {
            $this->done('error', sprintf(__('%s is not a mapped domain.', 'closte-native'), $domain));
        }
        $events = new Closte_Native_Events();
        $events->event('add', $domain); // both names, now; a pending retry is superseded
        $pending = array_filter($row['names'], fn ($n) => $events->wanted($n) !== null);
        (new Closte_Native_Status())->refresh_aliases();
        $this->done($pending ? 'warning' : 'success', $pending
            ? sprintf(__('Re-sent %1$s: Closte did not take %2$s yet, a retry is scheduled.', 'closte-native'), $domain, implode(', ', $pending))
            : sprintf(__('Re-sent %s: on Closte.', 'closte-native'), $domain));
    }

    /** One POST button: an admin-post.php form with its nonce. */
    public static function button(string $action, string $label, array $fields = [], string $class = 'button'): string
    {
        $html = '<form method="post" action="' . esc_url(admin_url('admin-post.php')) . '" class="closte-native-' . esc_attr(str_replace('_', '-', $action)) . '" style="display:inline">'
            . '<input type="hidden" name="action" value="closte_native_' . esc_attr($action) . '">'
            . wp_nonce_field("closte_native_$action", '_wpnonce', true, false);
        foreach ($fields as $k => $v) {
            $html .= '<input type="hidden" name="' . esc_attr($k) . '" value="' . esc_attr($v) . '">';
        }
        return $html . '<button type="submit" class="' . esc_attr($class) . '">' . esc_html($label) . '</button></form>';
    }

    /** The rows for the table: every cell is HTML, escaped here. */
    public static function rows(array $domains, ?array $snapshot): array
    {
        $inflight = Closte_Native_Events::all_wanted();
        $aliases = array_flip($snapshot['aliases'] ?? []);
        $rows = [];
        foreach ($domains as $d) {
            $cells = ['closte' => [], 'dns' => [], 'certificate' => []];
            $missing = false;
            foreach ($d['names'] as $name) {
                $label = count($d['names']) > 1 ? '<span class="closte-name">' . esc_html($name) . ':</span> ' : '';
                $wanted = $inflight[$name] ?? null;
                if ($wanted !== null && $wanted['op'] === 'add') {
                    $state = sprintf(__('retry pending, attempt %1$d of %2$d', 'closte-native'), $wanted['attempt'], Closte_Native_Events::MAX_ATTEMPTS);
                    $missing = true;
                } elseif (($snapshot['aliases'] ?? null) === null) {
                    $state = __('unknown', 'closte-native');
                } elseif (isset($aliases[$name])) {
                    $state = __('yes', 'closte-native');
                } else {
                    $state = __('missing', 'closte-native');
                    $missing = true;
                }
                $cells['closte'][] = $label . '<span class="closte-state" data-name="' . esc_attr($name) . '">' . esc_html($state) . '</span>';
                $dns = $snapshot['dns'][$name] ?? null;
                $cells['dns'][] = $label . '<span class="closte-dns" data-name="' . esc_attr($name) . '">' . esc_html(
                    $dns === null ? __('not checked yet', 'closte-native')
                        : ($dns['ok'] ? sprintf(__('ok (%s)', 'closte-native'), implode(', ', array_merge($dns['a'], $dns['aaaa'])))
                            : "{$dns['error']} ({$dns['reason']})")
                ) . '</span>';
                $ssl = $snapshot['ssl'][$name] ?? null;
                $cells['certificate'][] = $label . '<span class="closte-cert" data-name="' . esc_attr($name) . '">' . esc_html(
                    $ssl === null ? __('not checked yet', 'closte-native')
                        : ($ssl['valid'] ? sprintf(__('valid (%1$s), issued by %2$s, %3$d days left', 'closte-native'), $ssl['subject'], $ssl['issuer'], $ssl['days_remaining'])
                            : "{$ssl['error']} ({$ssl['reason']})")
                ) . '</span>';
            }
            $log = '';
            if (class_exists('\\WP_Ultimo\\Logger') && method_exists('\\WP_Ultimo\\Logger', 'read_lines')) {
                $lines = \WP_Ultimo\Logger::read_lines("domain-{$d['domain']}", 1);
                $log = (string) (end($lines) ?: '');
            }
            $retry = $missing ? '<br>' . self::button('retry', __('Retry', 'closte-native'), ['domain' => $d['domain']], 'button button-small') : '';
            $rows[] = [
                'domain' => $d['domain'],
                'stage_raw' => (string) $d['stage'],
                'cells' => [
                    'domain' => implode('<br>', array_map('esc_html', $d['names'])) . ($d['wanted'] ? '' : ' <em>' . esc_html__('(site archived or deleted)', 'closte-native') . '</em>'),
                    'site' => '<a href="' . esc_url(network_admin_url('site-info.php?id=' . $d['site_id'])) . '">' . esc_html($d['site']) . '</a>',
                    'stage' => esc_html($d['stage'] ?? '—'),
                    'closte' => implode('<br>', $cells['closte']) . $retry,
                    'dns' => implode('<br>', $cells['dns']),
                    'certificate' => implode('<br>', $cells['certificate']),
                    'log' => esc_html($log),
                ],
            ];
        }
        return $rows;
    }

    public function render(): void
    {
        if (!current_user_can(self::CAPABILITY)) {
            wp_die(esc_html__('Sorry, you are not allowed to manage Closte domain aliases.', 'closte-native'), 403);
        }
        $domains = (new Closte_Native_Inventory())->domains();
        $snapshot = Closte_Native_Status::cached();
        echo '<div class="wrap closte-native"><h1>' . esc_html__('Closte', 'closte-native') . '</h1>';
        $notice = get_site_transient('closte_native_notice_' . get_current_user_id());
        if (is_array($notice)) {
            delete_site_transient('closte_native_notice_' . get_current_user_id());
            printf('<div class="notice notice-%s closte-native-result"><p>%s</p></div>', esc_attr($notice['type']), esc_html($notice['message']));
        }
        foreach ($snapshot['errors'] ?? [] as $what => $error) {
            printf('<div class="notice notice-warning"><p>%s</p></div>', esc_html("$what: $error"));
        }
        echo '<p class="closte-native-checked">';
        if ($snapshot === null) {
            esc_html_e('Not checked yet: press Refresh to ask Closte, DNS and every certificate.', 'closte-native');
        } else {
            printf(esc_html__('Last checked %1$s ago (%2$s UTC), in %3$.1f s.', 'closte-native'),
                esc_html(human_time_diff($snapshot['checked_at'])), esc_html(gmdate('Y-m-d H:i:s', $snapshot['checked_at'])), $snapshot['elapsed_ms'] / 1000);
        }
        echo '</p><p>' . self::button('refresh', __('Refresh', 'closte-native'))
            . ' ' . self::button('sync', __('Sync now (add missing aliases)', 'closte-native'), [], 'button button-primary') . '</p>';

        $alerts = Closte_Native_Reconcile::alerts();
        if ($alerts && $alerts['items']) {
            echo '<h2>' . esc_html__('Certificates that need attention', 'closte-native') . '</h2><ul class="closte-native-alerts">';
            foreach ($alerts['items'] as $name => $a) {
                printf('<li><strong>%s</strong>: %s (%s)</li>', esc_html($name), esc_html($a['error']), esc_html($a['reason']));
            }
            printf('</ul><p class="description">%s</p>', esc_html(sprintf(__('From the daily reconcile, %s UTC.', 'closte-native'), gmdate('Y-m-d H:i', $alerts['checked_at']))));
        }

        require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
        require_once __DIR__ . '/class-closte-native-console-table.php';
        $table = new Closte_Native_Console_Table(self::rows($domains, $snapshot));
        $table->prepare_items();
        $table->display();

        $claimed = Closte_Native_Inventory::names($domains);
        $unclaimed = $snapshot === null || $snapshot['aliases'] === null ? [] : array_values(array_diff($snapshot['aliases'], $claimed));
        echo '<h2>' . esc_html__('Aliases on Closte that no mapped domain claims', 'closte-native') . '</h2>';
        if ($unclaimed === []) {
            echo '<p class="closte-native-unclaimed-none">' . esc_html__('None.', 'closte-native') . '</p>';
        } else {
            echo '<ul class="closte-native-unclaimed">';
            foreach ($unclaimed as $name) {
                echo '<li>' . esc_html($name) . '</li>';
            }
            echo '</ul><form method="post" action="' . esc_url(admin_url('admin-post.php')) . '" class="closte-native-remove-unclaimed">'
                . '<input type="hidden" name="action" value="closte_native_remove_unclaimed">'
                . wp_nonce_field('closte_native_remove_unclaimed', '_wpnonce', true, false)
                . '<label><input type="checkbox" name="confirm" value="remove"> '
                . esc_html(sprintf(_n('Yes, remove this %d alias from Closte', 'Yes, remove these %d aliases from Closte', count($unclaimed), 'closte-native'), count($unclaimed)))
                . '</label> <button type="submit" class="button button-link-delete">' . esc_html__('Remove unclaimed aliases', 'closte-native') . '</button></form>';
        }
        echo '</div>';
    }
}
