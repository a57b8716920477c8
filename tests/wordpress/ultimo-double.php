<?php
/*
 * TEST DOUBLE of the parts of Ultimate Multisite 2.4.10 (and of Action Scheduler) that the
 * bridge touches. Neither plugin can be installed here (no registry this machine reaches
 * carries them), so this file declares the same classes, namespaces, methods and functions
 * with the same signatures — return types, `final`, visibility, static-ness and parameter
 * defaults — and the behaviour the bridge depends on, written for the tests. What it leaves
 * out (the other host providers, Base_Model's database layer, Base_Manager, the notices UI)
 * the bridge never touches. tests/wordpress/signatures.php compares every signature here
 * with tests/wordpress/ultimo-signatures.php, a table read from the real source, so the
 * double cannot drift from the plugin unnoticed.
 *
 * Installed into the test network's mu-plugins as 0-ultimo-double.php (loaded first), the
 * way the real plugin is loaded before plugins_loaded.
 *
 * Action Scheduler: with CLOSTE_WP_ACTION_SCHEDULER naming a folder that holds the real one
 * (tests/vendor/action-scheduler, 3.8.2), that is loaded as plugins load it, and its own
 * tables, claims and recurring rescheduling are what the tests see; without it, the as_*
 * stand-in at the end of this file (one table, a recurring action runs once).
 * CLOSTE_WP_NO_ACTION_SCHEDULER=1 leaves the as_* functions undefined (the WP-Cron fallback).
 */

namespace Psr\Log {
    if (!class_exists(LogLevel::class)) {
        class LogLevel
        {
            const INFO = 'info';
            const ERROR = 'error';
        }
    }
}

namespace WP_Ultimo\Traits {
    trait Singleton
    {
        public static object $instance;

        public static function get_instance(): object
        {
            if (!isset(static::$instance) || !static::$instance instanceof static) {
                static::$instance = new static();
                static::$instance->init();
            }
            return static::$instance;
        }

        public function init(): void
        {
            $this->has_parents() && method_exists(get_parent_class($this), 'init') && parent::init();
        }

        public function has_parents(): bool
        {
            return (bool) class_parents($this);
        }

        final private function __construct()
        {
        }
    }
}

namespace WP_Ultimo\Database\Domains {
    class Domain_Stage
    {
        const FAILED = 'failed';
        const SSL_FAILED = 'ssl-failed';
        const CHECKING_DNS = 'checking-dns';
        const CHECKING_SSL = 'checking-ssl-cert';
        const DONE_WITHOUT_SSL = 'done-without-ssl';
        const DONE = 'done';
    }
}

namespace WP_Ultimo\Integrations\Host_Providers {
    abstract class Base_Host_Provider
    {
        protected $id;
        protected $title;
        protected $tutorial_link = '';
        protected $supports = [];
        protected $constants = [];
        protected $optional_constants = [];

        public function init(): void
        {
            if ($this->detect() && !$this->is_enabled()) {
                $this->alert_provider_detected();
            }
            if ($this->is_enabled()) {
                if (!$this->is_setup()) {
                    did_action('init') ? $this->alert_provider_not_setup() : add_action('init', [$this, 'alert_provider_not_setup']);
                } else {
                    $this->load_dependencies();
                    $this->register_hooks();
                }
            }
            add_filter('wu_domain_manager_get_integrations', [$this, 'self_register']);
            add_action('init', [$this, 'add_to_integration_list']);
        }

        final public function self_register($integrations)
        {
            $integrations[$this->get_id()] = static::class;
            return $integrations;
        }

        protected function get_enabled_list()
        {
            return get_network_option(null, 'wu_host_integrations_enabled', []);
        }

        final public function is_enabled()
        {
            return wu_get_isset($this->get_enabled_list(), $this->get_id(), false);
        }

        public function enable()
        {
            $list = $this->get_enabled_list();
            $list[$this->get_id()] = true;
            return update_network_option(null, 'wu_host_integrations_enabled', $list);
        }

        public function disable()
        {
            $list = $this->get_enabled_list();
            $list[$this->get_id()] = false;
            return update_network_option(null, 'wu_host_integrations_enabled', $list);
        }

        public function add_to_integration_list(): void
        {
            $GLOBALS['wu_double_settings_fields']['integration_' . $this->get_id()] = $this->get_title();
        }

        public function alert_provider_detected(): void
        {
            $GLOBALS['wu_double_notices'][] = 'should-enable-' . $this->get_id() . '-integration';
        }

        public function alert_provider_not_setup(): void
        {
            $GLOBALS['wu_double_notices'][] = 'should-setup-' . $this->get_id() . '-integration';
        }

        public function get_fields()
        {
            return [];
        }

        public function get_id()
        {
            return $this->id;
        }

        public function get_title()
        {
            return $this->title;
        }

        public function supports($feature)
        {
            return apply_filters('wu_hosting_support_supports', in_array($feature, $this->supports, true), $this);
        }

        public function register_hooks(): void
        {
            add_action('wu_add_domain', [$this, 'on_add_domain'], 10, 2);
            add_action('wu_remove_domain', [$this, 'on_remove_domain'], 10, 2);
            add_action('wu_add_subdomain', [$this, 'on_add_subdomain'], 10, 2);
            add_action('wu_remove_subdomain', [$this, 'on_remove_subdomain'], 10, 2);
            $this->additional_hooks();
        }

        public function additional_hooks()
        {
        }

