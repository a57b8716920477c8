<?php
/*
 * Checks the links of Markdown files: every relative link must name a file or folder
 * that exists, and every #anchor a heading of the target file (GitHub's slugs: lower
 * case, punctuation dropped, spaces to hyphens, "-1", "-2" for repeats) or an explicit
 * id/name. External links (http:, https:, mailto:, ...) are not fetched.
 * Usage: php -n scripts/check-links.php README.md docs/*.md
 * Prints "ok <file>" or one "FAIL <file>: <link>" per broken link, then "N passed, N failed"
 * (N = files); exits non-zero when a file fails.
 */

if ($argc < 2) {
    fwrite(STDERR, "usage: php -n scripts/check-links.php FILE.md...\n");
    exit(2);
}

/** The lines of a Markdown file outside fenced code blocks, keyed by line number. */
function prose_lines(string $text): array
{
    $out = [];
    $fence = null;
    foreach (preg_split('/\r\n|\r|\n/', $text) as $i => $line) {
        if ($fence === null && preg_match('/^ {0,3}(`{3,}|~{3,})/', $line, $m)) {
            $fence = $m[1];
            continue;
        }
        if ($fence !== null) {
            if (preg_match('/^ {0,3}(`{3,}|~{3,})\s*$/', $line, $m) && $m[1][0] === $fence[0]
                && strlen($m[1]) >= strlen($fence)) {
                $fence = null;
            }
            continue;
        }
        $out[$i + 1] = $line;
    }
    return $out;
}

/** Splits a line into [code spans, text outside them]. */
function split_code(string $line): array
{
    $code = [];
    $text = preg_replace_callback('/(`+)(.+?)(?<!`)\1(?!`)/', function ($m) use (&$code) {
        $code[] = $m[2];
        return "\x01" . (count($code) - 1) . "\x02";
    }, $line);
    return [$code, $text];
}

/** A heading's text as GitHub renders it: no markup, code spans' content kept. */
function heading_text(string $raw): string
{
    [$code, $text] = split_code($raw);
    $text = preg_replace('/!\[([^\]]*)\]\([^)]*\)/', '$1', $text);      // images: alt text
    $text = preg_replace('/\[([^\]]*)\]\([^)]*\)/', '$1', $text);       // links: their text
    $text = preg_replace('/<[^>]+>/', '', $text);                       // inline HTML
    $text = preg_replace('/\\\\([!-\/:-@\[-`{-~])/', '$1', $text);      // backslash escapes
    return preg_replace_callback('/\x01(\d+)\x02/', fn ($m) => $code[(int) $m[1]], $text);
}

/** GitHub's slug of a heading (github-slugger). */
function slug(string $text): string
{
    $text = function_exists('mb_strtolower') ? mb_strtolower($text, 'UTF-8') : strtolower($text);
    $text = preg_replace('/[^\p{L}\p{M}\p{N}\p{Pc} \-]/u', '', trim($text));
    return str_replace(' ', '-', $text);
}

/** Every anchor a file offers: heading slugs (with GitHub's -1, -2 for repeats) and ids. */
function anchors(string $file): array
{
    static $cache = [];
    if (isset($cache[$file])) {
        return $cache[$file];
    }
    $text = (string) @file_get_contents($file);
    $set = [];
    $seen = [];
    $add = function (string $s) use (&$set, &$seen) {
        $n = $seen[$s] ?? 0;
        $seen[$s] = $n + 1;
        $set[$n ? "$s-$n" : $s] = true;
    };
    $lines = prose_lines($text);
    foreach ($lines as $no => $line) {
        $prev = $lines[$no - 1] ?? null; // null after a code fence: no setext heading there
        if (preg_match('/^ {0,3}#{1,6}(?:\s+(.*?))?\s*$/', $line, $m)) {
            $raw = preg_replace('/\s+#+\s*$/', '', $m[1] ?? '');
            $add(slug(heading_text($raw)));
        } elseif ($prev !== null && trim($prev) !== '' && preg_match('/^ {0,3}(=+|-+)\s*$/', $line)
            && !preg_match('/^\s*([-*+]|\d+[.)])\s|^\s*\||^ {0,3}#/', $prev)) {
            $add(slug(heading_text(trim($prev))));                       // setext heading
        }
        if (preg_match_all('/<[a-z][^>]*\s(?:id|name)="([^"]+)"/i', $line, $ids)) {
            foreach ($ids[1] as $id) {
                $set[$id] = true;
            }
        }
    }
    return $cache[$file] = $set;
}

/** The link targets of a file, as [line number, target]. */
function links(string $text): array
{
    $out = [];
    foreach (prose_lines($text) as $no => $line) {
        [, $plain] = split_code($line);
        // Inline links and images: [text](target "title") or [text](<target>).
        preg_match_all('/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:"[^"]*"|\'[^\']*\'))?\s*\)/', $plain, $m);
        foreach ($m[1] as $t) {
            $out[] = [$no, trim($t, '<>')];
        }
        // Reference definitions: [label]: target
        if (preg_match('/^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/', $plain, $r)) {
            $out[] = [$no, trim($r[1], '<>')];
        }
        // HTML attributes.
        preg_match_all('/\s(?:href|src)="([^"]*)"/i', $plain, $h);
        foreach ($h[1] as $t) {
            $out[] = [$no, $t];
        }
    }
    return $out;
}

$root = dirname(__DIR__);
$passed = 0;
$failed = 0;
foreach (array_slice($argv, 1) as $file) {
    if (!is_file($file)) {
        echo "FAIL $file: no such file\n";
        $failed++;
        continue;
    }
    $bad = [];
    foreach (links((string) file_get_contents($file)) as [$no, $target]) {
        if ($target === '' || preg_match('/^[a-z][a-z0-9+.\-]*:|^\/\//i', $target)) {
            continue; // external (or empty, which Markdown does not make a link of)
        }
        $hash = strpos($target, '#');
        $path = rawurldecode($hash === false ? $target : substr($target, 0, $hash));
        $anchor = $hash === false ? null : rawurldecode(substr($target, $hash + 1));
        $path = preg_replace('/\?.*$/', '', $path);
        if ($path === '') {
            $dest = $file;
        } elseif ($path[0] === '/') {
            $dest = $root . $path; // GitHub resolves a leading / from the repository's root
        } else {
            $dest = dirname($file) . '/' . $path;
        }
        if (!file_exists($dest)) {
            $bad[] = "$target (line $no: no such file)";
            continue;
        }
        if ($anchor !== null && $anchor !== '' && is_file($dest) && preg_match('/\.(md|markdown)$/i', $dest)
            && !isset(anchors($dest)[$anchor])) {
            $bad[] = "$target (line $no: no heading with that anchor)";
        }
    }
    if ($bad) {
        foreach ($bad as $b) {
            echo "FAIL $file: $b\n";
        }
        $failed++;
    } else {
        echo "ok $file\n";
        $passed++;
    }
}
echo "$passed passed, $failed failed\n";
exit($failed ? 1 : 0);
