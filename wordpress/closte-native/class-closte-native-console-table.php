<?php
/**
 * The console's table: WP_List_Table for sortable columns and pagination. Loaded only on
 * the console page, after wp-admin/includes/class-wp-list-table.php. Cells arrive as HTML
 * escaped by Closte_Native_Console::rows().
 */

defined('ABSPATH') || exit;

final class Closte_Native_Console_Table extends WP_List_Table
{
    const PER_PAGE = 500;

    /** @var array<int, array> */
    private $rows;

    public function __construct(array $rows)
    {
        parent::__construct(['singular' => 'domain', 'plural' => 'domains', 'ajax' => false, 'screen' => 'closte-native']);
        $this->rows = $rows;
    }

    public function get_columns()
    {
        return [
            'domain' => __('Domain', 'closte-native'),
            'site' => __('Site', 'closte-native'),
            'stage' => __('Stage', 'closte-native'),
            'closte' => __('On Closte', 'closte-native'),
            'dns' => __('DNS', 'closte-native'),
            'certificate' => __('Certificate', 'closte-native'),
            'log' => __('Last log line', 'closte-native'),
        ];
    }

    protected function get_sortable_columns()
    {
        return ['domain' => ['domain', false], 'stage' => ['stage', false]];
    }

    public function prepare_items()
    {
        $rows = $this->rows;
        $by = ($_GET['orderby'] ?? '') === 'stage' ? 'stage_raw' : 'domain';
        $desc = strtolower((string) ($_GET['order'] ?? '')) === 'desc';
        usort($rows, fn ($a, $b) => ($desc ? -1 : 1) * strcmp($a[$by] . ' ' . $a['domain'], $b[$by] . ' ' . $b['domain']));
        $page = $this->get_pagenum();
        $this->items = array_slice($rows, ($page - 1) * self::PER_PAGE, self::PER_PAGE);
        $this->set_pagination_args(['total_items' => count($rows), 'per_page' => self::PER_PAGE]);
        $this->_column_headers = [$this->get_columns(), [], $this->get_sortable_columns(), 'domain'];
    }

    public function no_items()
    {
        esc_html_e('No mapped domains.', 'closte-native');
    }

    protected function column_default($item, $column_name)
    {
        return $item['cells'][$column_name] ?? '';
    }

    /** The row's domain as an attribute, so a row can be found by name. */
    public function single_row($item)
    {
        echo '<tr data-domain="' . esc_attr($item['domain']) . '">';
        $this->single_row_columns($item);
        echo '</tr>';
    }
}