        public function load_dependencies()
        {
        }

        abstract public function detect();

        public function is_setup()
        {
            return $this->get_missing_constants() === [];
        }

        public function get_missing_constants()
        {
            $missing = [];
            foreach ($this->constants as $constant) {
                $any = is_array($constant) ? $constant : [$constant];
                $found = array_filter($any, fn ($c) => defined($c) && constant($c));
                $missing = $found ? $missing : array_merge($missing, $any);
            }
            return $missing;
        }

        public function get_all_constants()
        {
            $all = [];
            foreach ($this->constants as $constant) {
                $all = array_merge($all, is_array($constant) ? $constant : [$constant]);
            }
            return array_merge($all, $this->optional_constants);
        }

        public function setup_constants($constant_values): void
        {
        }

        public function get_constants_string($constant_values)
        {
            return '';
        }

        public function get_explainer_lines()
        {
            return ['will' => [], 'will_not' => []];
        }

        abstract public function on_add_domain($domain, $site_id);

        abstract public function on_remove_domain($domain, $site_id);

        abstract public function on_add_subdomain($subdomain, $site_id);

        abstract public function on_remove_subdomain($subdomain, $site_id);

        public function test_connection(): void
        {
            wp_send_json_success([]);
        }

        public function get_description()
        {
            return 'No description provided.';
        }

        public function get_logo()
        {
            return '';
        }
    }

    /** The plugin's own Closte integration, behaving as 2.4.10 does (requests and log lines). */
    class Closte_Host_Provider extends Base_Host_Provider
    {
        use \WP_Ultimo\Traits\Singleton;

        protected $id = 'closte';
        protected $title = 'Closte';
        protected $tutorial_link = 'https://github.com/superdav42/wp-multisite-waas/wiki/Closte-Integration';
        protected $supports = ['autossl', 'no-instructions', 'no-config'];
        protected $constants = ['CLOSTE_CLIENT_API_KEY'];

        public function init(): void
        {
            parent::init();
            add_filter('wu_async_process_domain_stage_max_tries', [$this, 'ssl_tries'], 10, 2);
        }

        public function ssl_tries($max_tries, $domain)
        {
            if (!$this->is_enabled()) {
                return $max_tries;
            }
            return $domain->get_stage() === 'checking-ssl-cert' ? 20 : $max_tries;
        }

        public function detect()
        {
            return defined('CLOSTE_CLIENT_API_KEY') && CLOSTE_CLIENT_API_KEY;
        }

        public function on_add_domain($domain, $site_id): void
        {
            wu_log_add('integration-closte', sprintf('Adding domain: %s for site ID: %d', $domain, $site_id));
            $this->send_closte_api_request('/adddomainalias', ['domain' => $domain, 'wildcard' => str_starts_with($domain, '*.')]);
            $this->request_ssl_certificate($domain);
        }

        public function on_remove_domain($domain, $site_id): void
        {
            $this->send_closte_api_request('/deletedomainalias', ['domain' => $domain, 'wildcard' => str_starts_with($domain, '*.')]);
        }

        public function on_add_subdomain($subdomain, $site_id)
        {
        }

        public function on_remove_subdomain($subdomain, $site_id)
        {
        }

        private function request_ssl_certificate($domain)
        {
            $response = [];
            foreach (['/ssl/install', '/installssl', '/ssl', '/certificate/install'] as $endpoint) {
                $response = $this->send_closte_api_request($endpoint, ['domain' => $domain, 'type' => 'letsencrypt']);
                if (!isset($response['error']) || !preg_match('/HTTP [45]\d\d/', $response['error'])) {
                    break;
                }
            }
            return $response;
        }

        public function check_ssl_status($domain)
        {
            return $this->send_closte_api_request('/ssl/status', ['domain' => $domain]);
        }

        public function test_connection(): void
        {
            $response = $this->send_closte_api_request('/adddomainalias', []);
            if (wu_get_isset($response, 'error') === 'Invalid or empty domain: ') {
                wp_send_json_success(['message' => 'Access Authorized']);
            }
            wp_send_json_error(new \WP_Error('not-auth', 'Something went wrong'));
        }

        public function send_closte_api_request($endpoint, $data)
        {
            if (!defined('CLOSTE_CLIENT_API_KEY') || empty(CLOSTE_CLIENT_API_KEY)) {
                return ['success' => false, 'error' => 'Closte API Key not found.'];
            }
            $api_key = CLOSTE_CLIENT_API_KEY;
            // The real plugin logs this; the bridge must keep it from ever running.
            wu_log_add('integration-closte', sprintf('Using API key (first 10 chars): %s...', substr($api_key, 0, 10)));
            $response = wp_remote_post('https://app.closte.com/api/client' . $endpoint, [
                'blocking' => true,
                'timeout' => 45,
                'method' => 'POST',
                'headers' => ['Content-Type' => 'application/x-www-form-urlencoded', 'User-Agent' => 'WP-Ultimo-Closte-Integration/2.0'],
                'body' => array_merge(['apikey' => $api_key], $data),
            ]);
            if (is_wp_error($response)) {
                return $response;
            }
            $code = wp_remote_retrieve_response_code($response);
            $body = wp_remote_retrieve_body($response);
            if ($code >= 400) {
                return ['success' => false, 'error' => sprintf('HTTP %d error', $code), 'response_body' => $body];
            }
            $decoded = json_decode((string) $body, true);
            return is_array($decoded) ? $decoded : ['success' => false, 'error' => 'Invalid JSON response'];
        }

