<?php
/*
 * A HYPOTHETICAL future Ultimate Multisite whose host-provider base class declares more
 * return types (detect(): bool, get_description(): string) than 2.4.10 does. Not a copy of
 * any release: it exists to prove that the bridge, faced with a plugin it does not fit,
 * leaves its provider unregistered with one log line instead of a fatal error, and keeps
 * handling domain events. Installed as the only plugin file of a second wp-content.
 */

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
        }

        final private function __construct()
        {
        }
    }
}

namespace WP_Ultimo\Integrations\Host_Providers {
    abstract class Base_Host_Provider
    {
        protected $id;

        abstract public function detect(): bool;

        public function get_description(): string
        {
            return '';
        }

        public function test_connection(): void
        {
        }

        abstract public function on_add_domain($domain, $site_id);

        abstract public function on_remove_domain($domain, $site_id);

        abstract public function on_add_subdomain($subdomain, $site_id);

        abstract public function on_remove_subdomain($subdomain, $site_id);
    }
}

namespace {
    function wu_log_add($handle, $message, $log_level = 'info')
    {
        file_put_contents(getenv('WU_LOG_DIR') . "/$handle.log", gmdate('c') . " $message\n", FILE_APPEND);
    }

    add_action('plugins_loaded', function () {
        do_action('wp_ultimo_host_providers_load');
    });
}
