<?php
/**
 * The network-admin page "Closte": every mapped domain's alias, DNS and certificate at a
 * glance, from the last snapshot (Closte_Native_Status), with Refresh, Sync now, Retry and
 * an explicitly confirmed removal of aliases no domain claims. Every name is compared in
 * its canonical form (Closte_Native_Name). Every action is a POST to admin-post.php (any
 * other method is refused) with a nonce and the manage_network_options capability,
 * answered by a redirect back to the page and an admin notice with counts. The console's
 * calls use a short timeout of their own (Closte_Native_Status::timeout()). Without the extension or the key the
 * page exists and says what is missing.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Console
{
    const SLUG = 'closte-native';
    const CAPABILITY = 'manage_network_options';
    const ACTIONS = ['refresh', 'sync', 'remove_unclaimed', 'retry', 'bulk', 'export'];
    /** The progress endpoint: admin-ajax.php?action=closte_native_progress (authenticated, nonce). */
    const PROGRESS_ACTION = 'closte_native_progress';
    /** Names per page by default, and the screen option's name. */
    const PER_PAGE = 50;
    const PER_PAGE_OPTION = 'closte_native_per_page';
    /**
     * Sync now adds at most this many names in the admin's request (one add_domains() batch,
     * about a second and a half at 20 ms RTT); more go to a background run with adds, chunk
     * by chunk, as the reconcile's (filter closte_native_sync_inline).
     */
    const SYNC_INLINE = 500;

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

    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var Closte_Native_Refresh */
    private $refresh;

    public function __construct(?Closte_Native_Status_Table $table = null, ?Closte_Native_Refresh $refresh = null)
    {
        $this->table = $table ?? new Closte_Native_Status_Table();
        $this->refresh = $refresh ?? new Closte_Native_Refresh($this->table);
    }

    public function menu(): void
    {
        $hook = add_submenu_page(self::parent(), __('Closte', 'closte-native'), __('Closte', 'closte-native'), self::CAPABILITY, self::SLUG, [$this, 'render']);
        if ($hook) {
            add_action("load-$hook", function () {
                add_screen_option('per_page', ['label' => __('Names per page', 'closte-native'), 'default' => Closte_Native_Console::PER_PAGE,
                    'option' => Closte_Native_Console::PER_PAGE_OPTION]);
            });
        }
    }

    /** The screen option "Names per page" is kept (1–999). */
    public static function save_per_page($keep, $option, $value)
    {
        return $option === Closte_Native_Console::PER_PAGE_OPTION ? max(1, min(999, (int) $value)) : $keep;
    }

    /** How many missing names Sync now adds in its own request (SYNC_INLINE; filter closte_native_sync_inline, >= 0). */
    public static function sync_inline(): int
    {
        /**
         * Filters how many missing names Sync now adds in the admin's own request; with more,
         * Sync runs as a background refresh that adds (0: always in the background).
         *
         * @since 0.4.0
         *
         * @param int $names Default SYNC_INLINE.
         *
         * Example: always in the background.
         *
         *     add_filter('closte_native_sync_inline', fn () => 0);
         */
        $n = apply_filters('closte_native_sync_inline', self::SYNC_INLINE);
        return is_numeric($n) && $n >= 0 ? (int) $n : self::SYNC_INLINE;
    }

    /** Options for the console's API calls. */
    public static function call_options(): array
    {
        return ['timeout' => Closte_Native_Status::timeout()];
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
        $missing = Closte_Native_Requirements::missing();
        if ($missing !== null) {
            /* translators: %s: what is missing (the extension, or the key) */
            $this->done('error', sprintf(__('Nothing done: %s', 'closte-native'), $missing));
        }
    }

    /**
     * Keeps the notice for the next page view and goes back to the console: to the view,
     * search, sort and page the action was posted from (a bulk action), else its first page.
     */
    private function done(string $type, string $message): void
    {
        set_site_transient('closte_native_notice_' . get_current_user_id(), ['type' => $type, 'message' => $message], 300);
        wp_safe_redirect(add_query_arg(array_map('rawurlencode', self::view_args('closte_')), self::url()));
        exit;
    }

    /**
     * The view, search, sort and page of the request (validated by query(); defaults left
     * out), read from `$prefix`-named fields: '' for the page's own query, 'closte_' for
     * the hidden fields a form posts them back in.
     */
    private static function view_args(string $prefix = ''): array
    {
        $saved = $_REQUEST;
        if ($prefix !== '') {
            $_REQUEST = [];
            foreach (['view', 's', 'orderby', 'order', 'paged'] as $k) {
                if (isset($saved[$prefix . $k])) {
                    $_REQUEST[$k] = $saved[$prefix . $k];
                }
            }
        }
        $q = self::query();
        $paged = max(1, (int) ($_REQUEST['paged'] ?? 1));
        $_REQUEST = $saved;
        $args = ['view' => $q['view'] === 'all' ? '' : $q['view'], 's' => $q['s'], 'orderby' => $q['orderby'] === 'name' ? '' : $q['orderby'],
            'order' => $q['order'] === 'asc' ? '' : $q['order'], 'paged' => $paged > 1 ? $paged : ''];
        return array_filter($args, fn ($v) => $v !== '' && $v !== null);
    }

    /** Refresh: enqueued, not run here. The page then shows its progress. */
    public function do_refresh(): void
    {
        $this->guard('refresh');
        try {
            Closte_Native_Refresh::start('console');
        } catch (RuntimeException $e) {
            // The database refused the run's row (a table missing, a lost connection): said, not a PHP error page.
            $this->done('error', __('Refresh not queued:', 'closte-native') . ' ' . $e->getMessage());
        }
        $this->done('info', __('Refresh queued: every name is checked in chunks by the background queue; this page shows the progress.', 'closte-native'));
    }

    /**
     * The progress endpoint the page polls: JSON {state, text, checked, total, runners}.
     * Network admins with a valid nonce only (403 otherwise). It also sweeps the run, so a
     * chunk whose worker died is enqueued again while an admin watches.
     */
    public function progress(): void
    {
        if (!current_user_can(self::CAPABILITY) || !check_ajax_referer(self::PROGRESS_ACTION, '_wpnonce', false)) {
            wp_die(esc_html__('Sorry, you are not allowed to manage Closte domain aliases.', 'closte-native'), 403);
        }
        $run = Closte_Native_Refresh::run();
        if ($run !== null && empty($run['finished_at'])) {
            $this->refresh->sweep((int) $run['id']);
        }
        wp_send_json_success($this->refresh->progress());
    }

    /**
     * Bulk actions on the names ticked (at most one chunk of them): Retry re-sends each
     * one's domain record (the domain and its twin), Re-check now makes one DNS and one
     * certificate batch and writes the rows. A row's own Retry button posts retry_one.
     */
    public function do_bulk(): void
    {
        $this->guard('bulk');
        $one = sanitize_text_field(wp_unslash((string) ($_POST['retry_one'] ?? '')));
        $op = $one !== '' ? 'retry' : sanitize_key((string) ($_POST['bulk'] ?? '') ?: (string) ($_POST['bulk2'] ?? ''));
        $names = $one !== '' ? [$one] : array_map(fn ($n) => sanitize_text_field(wp_unslash((string) $n)), (array) ($_POST['names'] ?? []));
        $names = array_slice(array_values(array_unique(array_filter($names, 'strlen'))), 0, Closte_Native_Refresh::chunk_size());
        if (!in_array($op, ['retry', 'recheck'], true) || $names === []) {
            $this->done('error', __('Nothing done: choose a bulk action and tick at least one name.', 'closte-native'));
        }
        $rows = $this->table->rows_named(array_map([Closte_Native_Name::class, 'key'], $names));
        if ($rows === []) {
            /* translators: %s: names, separated by commas */
            $this->done('error', sprintf(__('%s: not a mapped name. Nothing was sent.', 'closte-native'), implode(', ', $names)));
        }
        if ($op === 'recheck') {
            $valid = array_column(array_filter($rows, fn ($r) => $r['invalid'] === null), 'name');
            $errors = $this->refresh->check($valid, (int) (Closte_Native_Refresh::run()['id'] ?? 0));
            /* translators: %d: names checked */
            $this->done($errors ? 'warning' : 'success', sprintf(_n('Re-checked %d name: DNS and certificate.', 'Re-checked %d names: DNS and certificate.', count($valid), 'closte-native'), count($valid))
                . ($errors ? ' ' . implode(' ', $errors) : ''));
        }
        $domains = [];
        foreach ($rows as $r) {
            $domains[$r['domain']] = ['domain' => $r['domain'], 'invalid' => $r['invalid']];
        }
        $r = (new Closte_Native_Actions())->retry(array_values($domains), self::call_options());
        $this->done($r['type'], $r['message']);
    }

    /**
     * CSV of the current view (its search and sort), written in pages of 1,000 rows (one
     * query each), never all rows in memory. POST, like every action.
     */
    public function do_export(): void
    {
        $this->guard('export');
        $q = self::query();
        nocache_headers();
        header('Content-Type: text/csv; charset=utf-8');
        header('Content-Disposition: attachment; filename="closte-' . $q['view'] . '-' . gmdate('Ymd-His') . '.csv"');
        $out = fopen('php://output', 'w');
        $this->export($out, $q);
        fclose($out);
        exit;
    }

    /** The request's view, search, sort (validated against the lists; anything else: the defaults). */
    public static function query(): array
    {
        $view = sanitize_key((string) ($_REQUEST['view'] ?? 'all'));
        $orderby = sanitize_key((string) ($_REQUEST['orderby'] ?? 'name'));
        return [
            'view' => isset(Closte_Native_Status_Table::VIEWS[$view]) ? $view : 'all',
            's' => trim(sanitize_text_field(wp_unslash((string) ($_REQUEST['s'] ?? '')))),
            'orderby' => isset(Closte_Native_Status_Table::SORTS[$orderby]) ? $orderby : 'name',
            'order' => strtolower((string) ($_REQUEST['order'] ?? '')) === 'desc' ? 'desc' : 'asc',
        ];
    }

    /** The CSV columns, in order. */
    const CSV_COLUMNS = ['name', 'domain', 'is_twin', 'site_id', 'site', 'stage', 'on_closte', 'dns_ok', 'dns_reason', 'dns_error', 'dns_points', 'dns_checked_at',
        'cert_valid', 'cert_reason', 'cert_error', 'cert_subject', 'cert_issuer', 'cert_expires', 'cert_days', 'cert_checked_at', 'invalid', 'last_error', 'add_error'];

    /** Writes the view `$q` (view, s, orderby, order) as CSV to `$out`; returns the rows written. */
    public function export($out, array $q): int
    {
        fputcsv($out, self::CSV_COLUMNS);
        $n = 0;
        for ($page = 1;; $page++) {
            [$rows] = $this->table->page($q['view'], $q['s'], $q['orderby'], $q['order'], 1000, $page);
            foreach ($rows as $r) {
                // A cell starting with = + - @ would be a formula in a spreadsheet.
                fputcsv($out, array_map(fn ($c) => $r[$c] !== null && preg_match('/^[=+\-@]/', (string) $r[$c]) ? "'" . $r[$c] : $r[$c], self::CSV_COLUMNS));
                $n++;
            }
            if (count($rows) < 1000) {
                return $n;
            }
        }
    }

    public function do_sync(): void
    {
        $this->guard('sync');
        $r = (new Closte_Native_Actions())->sync(self::call_options(), 'console sync', self::sync_inline());
        $this->done($r['type'], $r['message']);
    }

    /**
     * Removes the unclaimed aliases the admin was shown and confirmed (the form posts them),
     * and of those only the ones that are still unclaimed: a walk over every record that
     * provably read them all (any page error: nothing is removed), then the ledger decides
     * each name again under its lock as it is sent. Protected names are never removed.
     */
    public function do_remove_unclaimed(): void
    {
        $this->guard('remove_unclaimed');
        if (($_POST['confirm'] ?? '') !== 'remove') {
            $this->done('error', __('Nothing removed: tick the confirmation box to remove unclaimed aliases.', 'closte-native'));
        }
        $shown = array_values(array_unique(array_filter(array_map(fn ($n) => Closte_Native_Name::key(trim((string) $n)),
            explode("\n", sanitize_textarea_field(wp_unslash((string) ($_POST['names'] ?? ''))))), 'strlen')));
        $r = (new Closte_Native_Actions())->remove_confirmed($shown, self::call_options(), 'console');
        $this->done($r['type'], $r['message']);
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
        foreach ($this->table->rows_named([$key]) as $r) {
            $row = ['domain' => $r['domain'], 'invalid' => $r['invalid']];
        }
        $row ??= (new Closte_Native_Inventory())->find([$posted])[0] ?? null;
        if ($row === null) {
            /* translators: %s: the name given */
            $this->done('error', sprintf(__('%s is not a mapped domain.', 'closte-native'), $posted));
        }
        $r = (new Closte_Native_Actions())->retry([$row], self::call_options());
        $this->done($r['type'], $r['message']);
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

    /**
     * Under the stage: what a waiting domain waits for and the watcher's last verdict and
     * time (and a failed domain's revival), or nothing for a domain that waits for nothing.
     */
    public static function watch_cell(array $d, ?array $w): string
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
        $state = Closte_Native_Watcher::state();
        $next = Closte_Native_Watcher::scheduled();
        $tick = $state['last_tick'];
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
        . '.closte-native details summary{cursor:pointer;color:#2271b1}.closte-native .column-cb{width:2.2em}';

    public function render(): void
    {
        if (!current_user_can(self::CAPABILITY)) {
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
            printf('<p class="closte-native-reload"><a href="%s">%s</a></p>', esc_url(self::url()), esc_html__('Reload to see the progress', 'closte-native'));
            $poll = add_query_arg(['action' => self::PROGRESS_ACTION, '_wpnonce' => wp_create_nonce(self::PROGRESS_ACTION)], admin_url('admin-ajax.php'));
            printf('<script>(function(){var u=%s,p=document.getElementById("closte-native-progress");function t(){fetch(u,{credentials:"same-origin"}).then(function(r){return r.json()}).then(function(j){if(!j||!j.success){return}p.textContent=j.data.text;p.dataset.state=j.data.state;if(j.data.state==="done"||j.data.state==="failed"){location.reload()}else{setTimeout(t,1500)}}).catch(function(){setTimeout(t,5000)})}setTimeout(t,1000)})();</script>',
                wp_json_encode($poll));
        }
        echo '<p>' . self::button('refresh', __('Refresh', 'closte-native'))
            . ' ' . self::button('sync', __('Sync now (add missing aliases)', 'closte-native'), [], 'button button-primary') . '</p>';

        self::render_watcher();

        $alerts = Closte_Native_Reconcile::alerts();
        if ($alerts && $alerts['items']) {
            echo '<h2>' . esc_html__('Certificates that need attention', 'closte-native') . '</h2><ul class="closte-native-alerts">';
            foreach (array_slice($alerts['items'], 0, 20, true) as $name => $a) {
                printf('<li><strong>%s</strong>: %s (%s)</li>', esc_html($a['shown'] ?? $name), esc_html($a['error']), esc_html($a['reason']));
            }
            if (count($alerts['items']) > 20) {
                /* translators: %d: alerts not listed */
                printf('<li>%s</li>', esc_html(sprintf(__('and %d more: see the views below.', 'closte-native'), count($alerts['items']) - 20)));
            }
            /* translators: %s: the date and time of the check */
            $from = ($alerts['source'] ?? '') === 'refresh' ? __('From the last Refresh, %s UTC.', 'closte-native') : __('From the daily reconcile, %s UTC.', 'closte-native');
            printf('</ul><p class="description">%s</p>', esc_html(sprintf($from, gmdate('Y-m-d H:i', $alerts['checked_at']))));
        }

        require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
        require_once __DIR__ . '/class-closte-native-console-table.php';
        $list = new Closte_Native_Console_Table($this->table);
        $list->prepare_items();
        $q = self::query();
        $list->views();
        // Search: a GET form on the page itself.
        echo '<form method="get" class="closte-native-search" role="search">';
        $base = wp_parse_url(self::url());
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
        foreach (self::view_args() as $k => $v) {
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
        $invalid = $this->table->invalid();
        if ($invalid !== []) {
            echo '<p class="closte-native-removal-blocked">' . esc_html(Closte_Native_Actions::blocked($invalid)) . '</p>';
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