        public function get_description()
        {
            return 'Closte';
        }

        public function get_logo()
        {
            return '';
        }
    }
}

namespace WP_Ultimo {
    /**
     * The plugin's file logger (inc/class-logger.php): one file per handle, lines
     * "[Y-m-d H:i:s] [LEVEL] message". The real folder is uploads/wu-logs; the double's is
     * WU_LOG_DIR. The real add() also filters by the error_logging_level setting (default:
     * everything at INFO and above is written, as here).
     */
    class Logger
    {
        public static function get_logs_folder()
        {
            return getenv('WU_LOG_DIR');
        }

        public static function add($handle, $message, $log_level = \Psr\Log\LogLevel::INFO): void
        {
            if (is_wp_error($message)) {
                $message = $message->get_error_message();
            }
            $line = sprintf('[%s] [%s] %s' . PHP_EOL, (new \DateTime())->format('Y-m-d H:i:s'), strtoupper($log_level), $message);
            file_put_contents(self::get_logs_folder() . "/$handle.log", $line, FILE_APPEND);
            do_action('wu_log_add', $handle, $message, $log_level);
        }

        public static function read_lines($handle, $lines = 10)
        {
            $file = self::get_logs_folder() . "/$handle.log";
            if (!file_exists($file)) {
                return [];
            }
            $content = explode(PHP_EOL, (string) file_get_contents($file));
            if (empty(end($content))) {
                array_pop($content);
            }
            return array_slice($content, -$lines);
        }
    }
}

namespace WP_Ultimo\Domain_Mapping {
    /** The network-IP part of the plugin's domain-mapping Helper (inc/domain-mapping/class-helper.php). */
    class Helper
    {
        public static $providers = [];

        private function __construct()
        {
        }

        /** Development mode: a site URL on localhost, .local, .test or staging, as the plugin decides it. */
        public static function is_development_mode()
        {
            $site_url = site_url();
            $is_development_mode = preg_match('#(localhost|staging.*\.|\.local|\.test)#', $site_url);
            return apply_filters('wu_is_development_mode', $is_development_mode, $site_url);
        }

        public static function get_local_network_ip()
        {
            return sanitize_text_field(wp_unslash($_SERVER['SERVER_ADDR'] ?? false));
        }

        /**
         * The plugin asks three public what-is-my-IP services (cached 10 days in the site
         * transient wu_public_network_ip); no test may reach them, so the double reads the
         * transient only. Both paths end in the wu_get_network_public_ip filter, as the real one.
         */
        public static function get_network_public_ip()
        {
            if (self::is_development_mode()) {
                return apply_filters('wu_get_network_public_ip', self::get_local_network_ip(), true);
            }
            return apply_filters('wu_get_network_public_ip', get_site_transient('wu_public_network_ip'), false);
        }
    }
}

namespace WP_Ultimo\Models {
    /** The Domain model's getters and setters; rows live in memory, keyed by id (Base_Model's store is left out). */
    class Domain
    {
        protected $id = 0;
        protected $domain = '';
        protected $blog_id = 0;
        protected $active = true;
        protected $primary_domain = false;
        protected $secure = false;
        protected $stage = 'checking-dns';
        protected $date_modified = '';

        public function __construct($object_model = null)
        {
            foreach ((array) $object_model as $key => $value) {
                if (property_exists($this, $key)) {
                    $this->$key = $value;
                }
            }
        }

        public function get_id()
        {
            return absint($this->id);
        }

        public static function get_by_id($item_id)
        {
            global $wpdb;
            $row = $wpdb->get_row($wpdb->prepare('SELECT * FROM ' . self::double_table() . ' WHERE id = %d', $item_id), ARRAY_A);
            return $row ? new static($row) : false;
        }

        /**
         * BerlinDB's query, for the arguments the bridge passes: `stage` / `stage__in`, `id`,
         * `date_query` on a date column (`'column' => 'date_modified'`, `after` / `before`,
         * `inclusive`), `number` (default 100 as BerlinDB's; 0 is "no limit"), `offset`,
         * `orderby` / `order`. As 2.4.10 pins BerlinDB, `date_modified_query` matches nothing
         * (its table alias is added twice); the double keeps that.
         */
        public static function query($args = [])
        {
            global $wpdb;
            $args = (array) $args;
            if (!empty($args['date_modified_query'])) {
                return [];
            }
            $where = ['1=1'];
            if (isset($args['id'])) {
                $where[] = $wpdb->prepare('id = %d', $args['id']);
            }
            if (isset($args['stage'])) {
                $where[] = $wpdb->prepare('stage = %s', $args['stage']);
            }
            // BerlinDB's {column}__in (every column of the real schema has it, `in` => true by default).
            if (isset($args['domain__in'])) {
                $in = array_map(fn ($v) => $wpdb->prepare('%s', $v), (array) $args['domain__in']);
                $where[] = $in ? 'domain IN (' . implode(',', $in) . ')' : '0=1';
            }
            if (isset($args['stage__in'])) {
                $in = array_map(fn ($v) => $wpdb->prepare('%s', $v), (array) $args['stage__in']);
                $where[] = $in ? 'stage IN (' . implode(',', $in) . ')' : '0=1';
            }
            foreach (isset($args['date_query']['column']) ? [$args['date_query']] : (array) ($args['date_query'] ?? []) as $clause) {
                if (!is_array($clause)) {
                    continue;
                }
                $column = in_array($clause['column'] ?? '', ['date_created', 'date_modified'], true) ? $clause['column'] : 'date_created';
                $inclusive = !empty($clause['inclusive']);
                foreach (['after' => $inclusive ? '>=' : '>', 'before' => $inclusive ? '<=' : '<'] as $key => $op) {
                    if (isset($clause[$key])) {
                        $where[] = $wpdb->prepare("$column $op %s", gmdate('Y-m-d H:i:s', is_numeric($clause[$key]) ? (int) $clause[$key] : strtotime($clause[$key] . ' UTC')));
                    }
                }
            }
            $orderby = in_array($args['orderby'] ?? 'id', ['id', 'domain', 'stage', 'date_created', 'date_modified'], true) ? ($args['orderby'] ?? 'id') : 'id';
            $order = strtoupper($args['order'] ?? 'DESC') === 'ASC' ? 'ASC' : 'DESC';
            $number = (int) ($args['number'] ?? 100);
            $limit = $number > 0 ? sprintf(' LIMIT %d OFFSET %d', $number, (int) ($args['offset'] ?? 0)) : '';
            $rows = $wpdb->get_results('SELECT * FROM ' . self::double_table() . ' WHERE ' . implode(' AND ', $where) . " ORDER BY $orderby $order, id $order$limit", ARRAY_A);
            return array_map(fn ($row) => new static($row), $rows);
        }

