<?php
/**
 * The network-admin page "Closte": every mapped domain's alias, DNS and certificate at a
 * glance, from the last snapshot (Closte_Native_Status), with Refresh, Sync now, Retry and
 * an explicitly confirmed removal of aliases no domain claims. Every name is compared in
 * its canonical form (Closte_Native_Name). Every action is a POST to admin-post.php (any
 * other method is refused) with a nonce and the manage_network_options capability,
 * answered by a redirect back to the page and an admin notice with counts. The console's
 * calls use a short timeout of their own (timeout()). Without the extension or the key the
 * page exists and says what is missing.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Console
{
    const SLUG = 'closte-native';
    const CAPABILITY = 'manage_network_options';
    const ACTIONS = ['refresh', 'sync', 'remove_unclaimed', 'retry'];
    /** Default seconds for each of the console's calls (filter closte_native_console_timeout). */
    const TIMEOUT = 5;

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

    /**
     * Seconds each of the console's calls to the extension may take (one API call with its
     * retries, one certificate or DNS check): a hanging Closte costs the admin seconds, not
     * the full closte.timeout. Filter: closte_native_console_timeout (seconds, > 0, at most 600).
     */
    public static function timeout(): float
    {
        $t = apply_filters('closte_native_console_timeout', self::TIMEOUT);
        return is_numeric($t) && $t > 0 ? min((float) $t, 600.0) : (float) self::TIMEOUT;
    }

    /** Options for the console's API calls. */
    public static function call_options(): array
    {
        return ['timeout' => self::timeout()];
    }

    /**
     * POST only (405 otherwise, even with a valid nonce), then the capability (403), then
     * the nonce; anything else is refused and nothing is done. Without the extension or
     * the key the action says what is missing.
     */
    private function guard(string $action): void
    {
        if (strtoupper((string) ($_SERVER['REQUEST_METHOD'] ?? '')) !== 'POST') {
            if (!headers_sent()) {
                header('Allow: POST');
            }
            wp_die(esc_html__('This action runs only from the buttons of the Closte console (a POST request). Nothing was done.', 'closte-native'),
                esc_html__('Method not allowed', 'closte-native'), ['response' => 405]);
        }
        if (!current_user_can(self::CAPABILITY)) {
            wp_die(esc_html__('Sorry, you are not allowed to manage Closte domain aliases.', 'closte-native'), 403);
        }
        check_admin_referer("closte_native_$action");
        $missing = Closte_Native::missing();
        if ($missing !== null) {
            $this->done('error', sprintf(__('Nothing done: %s', 'closte-native'), $missing));
        }
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
        $n = (int) ($s['checked'] ?? count($s['ssl']));
        $this->done($s['errors'] ? 'warning' : 'success', sprintf(_n('Checked %1$d name in %2$.1f s.', 'Checked %1$d names in %2$.1f s.', $n, 'closte-native'), $n, $s['elapsed_ms'] / 1000)
            . ($s['errors'] ? ' ' . __('Some checks could not be made: see the warnings below.', 'closte-native') : ''));
    }

    public function do_sync(): void
    {
        $this->guard('sync');
        $domains = (new Closte_Native_Inventory())->domains();
        $names = Closte_Native_Inventory::names(array_filter($domains, fn ($d) => $d['wanted'] && $d['invalid'] === null));
        $invalid = Closte_Native_Inventory::invalid($domains);
        try {
            $r = $names === [] ? ['added' => [], 'unchanged' => [], 'failed' => []] : Closte\sync_domains($names, self::call_options());
        } catch (Throwable $e) {
            $this->done('error', __('Sync failed, nothing changed:', 'closte-native') . ' ' . Closte_Native::explain($e));
        }
        foreach ($r['added'] as $name) {
            Closte_Native::log("console sync: added $name");
        }
        (new Closte_Native_Status())->refresh_aliases();
        $failed = [];
        foreach ($r['failed'] as $name => $error) {
            $failed[] = sprintf(!empty($error['retryable']) ? __('%1$s: %2$s (temporary: press Sync again later)', 'closte-native') : __('%1$s: %2$s (refused)', 'closte-native'),
                $name, rtrim((string) $error['message'], '.'));
        }
        $message = sprintf(__('Sync: %1$d added, %2$d already on Closte, %3$d failed.', 'closte-native'), count($r['added']), count($r['unchanged']), count($r['failed']))
            . ($failed ? ' ' . implode('; ', $failed) . '.' : '')
            . ($invalid ? ' ' . self::invalid_sentence($invalid) : '');
        $this->done($r['failed'] || $invalid ? 'warning' : 'success', $message);
    }

    /** "Not sent, not a valid domain name: x (why); correct it in its domain record." */
    private static function invalid_sentence(array $invalid): string
    {
        $list = implode('; ', array_map(fn ($n, $why) => "$n ($why)", array_keys($invalid), $invalid));
        return sprintf(_n('Not sent, not a valid domain name: %s. Correct it in its domain record.', 'Not sent, not valid domain names: %s. Correct them in their domain records.', count($invalid), 'closte-native'), $list);
    }

    public function do_remove_unclaimed(): void
    {
        $this->guard('remove_unclaimed');
        if (($_POST['confirm'] ?? '') !== 'remove') {
            $this->done('error', __('Nothing removed: tick the confirmation box to remove unclaimed aliases.', 'closte-native'));
        }
        // Every mapped name counts as claimed, a deleted or archived site's too, each in its
        // canonical form (a record bücher.example claims xn--bcher-kva.example).
        $domains = (new Closte_Native_Inventory())->domains();
        $invalid = array_column(array_filter($domains, fn ($d) => $d['invalid'] !== null), 'invalid', 'domain');
        if ($invalid !== []) {
            $this->done('error', self::removal_blocked($invalid));
        }
        $claimed = array_flip(Closte_Native_Inventory::names($domains));
        if ($claimed === []) {
            $this->done('error', __('Nothing removed: no mapped domain was found, and removing every alias is never what a network wants.', 'closte-native'));
        }
        try {
            $listed = array_column(Closte\list_domains(self::call_options()), 'domain');
            $unclaimed = array_values(array_filter($listed, fn ($n) => !isset($claimed[Closte_Native_Name::key((string) $n)])));
            $r = $unclaimed === [] ? [] : Closte\remove_domains($unclaimed, self::call_options());
        } catch (Throwable $e) {
            $this->done('error', __('Removal failed, nothing changed:', 'closte-native') . ' ' . Closte_Native::explain($e));
        }
        $removed = array_column(array_filter($r, fn ($x) => $x['status'] === 'removed'), 'domain');
        foreach ($removed as $name) {
            Closte_Native::log("console: removed unclaimed alias $name");
        }
        (new Closte_Native_Status())->refresh_aliases();
        $failed = array_map(fn ($x) => "{$x['domain']}: " . rtrim((string) ($x['error']['message'] ?? ''), '.'), array_filter($r, fn ($x) => $x['status'] === 'failed'));
        $this->done($failed ? 'warning' : 'success', sprintf(__('Removed %1$d unclaimed aliases, %2$d failed.', 'closte-native'), count($removed), count($failed))
            . ($failed ? ' ' . implode('; ', $failed) . '.' : ''));
    }

    /** Why no alias is removed while a domain record holds a name the extension refuses. */
    private static function removal_blocked(array $invalid): string
    {
        $list = implode('; ', array_map(fn ($n, $why) => "$n ($why)", array_keys($invalid), $invalid));
        return sprintf(__('Nothing removed: these domain records hold names that are not valid domain names: %s. An alias they stand for would look unclaimed, so no alias is removed until they are corrected or deleted.', 'closte-native'), $list);
    }

    /**
     * Re-sends a mapped domain's names now and says what really happened to each: on
     * Closte, a retry scheduled (with why), or refused and why.
     */
    public function do_retry(): void
    {
        $this->guard('retry');
        $posted = sanitize_text_field(wp_unslash($_POST['domain'] ?? ''));
        $key = Closte_Native_Name::key($posted);
        $row = null;
        foreach ((new Closte_Native_Inventory())->domains() as $d) {
            if ($d['domain'] === $posted || Closte_Native_Name::key($d['domain']) === $key) {
                $row = $d;
            }
        }
        if ($row === null) {
            $this->done('error', sprintf(__('%s is not a mapped domain.', 'closte-native'), $posted));
        }
        $shown = Closte_Native_Name::shown($row['domain']);
        if ($row['invalid'] !== null) {
            $this->done('error', sprintf(__('%1$s is not a valid domain name (%2$s): correct it in its domain record. Nothing was sent.', 'closte-native'), $shown, $row['invalid']));
        }
        $outcomes = (new Closte_Native_Events())->event('add', $row['domain'], self::call_options());
        (new Closte_Native_Status())->refresh_aliases();
        $type = 'success';
        $parts = [];
        $on = array_keys(array_filter($outcomes, fn ($o) => $o['status'] === 'done'));
        foreach ($outcomes as $name => $o) {
            if ($o['status'] === 'scheduled') {
                $type = $type === 'error' ? 'error' : 'warning';
                $parts[] = sprintf(__('Closte did not take %1$s yet (%2$s); retry %3$d of %4$d is scheduled.', 'closte-native'),
                    $name, rtrim($o['error'], '.'), $o['attempt'], Closte_Native_Events::MAX_ATTEMPTS);
            } elseif ($o['status'] === 'gave_up') {
                $type = 'error';
                $parts[] = sprintf(__('Closte did not take %1$s (%2$s), and its retries are used up.', 'closte-native'), $name, rtrim($o['error'], '.'));
            } elseif ($o['status'] === 'refused') {
                $type = 'error';
                $parts[] = sprintf(__('%1$s was refused, not retried: %2$s', 'closte-native'), $name, $o['error']);
            }
        }
        if ($parts === []) {
            $this->done('success', sprintf(__('Re-sent %s: on Closte.', 'closte-native'), $shown));
        }
        if ($on !== []) {
            array_unshift($parts, sprintf(__('%s: on Closte.', 'closte-native'), implode(', ', $on)));
        }
        $this->done($type, sprintf(__('Re-sent %s:', 'closte-native'), $shown) . ' ' . implode(' ', $parts));
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

    /** The rows for the table: every cell is HTML, escaped here. Names are compared canonical. */
    public static function rows(array $domains, ?array $snapshot): array
    {
        $inflight = Closte_Native_Events::all_wanted();
        $watched = Closte_Native_Watcher::state()['domains'];
        $aliases = array_flip($snapshot['aliases'] ?? []);
        $rows = [];
        foreach ($domains as $d) {
            $cells = ['closte' => [], 'dns' => [], 'certificate' => []];
            $missing = false;
            if ($d['invalid'] !== null) {
                $cells['closte'][] = '<span class="closte-state closte-invalid">' . esc_html__('not a valid domain name: nothing is sent', 'closte-native') . '</span>';
            }
            foreach ($d['invalid'] === null ? $d['names'] : [] as $name) {
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
            // The domain cell: the name as typed, its canonical form where that differs, the twin.
            $domain = esc_html($d['domain']);
            if ($d['canonical'] !== null && $d['canonical'] !== $d['domain']) {
                $domain .= ' <span class="closte-canonical">(' . esc_html($d['canonical']) . ')</span>';
            }
            if ($d['invalid'] !== null) {
                $domain .= ' <em class="closte-invalid">' . esc_html(sprintf(__('(not a valid domain name: %s)', 'closte-native'), $d['invalid'])) . '</em>';
            }
            foreach (array_slice($d['names'], 1) as $name) {
                $domain .= '<br>' . esc_html($name);
            }
            $retry = $missing ? '<br>' . self::button('retry', __('Retry', 'closte-native'), ['domain' => $d['domain']], 'button button-small') : '';
            $rows[] = [
                'domain' => $d['domain'],
                'stage_raw' => (string) $d['stage'],
                'cells' => [
                    'domain' => $domain . ($d['wanted'] ? '' : ' <em>' . esc_html__('(site archived or deleted)', 'closte-native') . '</em>'),
                    'site' => '<a href="' . esc_url(network_admin_url('site-info.php?id=' . $d['site_id'])) . '">' . esc_html($d['site']) . '</a>',
                    'stage' => esc_html($d['stage_label'] ?? '—') . self::watch_cell($d, $watched[(string) $d['canonical']] ?? null),
                    'closte' => implode('<br>', $cells['closte']) . $retry,
                    'dns' => implode('<br>', $cells['dns']),
                    'certificate' => implode('<br>', $cells['certificate']),
                    // The log's text: Ultimate Multisite writes some lines with HTML tags.
                    'log' => esc_html(trim(html_entity_decode(wp_strip_all_tags($log), ENT_QUOTES, 'UTF-8'))),
                ],
            ];
        }
        return $rows;
    }

    /**
     * Under the stage: what a waiting domain waits for and the watcher's last verdict and
     * time (and a failed domain's revival), or nothing for a domain that waits for nothing.
     */
    private static function watch_cell(array $d, ?array $w): string
    {
        $stage = (string) $d['stage'];
        $for = Closte_Native_Watcher::WAITING[$stage] ?? (Closte_Native_Watcher::REVIVABLE[$stage][0] ?? null);
        if ($for === null || $d['invalid'] !== null) {
            return '';
        }
        $what = $for === 'dns' ? __('DNS', 'closte-native') : __('the certificate', 'closte-native');
        if (isset(Closte_Native_Watcher::REVIVABLE[$stage])) {
            if ($w === null) {
                return ''; // outside the revival window (or not looked at yet)
            }
            $text = sprintf(__('watched for revival: back as soon as %s is right', 'closte-native'), $what);
        } else {
            $text = sprintf(__('waiting for %s', 'closte-native'), $what);
        }
        if ($w === null || empty($w['checked_at'])) {
            $text .= ', ' . __('not checked by the watcher yet', 'closte-native');
        } else {
            $text .= sprintf(__(', last checked %1$s ago: %2$s', 'closte-native'), human_time_diff((int) $w['checked_at']), (string) $w['verdict']);
            if (!empty($w['held'])) {
                $text .= '; ' . __("Ultimate Multisite's own check did not agree yet, so it follows its own schedule", 'closte-native');
            }
        }
        return '<br><span class="closte-watch" data-for="' . esc_attr($for) . '">' . esc_html($text) . '</span>';
    }

    /** The watcher's line: idle, or its last tick (time, names checked, domains advanced) and the next. */
    private static function render_watcher(): void
    {
        $state = Closte_Native_Watcher::state();
        $next = Closte_Native_Watcher::scheduled();
        $tick = $state['last_tick'];
        echo '<p class="closte-native-watcher">';
        if ($next === false) {
            esc_html_e('Watcher: idle — no domain is waiting for DNS or a certificate. It starts by itself when one is.', 'closte-native');
        } else {
            printf(esc_html__('Watcher: every %d s while domains wait.', 'closte-native'), Closte_Native_Watcher::interval());
        }
        if ($tick !== null && empty($tick['idle'])) {
            echo ' ' . esc_html(sprintf(__('Its last tick %1$s ago (%2$s UTC): %3$d names checked, %4$d domains advanced, %5$d revived, in %6$.1f s.', 'closte-native'),
                human_time_diff((int) $tick['at']), gmdate('Y-m-d H:i:s', (int) $tick['at']), (int) $tick['names'], count($tick['advanced']),
                count($tick['revived']), (float) $tick['seconds']));
            if (!empty($tick['left'])) {
                echo ' ' . esc_html(sprintf(__('%d domains wait for the next ticks (checked in turns).', 'closte-native'), (int) $tick['left']));
            }
            foreach ((array) ($tick['errors'] ?? []) as $what => $error) {
                echo ' ' . esc_html(sprintf(__('%1$s could not be checked: %2$s', 'closte-native'), $what === 'dns' ? 'DNS' : __('Certificates', 'closte-native'), $error));
            }
        }
        echo '</p>';
    }

    public function render(): void
    {
        if (!current_user_can(self::CAPABILITY)) {
            wp_die(esc_html__('Sorry, you are not allowed to manage Closte domain aliases.', 'closte-native'), 403);
        }
        echo '<div class="wrap closte-native"><h1>' . esc_html__('Closte', 'closte-native') . '</h1>';
        $missing = Closte_Native::missing();
        if ($missing !== null) {
            printf('<div class="notice notice-error closte-native-missing"><p><strong>%s</strong> %s</p><p>%s</p></div></div>',
                esc_html__('Closte (native) is inactive:', 'closte-native'), esc_html($missing),
                esc_html__('Until then this console cannot show or change Closte\'s domain aliases; domain mapping falls back to Ultimate Multisite\'s own Closte integration.', 'closte-native'));
            return;
        }
        $domains = (new Closte_Native_Inventory())->domains();
        $snapshot = Closte_Native_Status::cached();
        $notice = get_site_transient('closte_native_notice_' . get_current_user_id());
        if (is_array($notice)) {
            delete_site_transient('closte_native_notice_' . get_current_user_id());
            printf('<div class="notice notice-%s closte-native-result"><p>%s</p></div>', esc_attr($notice['type']), esc_html($notice['message']));
        }
        $what = [
            'closte' => __("Closte's alias list could not be read:", 'closte-native'),
            'ssl' => __('Certificates could not be checked:', 'closte-native'),
            'dns' => __('DNS could not be checked:', 'closte-native'),
        ];
        foreach ($snapshot['errors'] ?? [] as $key => $error) {
            printf('<div class="notice notice-warning closte-native-error" data-what="%s"><p>%s</p></div>', esc_attr($key), esc_html(($what[$key] ?? "$key:") . ' ' . $error));
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

        self::render_watcher();

        $alerts = Closte_Native_Reconcile::alerts();
        if ($alerts && $alerts['items']) {
            echo '<h2>' . esc_html__('Certificates that need attention', 'closte-native') . '</h2><ul class="closte-native-alerts">';
            foreach ($alerts['items'] as $name => $a) {
                printf('<li><strong>%s</strong>: %s (%s)</li>', esc_html($a['shown'] ?? $name), esc_html($a['error']), esc_html($a['reason']));
            }
            $from = ($alerts['source'] ?? '') === 'refresh' ? __('From the last Refresh, %s UTC.', 'closte-native') : __('From the daily reconcile, %s UTC.', 'closte-native');
            printf('</ul><p class="description">%s</p>', esc_html(sprintf($from, gmdate('Y-m-d H:i', $alerts['checked_at']))));
        }

        require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
        require_once __DIR__ . '/class-closte-native-console-table.php';
        $table = new Closte_Native_Console_Table(self::rows($domains, $snapshot));
        $table->prepare_items();
        $table->display();

        echo '<h2>' . esc_html__('Aliases on Closte that no mapped domain claims', 'closte-native') . '</h2>';
        if ($snapshot === null) {
            echo '<p class="closte-native-unclaimed-unknown">' . esc_html__('unknown: not checked yet. Press Refresh.', 'closte-native') . '</p>';
        } elseif ($snapshot['aliases'] === null) {
            echo '<p class="closte-native-unclaimed-unknown">' . esc_html(sprintf(__('unknown: %s', 'closte-native'), $snapshot['errors']['closte'] ?? __('the list could not be read', 'closte-native'))) . '</p>';
        } else {
            self::render_unclaimed($domains, $snapshot['aliases']);
        }
        echo '</div>';
    }

    /** The aliases no mapped name claims (compared canonical), and the confirmed removal. */
    private static function render_unclaimed(array $domains, array $aliases): void
    {
        $claimed = array_flip(Closte_Native_Inventory::names($domains));
        $unclaimed = array_values(array_filter($aliases, fn ($n) => !isset($claimed[$n])));
        if ($unclaimed === []) {
            echo '<p class="closte-native-unclaimed-none">' . esc_html__('None.', 'closte-native') . '</p>';
            return;
        }
        echo '<ul class="closte-native-unclaimed">';
        foreach ($unclaimed as $name) {
            echo '<li>' . esc_html($name) . '</li>';
        }
        echo '</ul>';
        $invalid = array_column(array_filter($domains, fn ($d) => $d['invalid'] !== null), 'invalid', 'domain');
        if ($invalid !== []) {
            echo '<p class="closte-native-removal-blocked">' . esc_html(self::removal_blocked($invalid)) . '</p>';
            return;
        }
        echo '<form method="post" action="' . esc_url(admin_url('admin-post.php')) . '" class="closte-native-remove-unclaimed">'
            . '<input type="hidden" name="action" value="closte_native_remove_unclaimed">'
            . wp_nonce_field('closte_native_remove_unclaimed', '_wpnonce', true, false)
            . '<label><input type="checkbox" name="confirm" value="remove"> '
            . esc_html(sprintf(_n('Yes, remove this %d alias from Closte', 'Yes, remove these %d aliases from Closte', count($unclaimed), 'closte-native'), count($unclaimed)))
            . '</label> <button type="submit" class="button button-link-delete">' . esc_html__('Remove unclaimed aliases', 'closte-native') . '</button></form>';
    }
}
