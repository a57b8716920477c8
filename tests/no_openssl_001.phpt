--TEST--
The extension links no OpenSSL (PHP loads its own); TLS is rustls
--EXTENSIONS--
closte
--FILE--
<?php
$so = null;
foreach (file('/proc/self/maps') as $line) {
    if (preg_match('#\s(/\S*libcloste\.so|/\S*/closte\.so)$#', trim($line), $m)) {
        $so = $m[1];
        break;
    }
}
var_dump($so !== null && is_file($so));
$deps = shell_exec('ldd ' . escapeshellarg($so));
var_dump(str_contains($deps, 'libc.so'));             // ldd did answer
var_dump(preg_match('/libssl|libcrypto/', $deps));
?>
--EXPECT--
bool(true)
bool(true)
int(0)