        /**
         * The rows live in a MariaDB table named as the plugin's (wu_domain_mappings), so a
         * domain saved in one request (the CLI scenarios, or php-fpm) is there in the next.
         */
        public static function double_table(): string
        {
            global $wpdb;
            $table = $wpdb->base_prefix . 'wu_domain_mappings';
            static $made = false;
            if (!$made) {
                $wpdb->query("CREATE TABLE IF NOT EXISTS $table (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, blog_id BIGINT NOT NULL,
                    domain VARCHAR(191) NOT NULL, active TINYINT NOT NULL DEFAULT 1, primary_domain TINYINT NOT NULL DEFAULT 0,
                    secure TINYINT NOT NULL DEFAULT 0, stage VARCHAR(32) NOT NULL DEFAULT 'checking-dns',
                    date_created DATETIME NULL DEFAULT NULL, date_modified DATETIME NULL DEFAULT NULL)");
                $made = true;
            }
            return $table;
        }

        /** Empties the table: each scenario script starts from no mapped domain. */
        public static function double_reset(): void
        {
            global $wpdb;
            $wpdb->query('TRUNCATE TABLE ' . self::double_table());
        }

        /**
         * Many records at once, as the plugin stores them, without queuing an event each
         * (the scale tests and benchmarks): domain names, or [domain, stage] pairs, or
         * [domain, stage, site id] (each record on a site of its own, as on real networks);
         * stage 'done' and site 1 by default.
         */
        public static function double_insert(array $records): void
        {
            global $wpdb;
            foreach (array_chunk($records, 1000) as $part) {
                $wpdb->query('INSERT INTO ' . self::double_table() . ' (blog_id, domain, stage, active) VALUES '
                    . implode(',', array_map(fn ($r) => $wpdb->prepare('(%d, %s, %s, 1)', (int) (((array) $r)[2] ?? 1), ...array_slice(is_array($r) ? $r + [1 => 'done'] : [$r, 'done'], 0, 2)), $part)));
            }
        }

        public function get_domain()
        {
            return $this->domain;
        }

        public function set_domain($domain): void
        {
            $this->domain = strtolower($domain);
        }

        public function get_blog_id()
        {
            return (int) $this->blog_id;
        }

        public function set_blog_id($blog_id): void
        {
            $this->blog_id = $blog_id;
        }

        public function get_site_id()
        {
            return $this->get_blog_id();
        }

        /** As the real model: a domain still being checked, or failed, is never active. */
        public function is_active()
        {
            if (in_array($this->get_stage(), ['checking-dns', 'checking-ssl-cert', 'failed', 'ssl-failed'], true)) {
                return false;
            }
            return (bool) $this->active;
        }

        public function set_active($active): void
        {
            $this->active = $active;
        }

        public function is_primary_domain()
        {
            return (bool) $this->primary_domain;
        }

        public function set_primary_domain($primary_domain): void
        {
            $this->primary_domain = $primary_domain;
        }

        public function is_secure()
        {
            return (bool) $this->secure;
        }

        public function set_secure($secure): void
        {
            $this->secure = $secure;
        }

        public function get_stage()
        {
            return $this->stage;
        }

        public function set_stage($stage): void
        {
            $this->stage = $stage;
        }

        /** Base_Model's: the stored date (GMT, 'Y-m-d H:i:s'), or now when there is none. */
        public function get_date_modified()
        {
            if (!is_string($this->date_modified) || strtotime($this->date_modified) === false || $this->date_modified === '') {
                return current_time('mysql', true);
            }
            return $this->date_modified;
        }

        public function set_date_modified($date_modified): void
        {
            $this->date_modified = $date_modified;
        }

