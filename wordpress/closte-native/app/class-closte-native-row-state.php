<?php
/**
 * What one status row says, decided once for every face: on Closte (not sent, a retry
 * pending, unknown, yes, missing), DNS (not checked, ok, wrong) and the certificate (not
 * checked, valid, expiring by the extension's word, invalid). The console's cells and
 * `wp closte status` turn these states into their own words; neither decides a state.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Row_State
{
    /**
     * On Closte: 'invalid' (the extension refuses the name: nothing is sent), 'retry' (an
     * add of the name is in flight: `$inflight` is its Closte_Native_Wanted record),
     * 'unknown' (Closte's list could not be read), 'yes' or 'missing'.
     */
    public static function closte(array $row, ?array $inflight): string
    {
        if ($row['invalid'] !== null) {
            return 'invalid';
        }
        if ($inflight !== null && $inflight['op'] === 'add') {
            return 'retry';
        }
        if ($row['on_closte'] === null) {
            return 'unknown';
        }
        return (int) $row['on_closte'] === 1 ? 'yes' : 'missing';
    }

    /** DNS: 'unchecked', 'ok' or 'wrong' (dns_reason says why). */
    public static function dns(array $row): string
    {
        if ($row['dns_ok'] === null) {
            return 'unchecked';
        }
        return (int) $row['dns_ok'] === 1 ? 'ok' : 'wrong';
    }

    /** The certificate: 'unchecked', 'valid', 'expiring' (the extension's expiring_soon, as stored) or 'invalid' (cert_reason says why). */
    public static function certificate(array $row): string
    {
        if ($row['cert_valid'] === null) {
            return 'unchecked';
        }
        if ((int) $row['cert_valid'] === 1) {
            return (int) $row['cert_expiring'] === 1 ? 'expiring' : 'valid';
        }
        return 'invalid';
    }
}
