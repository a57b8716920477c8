<?php
/*
 * TEST DOUBLE of the parts of Ultimate Multisite that the bridge talks to. The plugin
 * cannot be installed here (it is not in any registry this machine reaches), so this
 * file reproduces its documented interface (shared/reference/closte-api.md): the
 * Singleton trait, Base_Host_Provider with its hook registration when enabled, the
 * built-in Closte_Host_Provider (one POST /adddomainalias per add, then its four guessed
 * SSL requests), Domain_Manager::should_create_www_subdomain(), the Domain model's
 * stage, wu_log_add(), and Action Scheduler's as_schedule_single_action().
 * Installed into the test network's mu-plugins as 0-ultimo-double.php (loaded first).
 */

namespace WP_Ultimo\Traits {
    trait Singleton
    {
        protected static $instance;

        public static function get_instance()
        {
            if (null === static::$instance) {
                static::$instance = new static();
                static::$instance->init();
            }
            return static::$instance;
        }
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

        public function init()
        {
            add_filter('wu_domain_manager_get_integrations', [$this, 'self_register']);
            if ($this->is_enabled()) {
                $this->register_hooks();
            }
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
            return in_array($feature, $this->supports, true);
        }

        public function get_constants()
        {
            return $this->constants;
        }

        public function self_register($integrations)
        {
            $integrations[$this->get_id()] = static::class;
            return $integrations;
        }

        public function is_enabled()
        {
            $list = get_network_option(null, 'wu_enabled_integrations', []);
            return !empty($list[$this->get_id()]);
        }

        public function register_hooks()
        {
            add_action('wu_add_domain', [$this, 'on_add_domain'], 10, 2);
            add_action('wu_remove_domain', [$this, 'on_remove_domain'], 10, 2);
            add_action('wu_add_subdomain', [$this, 'on_add_subdomain'], 10, 2);
            add_action('wu_remove_subdomain', [$this, 'on_remove_subdomain'], 10, 2);
        }

        abstract public function detect();
        abstract public function test_connection();
        abstract public function on_add_domain($domain, $site_id);
        abstract public function on_remove_domain($domain, $site_id);
        abstract public function on_add_subdomain($subdomain, $site_id);
        abstract public function on_remove_subdomain($subdomain, $site_id);
    }

    /** The plugin's own Closte integration, as it behaves today. */
    class Closte_Host_Provider extends Base_Host_Provider
    {
        use \WP_Ultimo\Traits\Singleton;

        protected $id = 'closte';
        protected $title = 'Closte';
        protected $supports = ['autossl', 'no-instructions', 'no-config'];
        protected $constants = ['CLOSTE_CLIENT_API_KEY'];

        public function detect()
        {
            return defined('CLOSTE_CLIENT_API_KEY');
        }

        private function send($endpoint, $data)
        {
            $data['apikey'] = CLOSTE_CLIENT_API_KEY;
            return wp_remote_post(CLOSTE_DOUBLE_API_URL . $endpoint, ['body' => $data, 'timeout' => 45]);
        }

        public function on_add_domain($domain, $site_id)
        {
            $wildcard = strncmp($domain, '*.', 2) === 0;
            $this->send('/adddomainalias', ['domain' => $domain, 'wildcard' => $wildcard ? 1 : 0]);
            foreach (['/ssl/install', '/installssl', '/ssl', '/certificate/install'] as $guess) {
                $this->send($guess, ['domain' => $domain]);
            }
        }

        public function on_remove_domain($domain, $site_id)
        {
            $this->send('/deletedomainalias', ['domain' => $domain, 'wildcard' => strncmp($domain, '*.', 2) === 0 ? 1 : 0]);
        }

        public function on_add_subdomain($subdomain, $site_id)
        {
        }

        public function on_remove_subdomain($subdomain, $site_id)
        {
        }

        public function test_connection()
        {
            wp_send_json_error(['message' => 'built-in']);
        }
    }
}

namespace WP_Ultimo\Managers {
    class Domain_Manager
    {
        use \WP_Ultimo\Traits\Singleton;

        public function init()
        {
        }

        public function should_create_www_subdomain($domain)
        {
            return (bool) get_network_option(null, 'wu_create_www_subdomain', false);
        }
    }
}

namespace WP_Ultimo\Models {
    class Domain
    {
        private $domain;
        private $stage;

        public function __construct($domain, $stage)
        {
            $this->domain = $domain;
            $this->stage = $stage;
        }

        public function get_domain()
        {
            return $this->domain;
        }

        public function get_stage()
        {
            return $this->stage;
        }
    }
}

namespace {
    function wu_log_add($handle, $message)
    {
        $dir = getenv('WU_LOG_DIR');
        file_put_contents("$dir/$handle.log", gmdate('c') . " $message\n", FILE_APPEND);
    }

    /** Action Scheduler's API: the queue is kept for the test to inspect and run. */
    if (!getenv('CLOSTE_WP_NO_ACTION_SCHEDULER')) {
        function as_schedule_single_action($timestamp, $hook, $args = [], $group = '')
        {
            $GLOBALS['closte_test_scheduled'][] = compact('timestamp', 'hook', 'args', 'group');
            return count($GLOBALS['closte_test_scheduled']);
        }
    }

    // The plugin loads its host providers on plugins_loaded.
    add_action('plugins_loaded', function () {
        \WP_Ultimo\Integrations\Host_Providers\Closte_Host_Provider::get_instance();
        do_action('wp_ultimo_host_providers_load');
    });
}
