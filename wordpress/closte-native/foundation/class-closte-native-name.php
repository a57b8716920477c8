<?php
/**
 * One form for every domain name the bridge compares: the extension's own
 * (Closte\normalize_domain(): lower case, IDNA punycode, no trailing dot, `*.` kept), the
 * form Closte lists aliases in and the batch checks answer with. The inventory, the
 * snapshot, the console, retries, wanted-state records and the reconcile all compare
 * through key(), so `bücher.example` and `xn--bcher-kva.example` are one name everywhere.
 * PHP never decides the form itself.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Name
{
    /** @var array<string, array{0: ?string, 1: ?string}> name => [canonical, why it is not valid] */
    private static $memo = [];

    /** The canonical form, or null when the extension refuses the name (see problem()). */
    public static function canonical(string $name): ?string
    {
        return self::normalize($name)[0];
    }

    /** Why the extension refuses the name, in its words; null for a valid name. */
    public static function problem(string $name): ?string
    {
        return self::normalize($name)[1];
    }

    /**
     * The form names are compared in: the canonical form, or, for a name the extension
     * refuses, the name itself lower-cased (so it can only ever equal itself; such a name is
     * shown as invalid and never sent in a batch).
     */
    public static function key(string $name): string
    {
        return self::canonical($name) ?? strtolower(trim($name));
    }

    /** "bücher.example (xn--bcher-kva.example)": as typed, and its canonical form where they differ. */
    public static function shown(string $typed): string
    {
        $canonical = self::canonical($typed);
        return $canonical === null || $canonical === $typed ? $typed : "$typed ($canonical)";
    }

    /** @return array{0: ?string, 1: ?string} */
    private static function normalize(string $name): array
    {
        if (isset(self::$memo[$name])) {
            return self::$memo[$name];
        }
        if (!function_exists('Closte\\normalize_domain')) {
            return [null, __('the closte PHP extension is not loaded', 'closte-native')]; // not memoized: the console says so anyway
        }
        try {
            $out = [Closte\normalize_domain($name), null];
        } catch (Closte\InvalidDomainException $e) {
            $out = [null, $e->getMessage()];
        }
        if (count(self::$memo) >= 20000) {
            self::$memo = []; // a bound for long-running workers
        }
        return self::$memo[$name] = $out;
    }
}
