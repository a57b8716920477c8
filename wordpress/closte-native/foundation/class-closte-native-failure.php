<?php
/**
 * Failures, in one place: how an error of the extension (or of the bridge: a busy name, an
 * unreadable record walk) is worded for a network admin, and whether retrying can help.
 * Every face (console notices, rows, `wp closte`, logs) words a failure through here.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Failure
{
    /**
     * An error for a network admin: what happened, in the extension's words (no class
     * names), and what to do next. `$retried`: the bridge sends it again by itself (a
     * scheduled retry), so the admin is not told to try again.
     */
    public static function explain(Throwable $e, bool $retried = false): string
    {
        $message = rtrim(trim($e->getMessage()), '.');
        if ($e instanceof Closte\ConfigException) {
            if (str_contains($message, 'wp-config.php')) {
                $next = ''; // the message says where already
            } elseif (str_contains($message, 'CLOSTE_CLIENT_API_KEY') || str_contains($message, 'CLOSTE_PUBLIC_IP_ADDRESS')) {
                $next = __('Fix that constant in wp-config.php.', 'closte-native');
            } else {
                $next = __('Fix that setting of the closte extension (php.ini or its file in conf.d, see ini_get_all(\'closte\')) and reload PHP-FPM.', 'closte-native');
            }
            /* translators: 1: the extension's message, 2: what to do next */
            return rtrim(sprintf(__('Configuration problem: %1$s. %2$s', 'closte-native'), $message, $next));
        }
        if ($e instanceof Closte\ApiException) {
            if (stripos($message, 'api key') !== false || $e->getCode() === 401) {
                /* translators: %s: Closte's answer */
                return sprintf(__('Closte refused the API key (%s). Check CLOSTE_CLIENT_API_KEY in wp-config.php: it must be the key Closte\'s dashboard shows.', 'closte-native'), $message);
            }
            if ($e->isRetryable()) {
                return $retried
                    /* translators: %s: Closte's answer */
                    ? sprintf(__('Closte could not take the request now (%s).', 'closte-native'), $message)
                    /* translators: %s: Closte's answer */
                    : sprintf(__('Closte could not take the request now (%s). Try again in a few minutes.', 'closte-native'), $message);
            }
            return sprintf(__('Closte refused: %s.', 'closte-native'), $message);
        }
        if ($e instanceof Closte\TransportException) {
            // The extension's own words already name Closte where it can ("Closte (host)
            // closed the connection before answering"): kept; else what failed, in brackets.
            /* translators: %s: what failed, in the extension's words */
            $what = str_starts_with($message, 'Closte ') ? $message : sprintf(__('Closte could not be reached (%s)', 'closte-native'), $message);
            if (!$e->isRetryable()) {
                return $what . '. ' . __('This will not pass by itself: check closte.api_url and closte.ca_file.', 'closte-native');
            }
            return $retried ? $what . '.'
                : $what . '. ' . __('Try again in a few minutes; if it keeps failing, check that this server can reach closte.api_url over HTTPS.', 'closte-native');
        }
        if ($e instanceof Closte\InvalidDomainException) {
            /* translators: %s: why the extension refuses the name */
            return sprintf(__('%s. Correct the name in its domain record.', 'closte-native'), $message);
        }
        return $message . '.';
    }

    /** Whether the extension says retrying can help, and its reason (logged with every retry decision). */
    public static function retryable(Throwable $e): array
    {
        if ($e instanceof Closte\Exception) {
            return [$e->isRetryable(), $e->getRetryReason()];
        }
        if ($e instanceof Closte_Native_Busy) {
            return [true, 'busy: another process is sending the same name'];
        }
        if ($e instanceof Closte_Native_Walk_Error) {
            return [true, 'database: the domain records could not be read'];
        }
        return [false, 'not an error of the closte extension'];
    }
}
