<?php
/**
 * The console's table on WP_List_Table: one row per name (a domain, its www. twin on its
 * own row), one page of one view per request straight from the status table (one indexed
 * query with LIMIT, and a count), sortable on indexed columns, searchable by domain or
 * site, views with counts, bulk Retry and Re-check now. Each cell is rendered by its
 * column_*() method, escaped there; a state is a badge (colour and a word). Loaded only on
 * the console page, after wp-admin/includes/class-wp-list-table.php.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Console_Table extends WP_List_Table
{

    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var array<string, array> the retries in flight of this page's names (Closte_Native_Wanted) */
    private $inflight = [];
    /** @var array the watcher's entries of this page's domains (Closte_Native_Watched) */
    private $watched = [];
    /** @var array<string, int> */
    private $counts = [];
    /** @var array|null the current run (Closte_Native_Refresh::run()), read once per page */
    private $run;

    public function __construct(Closte_Native_Status_Table $table)
    {
        parent::__construct(['singular' => 'name', 'plural' => 'names', 'ajax' => false, 'screen' => 'closte-native']);
        $this->table = $table;
    }

    /** The request's view, search and sort (Closte_Native_Console::query()). */
    public static function query(): array
    {
        return Closte_Native_Console::query();
    }

    public function get_columns()
    {
        return [
            'cb' => '<input type="checkbox">',
            'name' => __('Domain', 'closte-native'),
            'site' => __('Site', 'closte-native'),
            'stage' => __('Stage', 'closte-native'),
            'closte' => __('On Closte', 'closte-native'),
            'dns' => __('DNS', 'closte-native'),
            'certificate' => __('Certificate', 'closte-native'),
        ];
    }

    protected function get_sortable_columns()
    {
        return ['name' => ['name', false], 'site' => ['site', false], 'stage' => ['stage', false], 'certificate' => ['expires', false]];
    }

    protected function get_default_primary_column_name()
    {
        return 'name';
    }

    public function prepare_items()
    {
        $q = self::query();
        $per_page = $this->get_items_per_page(Closte_Native_Console::PER_PAGE_OPTION, Closte_Native_Console::PER_PAGE);
        [$this->items, $total] = $this->table->page($q['view'], $q['s'], $q['orderby'], $q['order'], $per_page, $this->get_pagenum());
        // What is in flight and what the watcher saw, for this page's names only (one query each).
        $names = array_column($this->items, 'name');
        try {
            $this->inflight = (new Closte_Native_Wanted($this->table))->for_names($names);
        } catch (Closte_Native_Walk_Error $e) {
            $this->inflight = []; // a failed read hides only the "Retry pending" badges: the rows show what the table holds
        }
        $this->watched = (new Closte_Native_Watched($this->table))->for_names($names);
        $this->counts = $this->table->counts();
        $this->run = Closte_Native_Refresh::run();
        $this->set_pagination_args(['total_items' => $total, 'per_page' => $per_page]);
        $this->_column_headers = [$this->get_columns(), [], $this->get_sortable_columns(), 'name'];
    }

    protected function get_views()
    {
        if (($this->counts['all'] ?? 0) === 0 && empty($this->run['planned'])) {
            return []; // nothing read yet: "All (0)" would say the network has no domain (no_items() says why the table is empty)
        }
        $q = self::query();
        $out = [];
        foreach (Closte_Native_Status_Table::VIEWS as $key => [$label]) {
            $url = add_query_arg(['view' => $key === 'all' ? false : $key, 'paged' => false, 's' => $q['s'] === '' ? false : $q['s']], Closte_Native_Console::url());
            $current = $q['view'] === $key;
            $out[$key] = sprintf('<a href="%s" class="%s"%s>%s <span class="count">(%s)</span></a>', esc_url($url), $current ? 'current' : '',
                $current ? ' aria-current="page"' : '', esc_html__($label, 'closte-native'), esc_html(number_format_i18n($this->counts[$key] ?? 0)));
        }
        return $out;
    }

    protected function get_bulk_actions()
    {
        return ['retry' => __('Retry (send to Closte again)', 'closte-native'), 'recheck' => __('Re-check now (DNS and certificate)', 'closte-native')];
    }

    /** The bulk select is named "bulk": the form's "action" is admin-post.php's. */
    protected function bulk_actions($which = '')
    {
        $id = $which === 'top' ? 'closte-bulk-top' : 'closte-bulk-bottom';
        echo '<label for="' . esc_attr($id) . '" class="screen-reader-text">' . esc_html__('Bulk action', 'closte-native') . '</label>';
        echo '<select name="bulk' . ($which === 'top' ? '' : '2') . '" id="' . esc_attr($id) . '"><option value="">' . esc_html__('Bulk actions', 'closte-native') . '</option>';
        foreach ($this->get_bulk_actions() as $k => $label) {
            echo '<option value="' . esc_attr($k) . '">' . esc_html($label) . '</option>';
        }
        echo '</select> <button type="submit" class="button action" name="apply" value="' . esc_attr($which) . '">'
            . esc_html($which === 'top' ? __('Apply to the selected names', 'closte-native') : __('Apply to the selected names (below)', 'closte-native')) . '</button>';
    }

    /** The table, with a caption. */
    public function display()
    {
        $this->display_tablenav('top');
        echo '<table class="wp-list-table ' . esc_attr(implode(' ', $this->get_table_classes())) . '">';
        echo '<caption class="screen-reader-text">' . esc_html__('Mapped domains and their www. twins: on Closte, DNS and certificate', 'closte-native') . '</caption>';
        echo '<thead><tr>';
        $this->print_column_headers();
        echo '</tr></thead><tbody id="the-list">';
        $this->display_rows_or_placeholder();
        echo '</tbody></table>';
        $this->display_tablenav('bottom');
    }

    public function no_items()
    {
        if ($this->run === null) {
            esc_html_e('Nothing checked yet: press Refresh.', 'closte-native');
        } elseif (empty($this->run['planned']) && ($this->counts['all'] ?? 0) === 0) {
            // The first refresh has not read the records yet: the table is empty, not the network.
            esc_html_e('Not read yet: the names appear here once a queue runner has read the domain records (see the line above the buttons).', 'closte-native');
        } else {
            esc_html_e('No names in this view.', 'closte-native');
        }
    }

    /** The row's name (and its domain record) as attributes, so a row can be found by name. */
    public function single_row($item)
    {
        printf('<tr data-name="%s" data-domain="%s" class="%s">', esc_attr($item['name']), esc_attr($item['domain']), $item['is_twin'] ? 'closte-twin' : '');
        $this->single_row_columns($item);
        echo '</tr>';
    }

    /** A state: a coloured badge with a word (ok, error, warning, none). */
    public static function badge(string $tone, string $word): string
    {
        return '<span class="closte-badge closte-badge-' . esc_attr($tone) . '">' . esc_html($word) . '</span>';
    }

    protected function column_cb($item)
    {
        if ($item['invalid'] !== null) {
            return '';
        }
        return sprintf('<input type="checkbox" name="names[]" value="%1$s" id="cb-%2$s"><label for="cb-%2$s" class="screen-reader-text">%3$s</label>',
            /* translators: %s: a name */
            esc_attr($item['name']), esc_attr(md5($item['name'])), esc_html(sprintf(__('Select %s', 'closte-native'), $item['name'])));
    }

    protected function column_name($item)
    {
        if ($item['is_twin']) {
            return '<span class="closte-name">' . esc_html($item['name']) . '</span> <span class="closte-twin-of">'
                /* translators: %s: the domain this www. name belongs to */
                . esc_html(sprintf(__('(www. twin of %s)', 'closte-native'), $item['domain'])) . '</span>';
        }
        $html = '<strong class="closte-name">' . esc_html($item['domain']) . '</strong>';
        if ($item['invalid'] === null && $item['name'] !== $item['domain']) {
            $html .= ' <span class="closte-canonical">(' . esc_html($item['name']) . ')</span>';
        }
        if ($item['invalid'] !== null) {
            /* translators: %s: why the extension refuses the name */
            $html .= ' <em class="closte-invalid">' . esc_html(sprintf(__('(not a valid domain name: %s)', 'closte-native'), $item['invalid'])) . '</em>';
        }
        if (!$item['wanted']) {
            $html .= ' <em>' . esc_html__('(site archived or deleted)', 'closte-native') . '</em>';
        }
        return $html;
    }

    protected function column_site($item)
    {
        return '<a href="' . esc_url(network_admin_url('site-info.php?id=' . (int) $item['site_id'])) . '">' . esc_html($item['site']) . '</a>';
    }

    protected function column_stage($item)
    {
        $label = $item['stage_label'] !== '' ? $item['stage_label'] : ($item['stage'] !== '' ? $item['stage'] : '—');
        if ($item['is_twin']) {
            return '<span class="closte-stage">' . esc_html($label) . '</span>';
        }
        $d = ['stage' => $item['stage'], 'invalid' => $item['invalid']];
        return '<span class="closte-stage">' . esc_html($label) . '</span>' . Closte_Native_Console_Page::watch_cell($d, $this->watched[$item['name']] ?? null);
    }

    protected function column_closte($item)
    {
        $wanted = $this->inflight[$item['name']] ?? null;
        $state = Closte_Native_Row_State::closte($item, $wanted);
        if ($state === 'invalid') {
            return self::badge('error', __('Not sent', 'closte-native')) . ' <span class="closte-detail">' . esc_html__('not a valid domain name: nothing is sent', 'closte-native') . '</span>';
        }
        $retry = false;
        if ($state === 'retry') {
            $html = self::badge('warning', __('Retry pending', 'closte-native')) . ' <span class="closte-detail">'
                /* translators: 1: the attempt scheduled, 2: the attempts in all */
                . esc_html(sprintf(__('attempt %1$d of %2$d', 'closte-native'), $wanted['attempt'], Closte_Native_Events::MAX_ATTEMPTS)) . '</span>';
            $retry = true;
        } elseif ($state === 'unknown') {
            $html = self::badge('none', __('Unknown', 'closte-native'));
        } elseif ($state === 'yes') {
            $html = self::badge('ok', __('Yes', 'closte-native'));
        } else {
            $html = self::badge('error', __('Missing', 'closte-native'));
            if (($item['add_error'] ?? null) !== null) {
                // The reconcile tried and Closte refused or failed: why, in Closte's words.
                /* translators: %s: Closte's answer */
                $html .= ' <span class="closte-detail">' . esc_html(sprintf(__('the reconcile or a background sync could not add it: %s', 'closte-native'), $item['add_error'])) . '</span>';
            }
            $retry = true;
        }
        if ($retry && $item['wanted']) {
            // A button of the table's form (nested forms are not HTML): admin-post.php's
            // action closte_native_bulk, this one name.
            $html .= ' <button type="submit" class="button button-small closte-native-retry-one" name="retry_one" value="' . esc_attr($item['name']) . '">'
                . '<span aria-hidden="true">' . esc_html__('Retry', 'closte-native') . '</span><span class="screen-reader-text">'
                /* translators: %s: a domain */
                . esc_html(sprintf(__('Retry %s', 'closte-native'), $item['name'])) . '</span></button>';
        }
        return $html;
    }

    protected function column_dns($item)
    {
        $state = Closte_Native_Row_State::dns($item);
        if ($state === 'unchecked') {
            return self::badge('none', __('Not checked', 'closte-native')) . self::last_verdict($item, 'dns', $item['dns_reason'] === null ? null
                : ($item['dns_reason'] === '' ? trim(__('OK', 'closte-native') . ' ' . (string) $item['dns_points']) : (string) $item['dns_reason']));
        }
        if ($state === 'ok') {
            return self::badge('ok', __('OK', 'closte-native')) . ' <span class="closte-detail">' . esc_html((string) $item['dns_points']) . '</span>';
        }
        // The reasons no certificate can be issued under get their words and next step here.
        $next = in_array($item['dns_reason'], Closte_Native_Dns_Stage::BLOCKS_CERTIFICATE, true) ? Closte_Native_Dns_Stage::next_step((string) $item['dns_reason']) : '';
        return self::badge((int) $item['f_waiting'] ? 'warning' : 'error', __('Wrong', 'closte-native')) . ' <span class="closte-detail">'
            . esc_html(sprintf('%s (%s)', $item['dns_error'], $item['dns_reason'])) . '</span>'
            . ($next === '' ? '' : ' <span class="closte-detail closte-next-step">' . esc_html($next) . '</span>');
    }

    protected function column_certificate($item)
    {
        $state = Closte_Native_Row_State::certificate($item);
        if ($state === 'unchecked') {
            return self::badge('none', __('Not checked', 'closte-native')) . self::last_verdict($item, 'cert', $item['cert_reason'] === null ? null
                : ($item['cert_reason'] === ''
                    ? ((int) $item['cert_expiring'] === 1
                        /* translators: %d: whole days the certificate has left */
                        ? sprintf(_n('Expiring, %d day left', 'Expiring, %d days left', (int) $item['cert_days'], 'closte-native'), (int) $item['cert_days'])
                        /* translators: %d: whole days the certificate has left */
                        : sprintf(_n('Valid, %d day left', 'Valid, %d days left', (int) $item['cert_days'], 'closte-native'), (int) $item['cert_days']))
                    : (string) $item['cert_reason']));
        }
        if ($state === 'valid' || $state === 'expiring') {
            $days = (int) $item['cert_days'];
            $html = $state === 'expiring' ? self::badge('warning', __('Expiring', 'closte-native')) : self::badge('ok', __('Valid', 'closte-native'));
            /* translators: %d: days until the certificate ends */
            $html .= ' <span class="closte-detail">' . esc_html(sprintf(_n('%d day left', '%d days left', $days, 'closte-native'), $days)) . '</span>';
            return $html . '<details class="closte-cert-details"><summary>' . esc_html__('Certificate', 'closte-native') . '<span class="screen-reader-text"> '
                /* translators: %s: a name (the screen reader hears "Certificate of shop.example.com") */
                . esc_html(sprintf(__('of %s', 'closte-native'), $item['name'])) . '</span></summary>'
                /* translators: 1: the certificate's subject, 2: its issuer, 3: its end date */
                . esc_html(sprintf(__('%1$s, issued by %2$s, until %3$s UTC', 'closte-native'), $item['cert_subject'], $item['cert_issuer'], (string) $item['cert_expires']))
                . '</details>';
        }
        return self::badge((int) $item['f_waiting'] ? 'warning' : 'error', __('Invalid', 'closte-native')) . ' <span class="closte-detail">'
            . esc_html(sprintf('%s (%s)', $item['cert_error'], $item['cert_reason'])) . '</span>';
    }

    /**
     * Under "Not checked": why this check could not run (its error), and the verdict of the
     * last check that did, marked with its time as the old one it is.
     */
    private static function last_verdict(array $item, string $what, ?string $verdict): string
    {
        $error = (string) ($item["{$what}_error"] ?? '');
        $at = (string) ($item["{$what}_checked_at"] ?? '');
        $html = $error === '' ? '' : ' <span class="closte-detail">' . esc_html($error) . '</span>';
        if ($verdict !== null && $at !== '') {
            /* translators: 1: when the last check ran (UTC), 2: its verdict */
            $html .= ' <span class="closte-detail closte-old">' . esc_html(sprintf(__('last verdict, %1$s UTC: %2$s', 'closte-native'), $at, $verdict)) . '</span>';
        }
        return $html;
    }
}
