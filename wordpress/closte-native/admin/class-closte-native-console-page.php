<?php
/**
 * The console's page: the progress line and its poll, the notices, the certificate alerts,
 * the watcher, the table of names (Closte_Native_Console_Table) and the unclaimed aliases
 * with the removal form. It only reads and shows: every button posts to an action of
 * Closte_Native_Console, which runs it through Closte_Native_Actions.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Console_Page
{
    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var Closte_Native_Refresh */
    private $refresh;

    public function __construct(Closte_Native_Status_Table $table, Closte_Native_Refresh $refresh)
    {
        $this->table = $table;
        $this->refresh = $refresh;
    }

    /** One POST button: an admin-post.php form with its nonce, and where the admin is (view, search, sort, page) to come back to. */
    public static function button(string $action, string $label, array $fields = [], string $class = 'button'): string
    {
        $html = '<form method="post" action="' . esc_url(admin_url('admin-post.php')) . '" class="closte-native-' . esc_attr(str_replace('_', '-', $action)) . '" style="display:inline">'
            . '<input type="hidden" name="action" value="closte_native_' . esc_attr($action) . '">'
            . wp_nonce_field("closte_native_$action", '_wpnonce', true, false);
        foreach (Closte_Native_Console::view_args() as $k => $v) {
            $html .= '<input type="hidden" name="closte_' . esc_attr($k) . '" value="' . esc_attr((string) $v) . '">';
        }
        foreach ($fields as $k => $v) {
            $html .= '<input type="hidden" name="' . esc_attr($k) . '" value="' . esc_attr($v) . '">';
        }
        return $html . '<button type="submit" class="' . esc_attr($class) . '">' . esc_html($label) . '</button></form>';
    }

    /**
     * Under the stage: what a waiting domain waits for and the watcher's last verdict and
     * time (and a failed domain's revival), or nothing for a domain that waits for nothing.
     */
    public static function watch_cell(array $d, ?array $w): string
    {
        $stage = (string) $d['stage'];
        $for = Closte_Native_Stages::WAITING[$stage] ?? (Closte_Native_Stages::REVIVABLE[$stage][0] ?? null);
        if ($for === null || $d['invalid'] !== null) {
            return '';
        }
        $what = $for === 'dns' ? __('DNS', 'closte-native') : __('the certificate', 'closte-native');
        if (isset(Closte_Native_Stages::REVIVABLE[$stage])) {
            if ($w === null) {
                return ''; // outside the revival window (or not looked at yet)
            }
            /* translators: %s: what the domain waits for (DNS or its certificate) */
            $text = sprintf(__('watched for revival: back as soon as %s is right', 'closte-native'), $what);
        } else {
            /* translators: %s: what the domain waits for (DNS or its certificate) */
            $text = sprintf(__('waiting for %s', 'closte-native'), $what);
        }
        if ($w === null || empty($w['checked_at'])) {
            $text .= ', ' . __('not checked by the watcher yet', 'closte-native');
        } else {
            /* translators: 1: how long ago, 2: the check's result */
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
        $next = Closte_Native_Watcher::scheduled();
        $tick = Closte_Native_Watcher::last_tick();
        echo '<p class="closte-native-watcher">';
        if ($next === false) {
            esc_html_e('Watcher: idle — no domain is waiting for DNS or a certificate. It starts by itself when one is.', 'closte-native');
        } else {
            /* translators: %d: seconds between ticks */
            printf(esc_html__('Watcher: every %d s while domains wait.', 'closte-native'), Closte_Native_Watcher::interval());
        }
        if ($tick !== null && empty($tick['idle'])) {
            /* translators: 1: how long ago, 2: the time, 3: names checked, 4: domains advanced, and the rest of the tick's counts */
            echo ' ' . esc_html(sprintf(__('Its last tick %1$s ago (%2$s UTC): %3$d names checked, %4$d domains advanced, %5$d revived, in %6$.1f s.', 'closte-native'),
                human_time_diff((int) $tick['at']), gmdate('Y-m-d H:i:s', (int) $tick['at']), (int) $tick['names'], count($tick['advanced']),
                count($tick['revived']), (float) $tick['seconds']));
            if (!empty($tick['left'])) {
                /* translators: %d: domains waiting */
                echo ' ' . esc_html(sprintf(__('%d domains wait for the next ticks (checked in turns).', 'closte-native'), (int) $tick['left']));
            }
            foreach ((array) ($tick['errors'] ?? []) as $what => $error) {
                /* translators: 1: what could not be checked (DNS or certificates), 2: why */
                echo ' ' . esc_html(sprintf(__('%1$s could not be checked: %2$s', 'closte-native'), $what === 'dns' ? 'DNS' : __('Certificates', 'closte-native'), $error));
            }
        }
        echo '</p>';
    }

    /** Colours of the state badges (as WordPress's own notices: green, red, yellow, grey). */
    const CSS = '.closte-badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;line-height:18px;border:1px solid}'
        . '.closte-badge-ok{background:#edfaef;color:#00600f;border-color:#00a32a}.closte-badge-error{background:#fcf0f1;color:#8a2424;border-color:#d63638}'
        . '.closte-badge-warning{background:#fcf9e8;color:#614a00;border-color:#dba617}.closte-badge-none{background:#f6f7f7;color:#3c434a;border-color:#8c8f94}'
        . '.closte-native tr.closte-twin td,.closte-native tr.closte-twin th{border-top:0}.closte-native .closte-twin-of,.closte-native .closte-detail{color:#50575e}'
        . '.closte-native details summary{cursor:pointer;color:#2271b1}.closte-native .column-cb{width:2.2em}'
        // WordPress's button-link-delete red (#b32d2e) on the page's grey is 4.4:1; AA needs 4.5:1.
        . '.closte-native .closte-native-remove-unclaimed .button-link-delete{color:#8a2424}';

    public function render(): void
    {
        if (!current_user_can(Closte_Native_Requirements::CAPABILITY)) {
            wp_die(esc_html__('Sorry, you are not allowed to manage Closte domain aliases.', 'closte-native'), 403);
        }
        echo '<div class="wrap closte-native"><h1>' . esc_html__('Closte', 'closte-native') . '</h1>';
        $missing = Closte_Native_Requirements::missing();
        if ($missing !== null) {
            printf('<div class="notice notice-error closte-native-missing"><p><strong>%s</strong> %s</p><p>%s</p></div></div>',
                esc_html__('Closte (native) is inactive:', 'closte-native'), esc_html($missing),
                esc_html__('Until then this console cannot show or change Closte\'s domain aliases; domain mapping falls back to Ultimate Multisite\'s own Closte integration.', 'closte-native'));
            return;
        }
        echo '<style>' . self::CSS . '</style>';
        $this->table->install();
        $run = Closte_Native_Refresh::run();
        // Result notices are announced (a live region), then kept on the page.
        echo '<div class="closte-native-notices" role="status" aria-live="polite">';
        $notice = get_site_transient('closte_native_notice_' . get_current_user_id());
        if (is_array($notice)) {
            delete_site_transient('closte_native_notice_' . get_current_user_id());
            printf('<div class="notice notice-%s closte-native-result"><p>%s</p></div>', esc_attr($notice['type']), esc_html($notice['message']));
        }
        echo '</div>';
        $what = [
            'closte' => __("Closte's alias list could not be read:", 'closte-native'),
        ];
        foreach ($run['errors'] ?? [] as $key => $error) {
            printf('<div class="notice notice-warning closte-native-error" data-what="%s"><p>%s</p></div>', esc_attr($key), esc_html(($what[$key] ?? "$key:") . ' ' . $error));
        }
        $progress = $this->refresh->progress();
        printf('<p class="closte-native-checked" id="closte-native-progress" data-state="%s" role="status" aria-live="polite">%s</p>', esc_attr($progress['state']), esc_html($progress['text']));
        if (in_array($progress['state'], ['queued', 'planning', 'running'], true)) {
            // Without JavaScript: a link that reloads the page; with it, the page polls.
            printf('<p class="closte-native-reload"><a href="%s">%s</a></p>', esc_url(Closte_Native_Console::url()), esc_html__('Reload to see the progress', 'closte-native'));
            $poll = add_query_arg(['action' => Closte_Native_Console::PROGRESS_ACTION, '_wpnonce' => wp_create_nonce(Closte_Native_Console::PROGRESS_ACTION)], admin_url('admin-ajax.php'));
            printf('<script>(function(){var u=%s,p=document.getElementById("closte-native-progress");function t(){fetch(u,{credentials:"same-origin"}).then(function(r){return r.json()}).then(function(j){if(!j||!j.success){return}p.textContent=j.data.text;p.dataset.state=j.data.state;if(j.data.state==="done"||j.data.state==="failed"){location.reload()}else{setTimeout(t,1500)}}).catch(function(){setTimeout(t,5000)})}setTimeout(t,1000)})();</script>',
                wp_json_encode($poll));
        }
        $since = $run !== null && !empty($run['planned']) ? $this->table->mapped_since_refresh((int) floor($run['id'] / 1000), 5) : ['count' => 0];
        if ($since['count'] > 0) {
            // The table is the last refresh's: a domain mapped since is not in it yet.
            /* translators: 1: how many domains, 2: some of them, separated by commas */
            printf('<div class="notice notice-info closte-native-stale"><p>%s</p></div>', esc_html(sprintf(_n('%1$d domain was mapped since the last refresh and is not in this table yet (%2$s): press Refresh to check it.',
                '%1$d domains were mapped since the last refresh and are not in this table yet (%2$s): press Refresh to check them.', $since['count'], 'closte-native'),
                $since['count'], implode(', ', $since['names']) . ($since['count'] > count($since['names']) ? ', …' : ''))));
        }
        echo '<p>' . self::button('refresh', __('Refresh', 'closte-native'))
            . ' ' . self::button('sync', __('Sync now (add missing aliases)', 'closte-native'), [], 'button button-primary') . '</p>';

        self::render_watcher();

        $alerts = Closte_Native_Reconcile::alerts(20);
        if ($alerts && $alerts['items']) {
            echo '<h2>' . esc_html__('Certificates that need attention', 'closte-native') . '</h2><ul class="closte-native-alerts">';
            foreach (array_slice($alerts['items'], 0, 20, true) as $name => $a) {
                printf('<li><strong>%s</strong>: %s (%s)</li>', esc_html($a['shown'] ?? $name), esc_html($a['error']), esc_html($a['reason']));
            }
            if ($alerts['count'] > 20) {
                /* translators: %d: alerts not listed */
                printf('<li>%s</li>', esc_html(sprintf(__('and %d more: see the views below.', 'closte-native'), $alerts['count'] - 20)));
            }
            /* translators: %s: the date and time of the check */
            $from = ($alerts['source'] ?? '') === 'refresh' ? __('From the last Refresh, %s UTC.', 'closte-native') : __('From the daily reconcile, %s UTC.', 'closte-native');
            printf('</ul><p class="description">%s</p>', esc_html(sprintf($from, gmdate('Y-m-d H:i', $alerts['checked_at']))));
        }

        require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
        require_once __DIR__ . '/class-closte-native-console-table.php';
        $list = new Closte_Native_Console_Table($this->table);
        $list->prepare_items();
        $q = Closte_Native_Console::query();
        $list->views();
        // Search: a GET form on the page itself.
        echo '<form method="get" class="closte-native-search" role="search">';
        $base = wp_parse_url(Closte_Native_Console::url());
        parse_str($base['query'] ?? '', $keep);
        foreach ($keep + ['view' => $q['view'] === 'all' ? '' : $q['view']] as $k => $v) {
            if ($v !== '') {
                echo '<input type="hidden" name="' . esc_attr($k) . '" value="' . esc_attr($v) . '">';
            }
        }
        $list->search_box(__('Search domains and sites', 'closte-native'), 'closte-native-search');
        echo '</form>';
        // The table in one POST form: bulk actions and each row's Retry (admin-post.php).
        // WP_List_Table prints a _wpnonce of its own (bulk-names); ours comes after it, so it is the one posted.
        echo '<form method="post" action="' . esc_url(admin_url('admin-post.php')) . '" class="closte-native-table">'
            . '<input type="hidden" name="action" value="closte_native_bulk">';
        // Where the admin is (view, search, sort, page): a bulk action comes back to it.
        foreach (Closte_Native_Console::view_args() as $k => $v) {
            echo '<input type="hidden" name="closte_' . esc_attr($k) . '" value="' . esc_attr((string) $v) . '">';
        }
        $list->display();
        echo wp_nonce_field('closte_native_bulk', '_wpnonce', true, false) . '</form>';
        echo '<p>' . self::button('export', __('Export this view as CSV', 'closte-native'), array_filter(['view' => $q['view'], 's' => $q['s'], 'orderby' => $q['orderby'], 'order' => $q['order']], 'strlen')) . '</p>';

        echo '<h2>' . esc_html__('Aliases on Closte that no mapped domain claims', 'closte-native') . '</h2>';
        if ($run === null || empty($run['planned'])) {
            echo '<p class="closte-native-unclaimed-unknown">' . esc_html__('unknown: not checked yet. Press Refresh.', 'closte-native') . '</p>';
        } elseif ($run['unclaimed'] === null) {
            /* translators: %s: why Closte's list could not be read */
            echo '<p class="closte-native-unclaimed-unknown">' . esc_html(sprintf(__('unknown: %s', 'closte-native'), $run['errors']['closte'] ?? __('the list could not be read', 'closte-native'))) . '</p>';
        } else {
            $this->render_unclaimed($run['unclaimed'], (int) $run['unclaimed_count']);
        }
        echo '</div>';
    }

    /** The aliases no mapped name claims (compared canonical, at the last refresh or action), and the confirmed removal. */
    private function render_unclaimed(array $unclaimed, int $count): void
    {
        if ($unclaimed === []) {
            echo '<p class="closte-native-unclaimed-none">' . esc_html__('None.', 'closte-native') . '</p>';
            return;
        }
        echo '<ul class="closte-native-unclaimed">';
        foreach (array_slice($unclaimed, 0, 100) as $name) {
            echo '<li>' . esc_html($name) . '</li>';
        }
        echo '</ul>';
        if ($count > 100) {
            /* translators: %d: aliases not listed */
            echo '<p>' . esc_html(sprintf(__('and %d more.', 'closte-native'), $count - 100)) . '</p>';
        }
        // The removal the action would refuse is not offered (the same rule, Closte_Native_Actions).
        $refused = Closte_Native_Actions::removal_refused(['claimed' => $this->table->count('all'), 'blocked' => $this->table->invalid()], true);
        if ($refused !== null) {
            echo '<p class="closte-native-removal-blocked">' . esc_html($refused) . '</p>';
            return;
        }
        // The names confirmed are the names shown (the run keeps the first UNCLAIMED_KEPT): the
        // removal takes no other, even one that turned up on Closte after the page was drawn.
        $confirm = count($unclaimed) < $count
            /* translators: 1: aliases listed, 2: unclaimed aliases in all */
            ? sprintf(__('Yes, remove the first %1$d of these %2$d aliases from Closte', 'closte-native'), count($unclaimed), $count)
            /* translators: %d: unclaimed aliases */
            : sprintf(_n('Yes, remove this %d alias from Closte', 'Yes, remove these %d aliases from Closte', $count, 'closte-native'), $count);
        echo '<form method="post" action="' . esc_url(admin_url('admin-post.php')) . '" class="closte-native-remove-unclaimed">'
            . '<input type="hidden" name="action" value="closte_native_remove_unclaimed">'
            . '<input type="hidden" name="names" value="' . esc_attr(implode("\n", $unclaimed)) . '">'
            . wp_nonce_field('closte_native_remove_unclaimed', '_wpnonce', true, false)
            . '<label><input type="checkbox" name="confirm" value="remove"> '
            . esc_html($confirm)
            . '</label> <button type="submit" class="button button-link-delete">' . esc_html__('Remove unclaimed aliases', 'closte-native') . '</button></form>';
    }
}
