<?php
/*
 * Every translatable string of the must-use plugin that has placeholders (%s, %d, %1$s, …)
 * carries a translator comment: a `/* translators: … *\/` comment in the lines just above
 * the call (WordPress's rule: translators see the string out of context). Run by make lint.
 * usage: php scripts/check-i18n.php FILE...   Prints "FAIL FILE:LINE …" for each string without one, ends
 * with "N passed, N failed" and exits 1 on a failure.
 */

$passed = 0;
$failed = 0;
foreach (array_slice($argv, 1) as $file) {
    $tokens = token_get_all((string) file_get_contents($file));
    $missing = [];
    $last_translators = -100; // the line of the last translators comment
    $n = count($tokens);
    for ($i = 0; $i < $n; $i++) {
        $t = $tokens[$i];
        if (!is_array($t)) {
            continue;
        }
        if ($t[0] === T_COMMENT && preg_match('#^/\*\s*translators:#i', $t[1])) {
            $last_translators = $t[2] + substr_count($t[1], "\n");
            continue;
        }
        if ($t[0] !== T_STRING || !in_array($t[1], ['__', '_e', '_n', '_x', 'esc_html__', 'esc_html_e', 'esc_attr__', 'esc_attr_e', '_nx', 'esc_html_x'], true)) {
            continue;
        }
        // The call's first string argument.
        $j = $i + 1;
        while ($j < $n && is_array($tokens[$j]) && $tokens[$j][0] === T_WHITESPACE) {
            $j++;
        }
        if (($tokens[$j] ?? null) !== '(') {
            continue;
        }
        $j++;
        while ($j < $n && is_array($tokens[$j]) && $tokens[$j][0] === T_WHITESPACE) {
            $j++;
        }
        if (!is_array($tokens[$j] ?? null) || $tokens[$j][0] !== T_CONSTANT_ENCAPSED_STRING) {
            continue;
        }
        $string = $tokens[$j][1];
        if (!preg_match('/%(\d+\$)?[sdfu]/', str_replace('%%', '', $string))) {
            continue;
        }
        // A comment within the four lines above the call's line (a multi-line sprintf()
        // or a ternary keeps it close), and no other call in between took it.
        if ($t[2] - $last_translators > 4) {
            $missing[] = $t[2] . ' ' . substr($string, 0, 70);
        }
    }
    if ($missing === []) {
        $passed++;
        // quiet when all is well: make lint prints the summary only
    } else {
        $failed++;
        foreach ($missing as $m) {
            echo "FAIL $file:$m (no /* translators: */ comment above)\n";
        }
    }
}
echo "$passed passed, $failed failed\n";
exit($failed > 0 ? 1 : 0);