        /**
         * As the real model: new Domain_Stage($stage)->get_label(), the labels of
         * Domain_Stage::labels() through the filter wu_available_domain_stage_labels, and the
         * default stage's label for a value that is not a stage.
         */
        public function get_stage_label()
        {
            $labels = apply_filters('wu_available_domain_stage_labels', [
                'failed' => __('DNS Failed', 'ultimate-multisite'),
                'ssl-failed' => __('SSL Failed', 'ultimate-multisite'),
                'checking-dns' => __('Checking DNS', 'ultimate-multisite'),
                'checking-ssl-cert' => __('Checking SSL', 'ultimate-multisite'),
                'done' => __('Ready', 'ultimate-multisite'),
                'done-without-ssl' => __('Ready (without SSL)', 'ultimate-multisite'),
            ]);
            return $labels[$this->get_stage()] ?? $labels['checking-dns'] ?? '';
        }

        /**
         * The real check's steps and filter. It first tries a loopback HTTP request to the
         * domain and then PHP's dns_get_record() through the system resolver; neither can
         * reach the test's names, so the records that lookup "found" are set by the test
         * (network option wu_double_dns_records).
         */
        public function has_correct_dns()
        {
            global $current_site;
            $network_ip_address = \WP_Ultimo\Domain_Mapping\Helper::get_network_public_ip();
            $domains_and_ips = (array) get_network_option(null, 'wu_double_dns_records', []);
            if (in_array($current_site->domain, $domains_and_ips, true)) {
                return true;
            }
            if (in_array($network_ip_address, $domains_and_ips, true)) {
                return true;
            }
            $result = false;
            return apply_filters('wu_domain_has_correct_dns', $result, $this, $domains_and_ips);
        }

        public function has_valid_ssl_certificate()
        {
            return (bool) get_network_option(null, 'wu_double_ssl_ok', false);
        }

        /**
         * As the real save(): BerlinDB writes the row, setting date_created on insert and
         * date_modified on every save (the schema's 'created' / 'modified' columns, GMT), fires
         * wu_transition_domain_{column} for the columns the schema marks 'transition' when their
         * value changed (domain, stage, …), and Base_Model fires wu_domain_post_save.
         */
        public function save()
        {
            global $wpdb;
            $table = self::double_table();
            $now = gmdate('Y-m-d H:i:s');
            $data = ['blog_id' => (int) $this->blog_id, 'domain' => $this->domain, 'active' => (int) (bool) $this->active,
                'primary_domain' => (int) (bool) $this->primary_domain, 'secure' => (int) (bool) $this->secure, 'stage' => $this->stage,
                'date_modified' => $now];
            $new = !$this->id;
            $old = $new ? null : $wpdb->get_row($wpdb->prepare("SELECT domain, stage FROM $table WHERE id = %d", $this->id), ARRAY_A);
            if (!$new) {
                $wpdb->update($table, $data, ['id' => $this->id]);
            } else {
                $wpdb->insert($table, $data + ['date_created' => $now]);
                $this->id = (int) $wpdb->insert_id;
            }
            $this->date_modified = $now;
            foreach ($new ? ['domain'] : ['domain', 'stage'] as $column) {
                $before = (string) ($old[$column] ?? '');
                if ($before !== (string) $this->$column) {
                    do_action("wu_transition_domain_$column", $before, $this->$column, $this->id);
                }
            }
            do_action('wu_domain_post_save', $data, $this, $new);
            return true;
        }

        public function delete()
        {
            global $wpdb;
            $wpdb->delete(self::double_table(), ['id' => $this->id]);
            do_action('wu_domain_post_delete', true, $this);
            return true;
        }
    }
}

namespace WP_Ultimo\Managers {
    use WP_Ultimo\Database\Domains\Domain_Stage;

    class Domain_Manager
    {
        use \WP_Ultimo\Traits\Singleton;

        protected $integrations = [];

        public function init(): void
        {
            add_action('plugins_loaded', [$this, 'load_integrations']);
            add_action('wp_ajax_wu_test_hosting_integration', [$this, 'test_integration']);
            add_action('wu_async_process_domain_stage', [$this, 'async_process_domain_stage'], 10, 2);
            add_action('wu_transition_domain_domain', [$this, 'send_domain_to_host'], 10, 3);
            add_action('wu_domain_post_delete', [$this, 'handle_domain_deleted'], 10, 2);
        }

        public static function is_main_domain(string $domain)
        {
            $parts = explode('.', strtolower(trim(rtrim($domain, '.'))));
            if (count($parts) <= 2) {
                return true;
            }
            $tlds = apply_filters('wu_multi_part_tlds', ['.co.uk', '.com.au', '.co.nz', '.com.br', '.co.in']);
            return count($parts) === 3 && in_array('.' . $parts[1] . '.' . $parts[2], $tlds, true);
        }

        public function get_integrations()
        {
            return apply_filters('wu_domain_manager_get_integrations', $this->integrations, $this);
        }

        public function get_integration_instance($id)
        {
            $integrations = $this->get_integrations();
            if (isset($integrations[$id])) {
                $class_name = $integrations[$id];
                return $class_name::get_instance();
            }
            return false;
        }

        public function handle_domain_deleted($result, $domain): void
        {
            if ($result) {
                wu_enqueue_async_action('wu_remove_domain', ['domain' => $domain->get_domain(), 'site_id' => $domain->get_site_id()], 'domain');
            }
        }

        public function should_create_www_subdomain($domain)
        {
            $domain = trim(strtolower($domain));
            if (strpos($domain, 'www.') === 0) {
                return false;
            }
            switch (wu_get_setting('auto_create_www_subdomain', 'always')) {
                case 'never':
                    return false;
                case 'main_only':
                    return self::is_main_domain($domain);
                default:
                    return true;
            }
        }

