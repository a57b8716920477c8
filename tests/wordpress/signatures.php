<?php
/*
 * The test double against the real plugin: every class member and function listed in
 * ultimo-signatures.php (read from Ultimate Multisite 2.4.10 and Action Scheduler) must be
 * declared by the double with exactly that signature, and the double's classes may declare
 * nothing the table does not list (members named double_* are the double's own storage).
 * Then the bridge's provider against the same table: its methods must be exactly those its
 * guard checks, and the guard must find the double compatible.
 */

require __DIR__ . '/../server.inc';
require __DIR__ . '/harness.inc';

$emu = new ClosteEmulator();
putenv('CLOSTE_WP_KEY=' . $emu->key);
require __DIR__ . '/bootstrap.php';
$t = new Harness();

function sig_default(ReflectionParameter $p): string
{
    if ($p->isDefaultValueConstant()) {
        return '\\' . ltrim($p->getDefaultValueConstantName(), '\\');
    }
    $v = $p->getDefaultValue();
    return match (true) {
        $v === [] => '[]',
        $v === null => 'null',
        is_bool($v) => $v ? 'true' : 'false',
        default => var_export($v, true),
    };
}

function sig_function(ReflectionFunctionAbstract $f): string
{
    $params = [];
    foreach ($f->getParameters() as $p) {
        $params[] = ($p->hasType() ? $p->getType() . ' ' : '') . '$' . $p->getName()
            . ($p->isDefaultValueAvailable() ? ' = ' . sig_default($p) : '');
    }
    $mods = $f instanceof ReflectionMethod ? implode(' ', Reflection::getModifierNames($f->getModifiers())) . ' ' : '';
    return $mods . 'function ' . $f->getName() . '(' . implode(', ', $params) . ')' . ($f->hasReturnType() ? ': ' . $f->getReturnType() : '');
}

function sig_property(ReflectionProperty $p): string
{
    return implode(' ', Reflection::getModifierNames($p->getModifiers())) . ($p->hasType() ? ' ' . $p->getType() : '') . ' $' . $p->getName();
}

/** What the class's own body declares: no inherited members, none copied from a trait. */
function sig_declared(ReflectionClass $c): array
{
    $traitLines = [];
    $traitProps = [];
    foreach ($c->getTraits() as $trait) {
        $traitLines[] = [$trait->getFileName(), $trait->getStartLine(), $trait->getEndLine()];
        $traitProps = array_merge($traitProps, array_map(fn ($p) => $p->getName(), $trait->getProperties()));
    }
    $own = [];
    foreach ($c->getProperties() as $p) {
        if ($p->getDeclaringClass()->getName() === $c->getName() && !in_array($p->getName(), $traitProps, true) && !str_starts_with($p->getName(), 'double_')) {
            $own[] = sig_property($p);
        }
    }
    foreach ($c->getMethods() as $m) {
        $fromTrait = array_filter($traitLines, fn ($r) => $m->getFileName() === $r[0] && $m->getStartLine() >= $r[1] && $m->getEndLine() <= $r[2]);
        if ($m->getDeclaringClass()->getName() === $c->getName() && !$fromTrait && !str_starts_with($m->getName(), 'double_')) {
            $own[] = sig_function($m);
        }
    }
    foreach ($c->getReflectionConstants() as $k) {
        if ($k->getDeclaringClass()->getName() === $c->getName()) {
            $own[] = 'const ' . $k->getName() . ' = ' . var_export($k->getValue(), true);
        }
    }
    return $own;
}

$table = require __DIR__ . '/ultimo-signatures.php';
foreach ($table as $name => $expected) {
    if ($name === 'functions') {
        foreach ($expected as $sig) {
            preg_match('/^function (\w+)\(/', $sig, $m);
            $actual = function_exists($m[1]) ? sig_function(new ReflectionFunction($m[1])) : 'undefined';
            $t->same("double: $m[1]()", $sig, $actual);
        }
        continue;
    }
    $exists = class_exists($name) || trait_exists($name);
    $t->check("double: $name exists", $exists);
    if (!$exists) {
        continue;
    }
    $actual = sig_declared(new ReflectionClass($name));
    $t->same("double: $name declares every member as the plugin does", [], array_values(array_diff($expected, $actual)));
    $t->same("double: $name declares nothing the plugin lacks", [], array_values(array_diff($actual, $expected)));
}

// The bridge's provider: declared exactly as its guard describes, and compatible.
$t->same('provider: the guard finds the plugin compatible', [], Closte_Native_Provider_Guard::problems());
$t->check('provider: declared after wp_ultimo_host_providers_load', class_exists('Closte_Native_Host_Provider', false));
$methods = [];
foreach ((new ReflectionClass('Closte_Native_Host_Provider'))->getMethods() as $m) {
    if ($m->getDeclaringClass()->getName() === 'Closte_Native_Host_Provider' && $m->getFileName() === (new ReflectionClass('Closte_Native_Host_Provider'))->getFileName()) {
        $methods[$m->getName()] = [$m->hasReturnType() ? (string) $m->getReturnType() : '', $m->getNumberOfParameters()];
    }
}
ksort($methods);
$guard = Closte_Native_Provider_Guard::METHODS;
ksort($guard);
$t->same("provider: its methods are exactly the guard's table", $guard, $methods);
$t->finish();
