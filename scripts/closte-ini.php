<?php
/*
 * Prints closte.ini for a distribution's conf.d / mods-available directory: the
 * extension line and every INI setting the loaded extension declares, with its
 * default, commented out. Run with the module loaded and no other ini:
 *   php -n -d extension=/path/to/closte.so scripts/closte-ini.php
 */

if (!extension_loaded('closte')) {
    fwrite(STDERR, "closte-ini.php: the closte extension is not loaded (php -n -d extension=.../closte.so)\n");
    exit(1);
}

$out = [
    '; closte ' . phpversion('closte') . ': Closte domain aliases for WordPress networks',
    '; priority=20',
    'extension=closte.so',
    '',
    '; Every setting with its default; uncomment to change (see the project\'s README, Configuration).',
];
$settings = ini_get_all('closte');
ksort($settings);
foreach ($settings as $name => $info) {
    $value = (string) $info['global_value'];
    $out[] = rtrim(";$name = $value");
}
echo implode("\n", $out), "\n";