        public function send_domain_to_host($old_value, $new_value, $item_id): void
        {
            if ($old_value !== $new_value) {
                $domain = wu_get_domain($item_id);
                wu_enqueue_async_action('wu_add_domain', ['domain' => $new_value, 'site_id' => $domain->get_site_id()], 'domain');
            }
        }

        /** 2.4.10's, line for line: what it reads, writes, logs, fires and schedules. */
        public function async_process_domain_stage($domain_id, $tries = 0): void
        {
            $domain = wu_get_domain($domain_id);
            if (!$domain) {
                return;
            }
            $max_tries = apply_filters('wu_async_process_domain_stage_max_tries', 5, $domain);
            $dns_check_interval = wu_get_setting('dns_check_interval', 300);
            $dns_check_interval = max(10, min(300, (int) $dns_check_interval));
            $try_again_time = ceil($dns_check_interval / 60);
            $try_again_time = max(1, $try_again_time);
            $try_again_time = apply_filters('wu_async_process_domains_try_again_time', $try_again_time, $domain); // minutes
            ++$tries;
            $stage = $domain->get_stage();
            $domain_url = $domain->get_domain();
            wu_log_add("domain-{$domain_url}", sprintf(__('Starting Check for %s', 'ultimate-multisite'), $domain_url));
            if (Domain_Stage::CHECKING_DNS === $stage) {
                if ($domain->has_correct_dns()) {
                    $domain->set_stage(Domain_Stage::CHECKING_SSL);
                    $domain->save();
                    wu_log_add("domain-{$domain_url}", __('- DNS propagation finished, advancing domain to next step...', 'ultimate-multisite'));
                    wu_enqueue_async_action('wu_async_process_domain_stage', ['domain_id' => $domain_id, 'tries' => 0], 'domain');
                    do_action('wu_domain_manager_dns_propagation_finished', $domain);
                    return;
                } else {
                    if ($tries > $max_tries) {
                        $domain->set_stage(Domain_Stage::FAILED);
                        $domain->save();
                        wu_log_add("domain-{$domain_url}", sprintf(__('- DNS propagation checks tried for the max amount of times (5 times, one every %d minutes). Marking as failed.', 'ultimate-multisite'), $try_again_time));
                        return;
                    }
                    wu_log_add("domain-{$domain_url}", sprintf(__('- DNS propagation not finished, retrying in %d minutes...', 'ultimate-multisite'), $try_again_time));
                    wu_schedule_single_action(time() + $dns_check_interval, 'wu_async_process_domain_stage', ['domain_id' => $domain_id, 'tries' => $tries], 'domain');
                    return;
                }
            } elseif (Domain_Stage::CHECKING_SSL === $stage) {
                if ($domain->has_valid_ssl_certificate()) {
                    $domain->set_stage(Domain_Stage::DONE);
                    $domain->set_secure(true);
                    $domain->save();
                    wu_log_add("domain-{$domain_url}", __('- Valid SSL cert found. Marking domain as done.', 'ultimate-multisite'));
                    return;
                } else {
                    if ($tries > $max_tries) {
                        $domain->set_stage(Domain_Stage::SSL_FAILED);
                        $domain->save();
                        wu_log_add("domain-{$domain_url}", sprintf(__('- SSL checks tried for the max amount of times (5 times, one every %d minutes). Marking as ready without SSL.', 'ultimate-multisite'), $try_again_time));
                        return;
                    }
                    wu_log_add("domain-{$domain_url}", sprintf(__('- SSL Cert not found, retrying in %d minute(s)...', 'ultimate-multisite'), $try_again_time));
                    wu_schedule_single_action(time() + $dns_check_interval, 'wu_async_process_domain_stage', ['domain_id' => $domain_id, 'tries' => $tries], 'domain');
                    return;
                }
            }
        }

        public function test_integration()
        {
            $integration = $this->get_integration_instance(wu_request('integration', 'none'));
            if (!$integration) {
                wp_send_json_error(['message' => 'Invalid Integration ID']);
            }
            if (!$integration->is_setup()) {
                wp_send_json_error(['message' => 'The necessary constants were not found on your wp-config.php file: ' . implode(', ', $integration->get_missing_constants())]);
            }
            $integration->test_connection();
        }

        /** The real method loads twelve built-in providers; only Closte's matters to the bridge. */
        public function load_integrations(): void
        {
            \WP_Ultimo\Integrations\Host_Providers\Closte_Host_Provider::get_instance();
            do_action('wp_ultimo_host_providers_load');
        }
    }
}

namespace {
    function wu_get_isset($array_or_obj, $key, $default_value = false)
    {
        if (!is_array($array_or_obj)) {
            $array_or_obj = (array) $array_or_obj;
        }
        return $array_or_obj[$key] ?? $default_value;
    }

    function wu_request($key, $default_value = false)
    {
        $value = isset($_REQUEST[$key]) ? sanitize_text_field(wp_unslash($_REQUEST[$key])) : $default_value;
        return apply_filters('wu_request', $value, $key, $default_value);
    }

    function wu_log_add($handle, $message, $log_level = \Psr\Log\LogLevel::INFO)
    {
        \WP_Ultimo\Logger::add($handle, $message, $log_level);
    }

    function wu_get_main_site_id()
    {
        return get_main_site_id();
    }

    function wu_switch_blog_and_run($callback, $site_id = false)
    {
        if (!$site_id) {
            $site_id = wu_get_main_site_id();
        }
        is_multisite() && switch_to_blog($site_id);
        $result = call_user_func($callback);
        is_multisite() && restore_current_blog();
        return $result;
    }

