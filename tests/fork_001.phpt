--TEST--
pcntl_fork(): a child process gets its own runtime and client, works, and never hangs; the parent keeps working
--EXTENSIONS--
closte
pcntl
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
Closte\add_domain('parent-before.example.com'); // the parent's runtime and pooled connection exist now
$children = [];
for ($i = 0; $i < 2; $i++) {
    $pid = pcntl_fork();
    if ($pid === 0) {
        try {
            $r = Closte\add_domain("child$i.example.com");
            $n = count(Closte\list_domains());
            exit($r['status'] === 'added' && $n >= 2 ? 0 : 3);
        } catch (Throwable $e) {
            fwrite(STDERR, $e->getMessage());
            exit(4);
        }
    }
    $children[] = $pid;
}
$deadline = microtime(true) + 30;
$codes = [];
while ($children && microtime(true) < $deadline) {
    foreach ($children as $k => $pid) {
        if (pcntl_waitpid($pid, $status, WNOHANG) === $pid) {
            $codes[] = pcntl_wexitstatus($status);
            unset($children[$k]);
        }
    }
    usleep(10000); // polling the children, not waiting for a server
}
foreach ($children as $pid) { posix_kill($pid, SIGKILL); }
echo 'children still running: ', count($children), "\n";
sort($codes);
echo 'exit codes: ', implode(',', $codes), "\n";
echo Closte\add_domain('parent-after.example.com')['status'], "\n";
$l = array_column(Closte\list_domains(), 'domain');
sort($l);
echo implode(' ', $l), "\n";
// Each child opened its own connection: none reused the parent's pooled socket.
$conn = [];
foreach ($emu->calls('adddomainalias') as $c) {
    $conn[$c['form']['domain']] = $c['conn'];
}
var_dump($conn['parent-before.example.com'] === $conn['parent-after.example.com']);
var_dump(count(array_unique([$conn['parent-before.example.com'], $conn['child0.example.com'], $conn['child1.example.com']])));
?>
--EXPECT--
children still running: 0
exit codes: 0,0
added
child0.example.com child1.example.com parent-after.example.com parent-before.example.com
bool(true)
int(3)
