<?php
/**
 * Registers "Closte (native)" in Ultimate Multisite's integration wizard, but only after
 * checking, with Reflection, that the plugin's Base_Host_Provider and Singleton trait still
 * accept the subclass. PHP makes an incompatible method declaration a fatal error the moment
 * the class is declared, on every request; a plugin update that changed a signature must
 * instead leave the provider unregistered with one log line. Domain events never depend on
 * the provider: the bridge owns the hooks either way.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Provider_Guard
{
    const PARENT_CLASS = 'WP_Ultimo\\Integrations\\Host_Providers\\Base_Host_Provider';
    const SINGLETON = 'WP_Ultimo\\Traits\\Singleton';
    const PROVIDER_CLASS = 'Closte_Native_Host_Provider';

    /**
     * Every method Closte_Native_Host_Provider declares: name => [return type or '', number of
     * parameters]. A test compares this table with the class through Reflection.
     */
    const METHODS = [
        'detect' => ['', 0],
        'get_description' => ['', 0],
        'test_connection' => ['void', 0],
        'on_add_domain' => ['void', 2],
        'on_remove_domain' => ['void', 2],
        'on_add_subdomain' => ['', 2],
        'on_remove_subdomain' => ['', 2],
    ];

    /** @var string[] problems found by the last register() */
    public $problems = [];

    public function register(): void
    {
        if (!class_exists(self::PARENT_CLASS)) {
            return; // Ultimate Multisite not loaded (or too old to have host providers)
        }
        if (!class_exists(self::PROVIDER_CLASS, false)) {
            $this->problems = self::problems();
            if ($this->problems !== []) {
                Closte_Native_Log::add('provider not registered in the integration wizard (domain events still handled): this Ultimate Multisite version is not compatible: '
                    . implode('; ', $this->problems));
                return;
            }
            require_once __DIR__ . '/class-closte-native-host-provider.php'; // same folder
        }
        call_user_func([self::PROVIDER_CLASS, 'get_instance']);
    }

    /**
     * Why declaring the provider would fail against the loaded plugin; [] when it is safe.
     *
     * @return string[]
     */
    public static function problems(): array
    {
        if (!trait_exists(self::SINGLETON)) {
            return ['trait ' . self::SINGLETON . ' is missing'];
        }
        $parent = new ReflectionClass(self::PARENT_CLASS);
        if ($parent->isFinal() || $parent->isInterface() || $parent->isTrait()) {
            return [self::PARENT_CLASS . ' cannot be extended'];
        }
        $problems = [];
        foreach ($parent->getMethods() as $m) {
            if ($m->isAbstract() && !isset(self::METHODS[$m->getName()])) {
                $problems[] = "abstract {$m->getName()}() is not implemented";
            }
        }
        foreach (self::METHODS as $name => [$type, $params]) {
            if ($parent->hasMethod($name)) {
                $problems = array_merge($problems, self::clashes($parent->getMethod($name), $type, $params, false));
            }
        }
        // The trait's methods are copied into the subclass and must fit the parent too.
        foreach ((new ReflectionClass(self::SINGLETON))->getMethods() as $m) {
            if ($parent->hasMethod($m->getName()) && $m->getName() !== '__construct') {
                $own = $m->hasReturnType() ? (string) $m->getReturnType() : '';
                $problems = array_merge($problems, self::clashes($parent->getMethod($m->getName()), $own, $m->getNumberOfParameters(), $m->isStatic()));
            }
        }
        foreach ((new ReflectionClass(self::SINGLETON))->getProperties() as $p) {
            if ($parent->hasProperty($p->getName())) {
                $problems[] = "property \${$p->getName()} is declared by both the trait and the parent";
            }
        }
        return $problems;
    }

    /** @return string[] why a method with this return type and parameter count cannot override $m */
    private static function clashes(ReflectionMethod $m, string $type, int $params, bool $static): array
    {
        $name = $m->getName() . '()';
        $out = [];
        if ($m->isFinal()) {
            $out[] = "$name is final";
        }
        if ($m->isStatic() !== $static) {
            $out[] = "$name is " . ($m->isStatic() ? '' : 'not ') . 'static';
        }
        if ($m->hasReturnType() && (string) $m->getReturnType() !== $type) {
            $out[] = "$name must return " . $m->getReturnType() . ($type === '' ? '' : ", not $type");
        }
        if ($m->getNumberOfParameters() !== $params || $m->getNumberOfRequiredParameters() > $params) {
            $out[] = "$name takes {$m->getNumberOfParameters()} parameters, not $params";
        }
        return $out;
    }

    /**
     * The wizard's "Test connection" for the built-in Closte integration would post the key
     * to Closte's write endpoint and log its first ten characters. While the bridge is active
     * that test is answered here: for network admins with the extension's read-only test,
     * for anyone else with a 403 (the plugin itself checks no capability there). Tests of
     * other integrations pass through untouched.
     */
    public function take_over_connection_test(): void
    {
        $id = isset($_REQUEST['integration']) ? sanitize_key(wp_unslash($_REQUEST['integration'])) : '';
        if ($id !== 'closte') {
            return;
        }
        if (!current_user_can(Closte_Native_Requirements::CAPABILITY)) {
            wp_send_json_error(['message' => __('Sorry, you are not allowed to test host integrations.', 'closte-native')], 403);
            return;
        }
        Closte_Native_Log::add("took over the wizard's connection test of the built-in Closte integration: closte-native answers it");
        Closte_Native_Provider_Guard::send_connection_test();
    }

    /**
     * The wizard's "Test connection": one read-only call that proves the key works, answered
     * as JSON. wp_send_json_*() ends the request, so it is called outside the try.
     */
    public static function send_connection_test(): void
    {
        try {
            $r = Closte\test_connection();
        } catch (Throwable $e) {
            wp_send_json_error(['message' => Closte_Native_Failure::explain($e)]);
            return;
        }
        wp_send_json_success([
            'message' => sprintf('Connected to Closte: %d domain aliases (%.0f ms).', $r['domains'], $r['elapsed_ms']),
            'domains' => $r['domains'],
        ]);
    }
}