    function wu_enqueue_async_action($hook, $args = [], $group = '')
    {
        return wu_switch_blog_and_run(fn () => as_enqueue_async_action($hook, $args, $group));
    }

    function wu_schedule_single_action($timestamp, $hook, $args = [], $group = '')
    {
        return wu_switch_blog_and_run(fn () => as_schedule_single_action($timestamp, $hook, $args, $group));
    }

    function wu_unschedule_action($hook, $args = [], $group = '')
    {
        return wu_switch_blog_and_run(fn () => as_unschedule_action($hook, $args, $group));
    }

    function wu_get_scheduled_actions($args = [], $return_format = OBJECT)
    {
        return wu_switch_blog_and_run(fn () => as_get_scheduled_actions($args, $return_format));
    }

    /** Settings live in the network option the real plugin uses (wu_slugify('v2_settings')). */
    function wu_get_setting($setting, $default_value = false)
    {
        $settings = get_network_option(null, 'wp-ultimo_v2_settings', []);
        $value = $settings[$setting] ?? $default_value;
        return apply_filters('wu_get_setting', $value, $setting, $default_value, $settings);
    }

    function wu_get_domain($domain_id)
    {
        return \WP_Ultimo\Models\Domain::get_by_id($domain_id);
    }

    function wu_get_domains($query = [])
    {
        return \WP_Ultimo\Models\Domain::query($query);
    }

    /*
     * inc/functions/event.php over Event_Manager (inc/managers/class-event-manager.php):
     * register_event() keeps the args by slug and returns true; do_event() returns false for
     * an unregistered slug, else adds wu_version, fires wu_event and wu_event_{$slug}, and
     * saves the event (here: appended to the network option wu_double_events, [slug,
     * payload] each, so the tests read what any process fired). Event_Manager::init() hooks
     * register_all_events() to init, which registers the plugin's own events and then fires
     * wu_register_all_events.
     */
    function wu_do_event($slug, $payload)
    {
        $registered = $GLOBALS['wu_double_event_types'][$slug] ?? false;
        if (!$registered) {
            wu_log_add('events', 'Event not found', \Psr\Log\LogLevel::ERROR);
            return false;
        }
        $sample = is_callable($registered['payload'] ?? null) ? call_user_func($registered['payload']) : (array) ($registered['payload'] ?? []);
        $diff = array_diff_key($sample, $payload);
        if (!empty($diff[0])) {
            return false;
        }
        $payload['wu_version'] = '2.4.10';
        do_action('wu_event', $slug, $payload);
        do_action("wu_event_{$slug}", $payload);
        $saved = (array) get_network_option(null, 'wu_double_events', []);
        $saved[] = [strtolower($slug), $payload];
        return (bool) update_network_option(null, 'wu_double_events', $saved);
    }

    function wu_register_event_type($slug, $args)
    {
        $GLOBALS['wu_double_event_types'][$slug] = $args;
        return true;
    }

    add_action('init', function () {
        do_action('wu_register_all_events'); // Event_Manager::register_all_events(), after its own events
    });

