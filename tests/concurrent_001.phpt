--TEST--
Eight processes adding and removing the same 50 domains at once: no spurious ApiException, every status one of the documented four
--EXTENSIONS--
closte
pcntl
posix
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$names = array_map(fn ($i) => "race$i.example.com", range(1, 50));
$out = sys_get_temp_dir() . '/closte-race-' . getmypid();
mkdir($out);
$children = [];
for ($p = 0; $p < 8; $p++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        $seen = [];
        $errors = [];
        mt_srand($p); // a fixed, different order in each process
        for ($round = 0; $round < 2; $round++) {
            $order = $names;
            shuffle($order);
            foreach ($order as $name) {
                foreach (['Closte\add_domain', 'Closte\remove_domain'] as $fn) {
                    try {
                        $seen[$fn($name)['status']] = true;
                    } catch (Throwable $e) {
                        $errors[] = get_class($e) . ': ' . $e->getMessage();
                    }
                }
            }
        }
        file_put_contents("$out/$p.json", json_encode(['statuses' => array_keys($seen), 'errors' => $errors]));
        exit(0);
    }
    $children[] = $pid;
}
$deadline = microtime(true) + 120;
while ($children && microtime(true) < $deadline) {
    foreach ($children as $k => $pid) {
        if (pcntl_waitpid($pid, $status, WNOHANG) === $pid) {
            unset($children[$k]);
        }
    }
    usleep(10000); // polling the children, not waiting for a server
}
foreach ($children as $pid) { posix_kill($pid, SIGKILL); }
echo 'children still running: ', count($children), "\n";
$statuses = [];
$errors = [];
foreach (glob("$out/*.json") as $f) {
    $r = json_decode(file_get_contents($f), true);
    $statuses = array_merge($statuses, $r['statuses']);
    $errors = array_merge($errors, $r['errors']);
    unlink($f);
}
rmdir($out);
echo 'reports: ', 8 - count($children), "\n";
$statuses = array_unique($statuses);
sort($statuses);
echo 'statuses seen: ', implode(' ', $statuses), "\n";
echo 'errors: ', count($errors), "\n", implode("\n", array_slice($errors, 0, 5));
echo "calls: ", count($emu->calls('adddomainalias')) + count($emu->calls('deletedomainalias')) >= 1600 ? 'all sent' : 'missing', "\n";
?>
--EXPECT--
children still running: 0
reports: 8
statuses seen: added already_present not_present removed
errors: 0
calls: all sent
