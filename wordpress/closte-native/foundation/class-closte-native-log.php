<?php
/**
 * The bridge's logs, in Ultimate Multisite's own log files (wu_log_add(): Ultimate
 * Multisite → Logs): integration-closte for the bridge, domain-<name> for one domain's
 * progress, where the admin looks for it. Without Ultimate Multisite, PHP's error log.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Log
{
    const HANDLE = 'integration-closte';

    /** A line in the bridge's own log. */
    public static function add(string $message): void
    {
        if (function_exists('wu_log_add')) {
            wu_log_add(self::HANDLE, $message);
        } else {
            error_log('closte-native: ' . $message);
        }
    }

    /** The domain's own log in Ultimate Multisite, where the admin looks for its progress. */
    public static function domain(string $name, string $message): void
    {
        function_exists('wu_log_add') ? wu_log_add("domain-$name", $message) : self::add("$name: $message");
    }
}