    /*
     * Action Scheduler's API, storing each action as a row of a real MariaDB table (the
     * columns the bridge's behaviour depends on). tests/wordpress/harness.inc runs the queue
     * the way ActionScheduler_Action::execute() does: do_action_ref_array($hook, array_values($args)).
     */
    $wu_double_real_as = (string) getenv('CLOSTE_WP_ACTION_SCHEDULER');
    if (getenv('CLOSTE_WP_INSTALLING')) {
        // install.php: no plugin is loaded while WordPress installs (Action Scheduler would query tables not made yet).
    } elseif (!getenv('CLOSTE_WP_NO_ACTION_SCHEDULER') && $wu_double_real_as !== '' && is_file("$wu_double_real_as/action-scheduler.php")) {
        // The real Action Scheduler, loaded as a plugin loads it (before plugins_loaded).
        require_once "$wu_double_real_as/action-scheduler.php";
        // The tests run the queue themselves (tests/wordpress/harness.inc), as DISABLE_WP_CRON
        // keeps WP-Cron from running: no loopback request to the async runner.
        add_filter('action_scheduler_allow_async_request_runner', '__return_false');
    } elseif (!getenv('CLOSTE_WP_NO_ACTION_SCHEDULER')) {
        function wu_double_as_table(): string
        {
            global $wpdb;
            $table = $wpdb->base_prefix . 'actionscheduler_actions';
            static $made = false;
            if (!$made) {
                $wpdb->query("CREATE TABLE IF NOT EXISTS $table (action_id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
                    hook VARCHAR(191) NOT NULL, status VARCHAR(20) NOT NULL, scheduled_date_gmt DATETIME NOT NULL,
                    args LONGTEXT NOT NULL, group_slug VARCHAR(191) NOT NULL DEFAULT '', priority TINYINT UNSIGNED NOT NULL DEFAULT 10)");
                $made = true;
            }
            return $table;
        }

        function wu_double_as_insert($timestamp, $hook, $args, $group, $unique, $priority)
        {
            global $wpdb;
            $table = wu_double_as_table();
            if ($unique && as_has_scheduled_action($hook, $args, $group)) {
                return 0;
            }
            $wpdb->insert($table, ['hook' => $hook, 'status' => 'pending', 'scheduled_date_gmt' => gmdate('Y-m-d H:i:s', (int) $timestamp),
                'args' => wp_json_encode($args), 'group_slug' => (string) $group, 'priority' => (int) $priority]);
            return (int) $wpdb->insert_id;
        }

        function as_enqueue_async_action($hook, $args = array(), $group = '', $unique = false, $priority = 10)
        {
            return wu_double_as_insert(time(), $hook, $args, $group, $unique, $priority);
        }

        function as_schedule_single_action($timestamp, $hook, $args = array(), $group = '', $unique = false, $priority = 10)
        {
            return wu_double_as_insert($timestamp, $hook, $args, $group, $unique, $priority);
        }

        /** Stored like any action; the double runs it once when due (the real one then schedules the next). */
        function as_schedule_recurring_action($timestamp, $interval_in_seconds, $hook, $args = array(), $group = '', $unique = false, $priority = 10)
        {
            return wu_double_as_insert($timestamp, $hook, $args, $group, $unique, $priority);
        }

        function wu_double_as_pending($hook, $args, $group): array
        {
            global $wpdb;
            $table = wu_double_as_table();
            $rows = $wpdb->get_results($wpdb->prepare("SELECT * FROM $table WHERE hook = %s AND status = 'pending' ORDER BY scheduled_date_gmt, action_id", $hook), ARRAY_A);
            return array_values(array_filter($rows, fn ($r) => ($args === null || $r['args'] === wp_json_encode($args))
                && ($group === '' || $r['group_slug'] === $group)));
        }

        function as_unschedule_action($hook, $args = array(), $group = '')
        {
            global $wpdb;
            $row = wu_double_as_pending($hook, $args, $group)[0] ?? null;
            if ($row === null) {
                return null;
            }
            $wpdb->update(wu_double_as_table(), ['status' => 'canceled'], ['action_id' => $row['action_id']]);
            return (int) $row['action_id'];
        }

        function as_next_scheduled_action($hook, $args = null, $group = '')
        {
            $row = wu_double_as_pending($hook, $args, $group)[0] ?? null;
            return $row === null ? false : strtotime($row['scheduled_date_gmt'] . ' UTC');
        }

        function as_has_scheduled_action($hook, $args = null, $group = '')
        {
            return wu_double_as_pending($hook, $args, $group) !== [];
        }

        function as_unschedule_all_actions($hook, $args = array(), $group = '')
        {
            do {
                $id = as_unschedule_action($hook, $args === [] && $group === '' ? null : $args, $group);
            } while ($id);
        }

        /**
         * The arguments the bridge passes (hook, group, status: one or a list, search in the
         * args, per_page) and
         * actions that answer get_hook(), get_args(), get_group() and get_schedule()->get_date().
         */
        function as_get_scheduled_actions($args = array(), $return_format = OBJECT)
        {
            global $wpdb;
            $table = wu_double_as_table();
            $where = ['1=1'];
            if (!empty($args['hook'])) {
                $where[] = $wpdb->prepare('hook = %s', $args['hook']);
            }
            if (!empty($args['group'])) {
                $where[] = $wpdb->prepare('group_slug = %s', $args['group']);
            }
            if (!empty($args['search'])) {
                $where[] = $wpdb->prepare('args LIKE %s', '%' . $args['search'] . '%');
            }
            if (!empty($args['status'])) {
                $where[] = 'status IN (' . implode(',', array_map(fn ($v) => $wpdb->prepare('%s', $v), (array) $args['status'])) . ')';
            }
            $per = (int) ($args['per_page'] ?? 5);
            $rows = $wpdb->get_results("SELECT * FROM $table WHERE " . implode(' AND ', $where) . ' ORDER BY scheduled_date_gmt, action_id' . ($per > 0 ? " LIMIT $per" : ''), ARRAY_A);
            $out = [];
            foreach ($rows as $r) {
                $out[(int) $r['action_id']] = $return_format === 'ids' ? (int) $r['action_id'] : new class ($r) {
                    private array $r;

                    public function __construct(array $r)
                    {
                        $this->r = $r;
                    }

                    public function get_hook()
                    {
                        return $this->r['hook'];
                    }

                    public function get_args()
                    {
                        return (array) json_decode($this->r['args'], true);
                    }

                    public function get_group()
                    {
                        return $this->r['group_slug'];
                    }

                    public function get_schedule()
                    {
                        $date = new DateTime($this->r['scheduled_date_gmt'], new DateTimeZone('UTC'));
                        return new class ($date) {
                            private DateTime $d;

                            public function __construct(DateTime $d)
                            {
                                $this->d = $d;
                            }

                            public function get_date()
                            {
                                return $this->d;
                            }
                        };
                    }
                };
            }
            return $return_format === 'ids' ? array_values($out) : $out;
        }
    }

    /* The plugin's top-level network menu (Dashboard_Admin_Page, slug wp-ultimo), under which the console goes. */
    add_action('network_admin_menu', function () {
        add_menu_page('Ultimate Multisite', 'Ultimate Multisite', 'manage_network', 'wp-ultimo', '__return_null');
    });

    /** The real plugin's main object: only what Base_Host_Provider's notices ask of it. */
    function WP_Ultimo()
    {
        return new class {
            public function is_loaded()
            {
                return true;
            }
        };
    }

    // The plugin boots its Domain_Manager at load; it hooks load_integrations to plugins_loaded.
    \WP_Ultimo\Managers\Domain_Manager::get_instance();
}
