<?php
/*
 * Checks php-stubs/closte.php and README.md against the loaded extension, so the docs
 * cannot drift: every function (parameters, types, defaults, return type), every class
 * (parent), every INI setting and default. Usage: php -n scripts/check-stubs.php path/to/libcloste.so
 * Prints "ok ..." / "FAIL ..." lines, then "N passed, N failed".
 */

$root = dirname(__DIR__);
$stubFile = "$root/php-stubs/closte.php";

function describe(array $functions, array $classes): array
{
    $out = ['functions' => [], 'classes' => []];
    foreach ($functions as $name) {
        $f = new ReflectionFunction($name);
        $params = [];
        foreach ($f->getParameters() as $p) {
            $params[] = sprintf(
                '%s $%s%s',
                (string) $p->getType(),
                $p->getName(),
                $p->isOptional() ? ' = ' . var_export($p->getDefaultValue(), true) : ''
            );
        }
        $out['functions'][strtolower($f->getName())] = implode(', ', $params) . ': ' . $f->getReturnType();
    }
    foreach ($classes as $name) {
        $c = new ReflectionClass($name);
        $methods = [];
        foreach ($c->getMethods() as $m) {
            if ($m->getDeclaringClass()->getName() === $c->getName()) {
                $methods[] = ($m->isPublic() ? 'public ' : 'protected ') . $m->getName() . '(): ' . $m->getReturnType();
            }
        }
        $props = [];
        foreach ($c->getProperties() as $p) {
            if ($p->getDeclaringClass()->getName() === $c->getName()) {
                $props[] = ($p->isPublic() ? 'public $' : 'protected $') . $p->getName() . ' = ' . var_export($p->getDefaultValue(), true);
            }
        }
        sort($methods);
        sort($props);
        $out['classes'][$c->getName()] = 'extends ' . ($c->getParentClass() ? $c->getParentClass()->getName() : '-')
            . ($c->isFinal() ? ' final' : '') . ($c->isAbstract() ? ' abstract' : '')
            . ($methods ? ' { ' . implode('; ', $methods) . ' }' : '') . ($props ? ' [' . implode('; ', $props) . ']' : '');
    }
    ksort($out['functions']);
    ksort($out['classes']);
    return $out;
}

if (($argv[1] ?? '') === '--describe-stubs') {
    require $stubFile;
    $fns = array_filter(get_defined_functions()['user'], fn ($f) => str_starts_with($f, 'closte\\'));
    $cls = array_filter(get_declared_classes(), fn ($c) => str_starts_with($c, 'Closte\\'));
    echo json_encode(describe($fns, $cls));
    exit(0);
}
if (($argv[1] ?? '') === '--describe-ext') {
    $ext = new ReflectionExtension('closte');
    $d = describe(array_keys($ext->getFunctions()), $ext->getClassNames());
    $d['ini'] = array_map(fn ($e) => (string) $e['global_value'], ini_get_all('closte'));
    echo json_encode($d);
    exit(0);
}

$so = $argv[1] ?? "$root/target/release/libcloste.so";
$php = escapeshellarg(PHP_BINARY);
$self = escapeshellarg(__FILE__);
$stubs = json_decode((string) shell_exec("$php -n $self --describe-stubs"), true);
$ext = json_decode((string) shell_exec("$php -n -d extension=" . escapeshellarg($so) . " $self --describe-ext"), true);

$passed = 0;
$failed = 0;
$check = function (bool $ok, string $what, string $detail = '') use (&$passed, &$failed) {
    if ($ok) {
        $passed++;
        echo "ok $what\n";
    } else {
        $failed++;
        echo "FAIL $what $detail\n";
    }
};

if (!is_array($stubs) || !is_array($ext)) {
    $check(false, 'describe', 'could not describe the stubs or the extension');
    echo "$passed passed, $failed failed\n";
    exit(1);
}

foreach (['functions', 'classes'] as $kind) {
    foreach ($ext[$kind] as $name => $sig) {
        $doc = $stubs[$kind][$name] ?? null;
        $check($doc === $sig, "$kind $name", "extension: $sig; stubs: " . ($doc ?? 'missing'));
    }
    foreach (array_diff_key($stubs[$kind], $ext[$kind]) as $name => $_) {
        $check(false, "$kind $name", 'documented in the stubs but not in the extension');
    }
}

// Every function's docblock has a summary, an array-shape @return and @throws.
$source = file_get_contents($stubFile);
foreach (array_keys($ext['functions']) as $fn) {
    $short = substr($fn, strlen('closte\\'));
    $ok = preg_match('#/\*\*\s*\n\s*\*\s*\S.*?\*/\s*function ' . preg_quote($short) . '\(#s', $source, $m)
        && preg_match('/@return ((list<)?array\{|string\n)/', $m[0]) && str_contains($m[0], '@throws');
    $check((bool) $ok, "docblock $fn", 'needs a summary, an array{...} (or string) @return and @throws');
}

// INI: the stubs' table, the README's table and the extension agree on names and defaults.
preg_match_all('/^\s*\*\s+(closte\.[a-z_]+) =[ ]?(.*)$/m', $source, $m);
$stubIni = array_combine($m[1], array_map('trim', $m[2]));
preg_match_all('/^\|\s*`(closte\.[a-z_]+)`\s*\|\s*`?([^|`]*?)`?\s*\|/m', (string) @file_get_contents("$root/README.md"), $m);
$readmeIni = array_combine($m[1], array_map('trim', $m[2]));
ksort($stubIni);
ksort($readmeIni);
$extIni = $ext['ini'];
ksort($extIni);
$check($stubIni === $extIni, 'ini in php-stubs', json_encode(['extension' => $extIni, 'stubs' => $stubIni]));
$check($readmeIni === $extIni, 'ini in README.md', json_encode(['extension' => $extIni, 'readme' => $readmeIni]));
// The ini file `make install` writes lists every setting with its default.
$written = (string) shell_exec('CLOSTE_SO=' . escapeshellarg(realpath($so) ?: $so) . ' ' . escapeshellarg("$root/scripts/install.sh") . ' --print-ini 2>&1');
preg_match_all('/^;(closte\.[a-z_]+) = ?(.*)$/m', $written, $m);
$installIni = array_combine($m[1], $m[2]);
ksort($installIni);
$check($installIni === $extIni && str_contains($written, "\nextension=closte.so\n"), 'ini written by make install', json_encode(['extension' => $extIni, 'install' => $installIni, 'output' => $written]));

echo "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
