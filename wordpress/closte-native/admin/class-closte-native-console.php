<?php
/**
 * The network-admin page "Closte": every mapped domain's alias, DNS and certificate at a
 * glance, from the status table (Closte_Native_Status_Table), with Refresh, Sync now, Retry and
 * an explicitly confirmed removal of aliases no domain claims. Every name is compared in
 * its canonical form (Closte_Native_Name). Every action is a POST to admin-post.php (any
 * other method is refused) with a nonce and the bridge's capability (Closte_Native_Requirements::CAPABILITY),
 * answered by a redirect back to the page and an admin notice with counts. The console's
 * calls use a short timeout of their own (Closte_Native_Status::timeout()). Without the extension or the key the
 * page exists and says what is missing.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Console
{
    const SLUG = 'closte-native';
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
        $hook = add_submenu_page(self::parent(), __('Closte', 'closte-native'), __('Closte', 'closte-native'), Closte_Native_Requirements::CAPABILITY, self::SLUG, [$this, 'render']);
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
        if (!current_user_can(Closte_Native_Requirements::CAPABILITY)) {
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
    public static function view_args(string $prefix = ''): array
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
        if (!current_user_can(Closte_Native_Requirements::CAPABILITY) || !check_ajax_referer(self::PROGRESS_ACTION, '_wpnonce', false)) {
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

    /** The console's page (Closte_Native_Console_Page). */
    public function render(): void
    {
        (new Closte_Native_Console_Page($this->table, $this->refresh))->render();
    }
}
