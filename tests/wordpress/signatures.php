<?php
/*
 * The test double against the real plugin: every class member and function listed in
 * ultimo-signatures.php (read from Ultimate Multisite 2.4.10 and Action Scheduler) must be
 * declared by the double with exactly that signature, and the double's classes may declare
 * nothing the table does not list (members named double_* are the double's own storage).
 * Then the bridge's provider against the same table: its methods must be exactly those its
 * guard checks, and the guard must find the double compatible.
 */

require __DIR__ . '/scenario.inc';

[$t] = Scenario::start(['api_url' => false]);

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

/**
 * The calls a function body makes, in order: filters, settings, log lines and their texts,
 * model reads and writes, actions fired, what is scheduled and with which args. The same
 * pattern made the 'calls' table from the real source.
 */
function sig_calls(ReflectionFunctionAbstract $f): array
{
    $lines = array_slice(file($f->getFileName()), $f->getStartLine() - 1, $f->getEndLine() - $f->getStartLine() + 1);
    $body = implode('', $lines);
    $body = substr($body, strpos($body, '{'));
    $body = preg_replace('#//[^\n]*|/\*.*?\*/#s', '', $body);
    preg_match_all("/\b(__|apply_filters|do_action|wu_get_setting|wu_enqueue_async_action|wu_schedule_single_action|wu_unschedule_action|wu_get_scheduled_actions|as_[a-z_]+|wu_switch_blog_and_run|wu_get_domain|wu_log_add)\(\s*('[^']*'|\"[^\"]*\")?|->(set_stage|set_secure|save|has_correct_dns|has_valid_ssl_certificate|get_stage|get_domain)\(\s*([^)]*)\)|'(domain_id|tries)'\s*=>\s*([^,\]\s]+)|(time\(\)\s*\+\s*[$]\w+)/", $body, $m, PREG_SET_ORDER);
    return array_map(function ($x) {
        if (($x[7] ?? '') !== '') {
            return preg_replace('/\s+/', ' ', $x[7]);
        }
        if (($x[5] ?? '') !== '') {
            return "'{$x[5]}' => {$x[6]}";
        }
        if (($x[3] ?? '') !== '') {
            return "->{$x[3]}(" . trim($x[4]) . ')';
        }
        return $x[1] . '(' . ($x[2] ?? '');
    }, $m);
}

/**
 * The query vars the bridge passes to wu_get_domains(): every array literal given to
 * wu_get_domains( or to Closte_Native_Inventory's ->read( (which hands it on), read from
 * the plugin's source: its top-level keys, each orderby value and each date_query column.
 *
 * @return array{keys: list<string>, orderby: list<string>, date_columns: list<string>}
 */
function sig_query_vars(string $dir): array
{
    $out = ['keys' => [], 'orderby' => [], 'date_columns' => []];
    foreach (array_merge(glob("$dir/*.php"), glob("$dir/*/*.php")) as $file) { // the plugin's classes, in their layer folders
        $src = (string) file_get_contents($file);
        preg_match_all('/(?:\bwu_get_domains|->read)\(\s*\[/', $src, $m, PREG_OFFSET_CAPTURE);
        foreach ($m[0] as [$match, $at]) {
            $start = $at + strlen($match);
            for ($i = $start, $depth = 1; $depth > 0 && $i < strlen($src); $i++) {
                $depth += ['[' => 1, ']' => -1][$src[$i]] ?? 0;
            }
            $body = substr($src, $start, $i - $start - 1);
            $top = preg_replace('/\[[^\[\]]*\]/', '[]', preg_replace('/\[[^\[\]]*\]/', '[]', $body)); // nested arrays folded
            preg_match_all("/'(\w+)'\s*=>/", $top, $k);
            preg_match_all("/'orderby'\s*=>\s*'(\w+)'/", $body, $o);
            preg_match_all("/'column'\s*=>\s*'(\w+)'/", $body, $c);
            $out['keys'] = array_merge($out['keys'], $k[1]);
            $out['orderby'] = array_merge($out['orderby'], $o[1]);
            $out['date_columns'] = array_merge($out['date_columns'], $c[1]);
        }
    }
    return array_map(fn ($v) => array_values(array_unique($v)), $out);
}

$table = require __DIR__ . '/ultimo-signatures.php';
foreach ($table as $name => $expected) {
    if ($name === 'query') {
        $real = $expected['wu_get_domains'];
        $used = sig_query_vars(dirname(__DIR__, 2) . '/wordpress/closte-native');
        $t->check('query vars: the bridge passes some to wu_get_domains (read from its source)', in_array('number', $used['keys'], true) && count($used['keys']) >= 5, json_encode($used));
        $valid = array_merge($real['own'], array_map(fn ($c) => "{$c}__in", $real['columns']));
        $t->same('query vars: each the bridge passes is one the real plugin\'s query takes', [], array_values(array_diff($used['keys'], $valid)));
        $t->same('query vars: each orderby is a sortable column of the real schema, each date_query column a date column',
            [[], []], [array_values(array_diff($used['orderby'], $real['sortable'])), array_values(array_diff($used['date_columns'], $real['date_query']))]);
        // The double implements each of them (it reads $args['var'] in Domain::query()).
        $q = new ReflectionMethod('WP_Ultimo\Models\Domain', 'query');
        $body = implode('', array_slice(file($q->getFileName()), $q->getStartLine() - 1, $q->getEndLine() - $q->getStartLine() + 1));
        $t->same('query vars: the double\'s Domain::query() handles each the bridge passes', [],
            array_values(array_filter($used['keys'], fn ($k) => !str_contains($body, "\$args['$k']"))));
        continue;
    }
    if ($name === 'calls') {
        foreach ($expected as $fn => $calls) {
            $r = str_contains($fn, "::") ? new ReflectionMethod(...explode("::", $fn)) : new ReflectionFunction($fn);
            $t->same("double: $fn() reads, writes, logs, fires and schedules as the plugin's", $calls, sig_calls($r));
        }
        continue;
    }
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

// The bridge's one list of Ultimate Multisite's stages (Closte_Native_Stages) holds the values of
// the real Domain_Stage's constants (the table above, read from Ultimate Multisite 2.4.10).
$real = [];
foreach ($table['WP_Ultimo\Database\Domains\Domain_Stage'] ?? [] as $line) {
    if (preg_match("/^const (\w+) = '([^']*)'$/", $line, $m)) {
        $real[$m[1]] = $m[2];
    }
}
$ours = array_intersect_key((new ReflectionClass('Closte_Native_Stages'))->getConstants(), $real);
ksort($real);
ksort($ours);
$t->same('stages: the bridge\'s stage names are Domain_Stage\'s constants, each of them', $real, $ours);

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
