--TEST--
A CA file that is not a regular file, or larger than 1 MiB, is a ConfigException before anything is read without bound
--EXTENSIONS--
closte
posix
--FILE--
<?php
require __DIR__ . '/server.inc';
$emu = (new ClosteEmulator())->use();
$dir = sys_get_temp_dir() . '/closte-ca-' . getmypid();
mkdir($dir);
posix_mkfifo("$dir/fifo", 0600) || print("no fifo\n");
file_put_contents("$dir/big.pem", str_repeat("A", 1024 * 1024 + 1));
file_put_contents("$dir/edge.pem", str_repeat("A", 1024 * 1024));
register_shutdown_function(fn () => array_map('unlink', glob("$dir/*")) && rmdir($dir));

foreach (['/dev/zero', "$dir/fifo", $dir, "$dir/big.pem", "$dir/edge.pem", "$dir/missing.pem", "a\0b"] as $path) {
    $shown = str_replace([$dir, "\0"], ['DIR', '\0'], $path);
    echo $shown, "\n  option:    ", str_replace($dir, 'DIR', closte_throws(fn () => Closte\add_domain('x.example.com', ['ca_file' => $path]))), "\n";
    echo "  check_ssl: ", str_replace($dir, 'DIR', closte_throws(fn () => Closte\check_ssl('x.example.com', ['ca_file' => $path]))), "\n";
}
ini_set('closte.ca_file', '/dev/zero');
echo "INI: ", closte_throws(fn () => Closte\list_domains()), "\n";
echo "requests sent: ", count($emu->requests()), "\n";
?>
--EXPECT--
/dev/zero
  option:    Closte\ConfigException: CA file /dev/zero is not a regular file (code 0)
  check_ssl: Closte\ConfigException: CA file /dev/zero is not a regular file (code 0)
DIR/fifo
  option:    Closte\ConfigException: CA file DIR/fifo is not a regular file (code 0)
  check_ssl: Closte\ConfigException: CA file DIR/fifo is not a regular file (code 0)
DIR
  option:    Closte\ConfigException: CA file DIR is not a regular file (code 0)
  check_ssl: Closte\ConfigException: CA file DIR is not a regular file (code 0)
DIR/big.pem
  option:    Closte\ConfigException: CA file DIR/big.pem is larger than the 1024 KiB limit (1048577 bytes) (code 0)
  check_ssl: Closte\ConfigException: CA file DIR/big.pem is larger than the 1024 KiB limit (1048577 bytes) (code 0)
DIR/edge.pem
  option:    Closte\ConfigException: CA file DIR/edge.pem holds no PEM certificate (code 0)
  check_ssl: Closte\ConfigException: CA file DIR/edge.pem holds no PEM certificate (code 0)
DIR/missing.pem
  option:    Closte\ConfigException: cannot read CA file DIR/missing.pem: No such file or directory (os error 2) (code 0)
  check_ssl: Closte\ConfigException: cannot read CA file DIR/missing.pem: No such file or directory (os error 2) (code 0)
a\0b
  option:    Closte\ConfigException: cannot read CA file a\x00b: file name contained an unexpected NUL byte (code 0)
  check_ssl: Closte\ConfigException: cannot read CA file a\x00b: file name contained an unexpected NUL byte (code 0)
INI: Closte\ConfigException: CA file /dev/zero is not a regular file (code 0)
requests sent: 0
