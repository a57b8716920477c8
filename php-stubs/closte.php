<?php

/**
 * IDE and static-analysis stubs for the `closte` PHP extension: Closte domain aliases for
 * WordPress networks. Never include this file at run time: the extension defines all of it.
 * tests check it against the loaded extension through Reflection (scripts/check-stubs.php).
 *
 * INI settings (php.ini, a conf.d file, or ini_set(); read at every call):
 *
 *   closte.api_url = https://app.closte.com/api/client
 *       Closte's client API. https:// only, except plain http:// to a loopback host (the emulator).
 *   closte.timeout = 30
 *       Seconds for a whole call, retries and backoff included (0 < t <= 600; fractions allowed).
 *   closte.connect_timeout = 10
 *       Seconds to open one connection (DNS + TCP + TLS).
 *   closte.max_retries = 2
 *       Extra attempts within a call after a transient failure (connect error, 408, 429,
 *       502/503/504, dropped reply); 0-10.
 *   closte.ca_file =
 *       A PEM file of extra trusted CA certificates, added to the system trust store
 *       (for API calls and for check_ssl()). A regular file of at most 1 MiB.
 *   closte.ssl_timeout = 10
 *       Seconds for a whole check_ssl() (DNS + connect + handshake).
 *   closte.concurrency = 8
 *       API requests in flight at once in add_domains(), remove_domains(), sync_domains(); 1-64.
 *   closte.ssl_concurrency = 32
 *       TLS handshakes in flight at once in check_ssl_many(); 1-256.
 *   closte.dns_concurrency = 32
 *       Names looked up at once in check_dns_many(); 1-256.
 *   closte.nameservers =
 *       DNS resolvers for check_dns(), as "ip" or "ip:port" separated by commas or spaces;
 *       empty means the system's (/etc/resolv.conf).
 *   closte.dns_timeout = 5
 *       Seconds for a whole check_dns() of one name (A and AAAA are asked at once).
 *
 * A `string $domain` argument may hold any bytes: a name that is not UTF-8, or holds a NUL
 * or another control character, is an InvalidDomainException. Messages escape control
 * characters (`\x00`, `\x0a`), so every exception can be created and logged as one line.
 *
 * Each setting's `concurrency` option has the same range as its INI setting.
 * ini_restore() brings a setting back to its php.ini value at run time.
 *
 * The API key is read at every call from the constant CLOSTE_CLIENT_API_KEY
 * (wp-config.php; Closte hosting defines it). It never appears in messages, logs or phpinfo(),
 * whether a server echoes it raw, percent-encoded, form-encoded or JSON-escaped. Input
 * quoted in a message is cut after 80 characters, with its length.
 */

namespace Closte;

/**
 * Base of every exception the extension throws. It says whether trying the same call again
 * later can help, decided by the extension's one retry rule: Closte unreachable, timing out,
 * cutting the connection, sending an unreadable reply, or answering HTTP 408, 429, 502,
 * 503 or 504 can pass; a refusal (`success:false`), HTTP 500, 501 and other statuses, a
 * certificate that does not verify, an invalid name or a bad setting cannot.
 */
class Exception extends \RuntimeException
{
    /** @var bool */
    protected $retryable = false;

    /** @var string */
    protected $retryReason = '';

    /** Whether trying again later (a queued retry, not a loop) can succeed. */
    public function isRetryable(): bool
    {
    }

    /** Why it is or is not retryable, in words for a log line. */
    public function getRetryReason(): string
    {
    }
}

/** The key constant is missing, empty or not a string, or a setting is unusable. */
class ConfigException extends Exception
{
}

/** The domain name was rejected before anything was sent; the message says why. */
class InvalidDomainException extends Exception
{
}

/**
 * Closte said no: `success:false` (getCode() is 200) or an HTTP error status after any
 * retries (getCode() is the status). The message carries Closte's `error` text.
 */
class ApiException extends Exception
{
}

/** DNS, connect, TLS or timeout failure, or a reply that is not Closte's JSON or is too large. */
class TransportException extends Exception
{
}

/**
 * Registers a domain alias on Closte (POST /adddomainalias). Idempotent: a name Closte
 * already has gives status `already_present`. Closte then issues a TLS certificate.
 *
 * The name is lower-cased, one trailing dot dropped, IDNs converted to punycode; a
 * leading `*.` makes a wildcard alias.
 *
 * @param string $domain e.g. `shop.example.com`, `*.example.com`, `bücher.example`
 * @param array{api_url?: string, timeout?: int|float, connect_timeout?: int|float, max_retries?: int, ca_file?: string} $options per-call overrides of the INI settings
 * @return array{domain: string, wildcard: bool, status: 'added'|'already_present', attempts: int, elapsed_ms: float}
 * @throws InvalidDomainException
 * @throws ConfigException
 * @throws ApiException
 * @throws TransportException
 * @throws \ValueError on an unknown option key or an out-of-range option value
 * @throws \TypeError on an option of the wrong type
 */
function add_domain(string $domain, array $options = []): array
{
}

/**
 * Removes a domain alias from Closte (POST /deletedomainalias). Idempotent: a name
 * Closte does not have gives status `not_present`.
 *
 * @param string $domain the name as given to add_domain()
 * @param array{api_url?: string, timeout?: int|float, connect_timeout?: int|float, max_retries?: int, ca_file?: string} $options per-call overrides of the INI settings
 * @return array{domain: string, wildcard: bool, status: 'removed'|'not_present', attempts: int, elapsed_ms: float}
 * @throws InvalidDomainException
 * @throws ConfigException
 * @throws ApiException
 * @throws TransportException
 * @throws \ValueError on an unknown option key or an out-of-range option value
 * @throws \TypeError on an option of the wrong type
 */
function remove_domain(string $domain, array $options = []): array
{
}

/**
 * The canonical form of a name: what the extension sends to Closte and reports back.
 * Lower case, international names in IDNA (punycode) form, no trailing dot, `*.` kept
 * for a wildcard: `Bücher.Example.` gives `xn--bcher-kva.example`. Two names are the
 * same alias exactly when their canonical forms are equal, so compare names (your
 * records with list_domains(), say) through this function.
 *
 * @return string
 * @throws InvalidDomainException the name is not a valid host name or wildcard
 */
function normalize_domain(string $domain): string
{
}

/**
 * Lists the domain aliases Closte has (GET /getdomains). Fields Closte adds beyond
 * `domain` and `wildcard` are passed through as they come.
 *
 * @param array{api_url?: string, timeout?: int|float, connect_timeout?: int|float, max_retries?: int, ca_file?: string} $options per-call overrides of the INI settings
 * @return list<array{domain: string, wildcard: bool, ...<string, mixed>}>
 * @throws ConfigException
 * @throws ApiException
 * @throws TransportException
 * @throws \ValueError on an unknown option key or an out-of-range option value
 * @throws \TypeError on an option of the wrong type
 */
function list_domains(array $options = []): array
{
}

/**
 * The names of Closte's aliases only (GET /getdomains, like list_domains()): each alias
 * once, in the canonical form normalize_domain() gives (`*.` for wildcards), in Closte's
 * order. A listed name that is not a valid domain name comes lower-cased, as listed. For
 * comparing a large network's names with Closte's: a string per alias takes about a sixth
 * of the memory of list_domains()' array per alias (7.7 MB against 45 MB at 100,000).
 *
 * @param array{api_url?: string, timeout?: int|float, connect_timeout?: int|float, max_retries?: int, ca_file?: string} $options per-call overrides of the INI settings
 * @return list<string>
 * @throws ConfigException
 * @throws ApiException
 * @throws TransportException
 * @throws \ValueError on an unknown option key or an out-of-range option value
 * @throws \TypeError on an option of the wrong type
 */
function list_domain_names(array $options = []): array
{
}

/**
 * Proves the key works with a read-only call (GET /getdomains); what the multisite
 * plugin's "Test connection" button should run.
 *
 * @param array{api_url?: string, timeout?: int|float, connect_timeout?: int|float, max_retries?: int, ca_file?: string} $options per-call overrides of the INI settings
 * @return array{ok: true, domains: int, elapsed_ms: float}
 * @throws ConfigException
 * @throws ApiException when Closte rejects the key
 * @throws TransportException
 * @throws \ValueError on an unknown option key or an out-of-range option value
 * @throws \TypeError on an option of the wrong type
 */
function test_connection(array $options = []): array
{
}

/**
 * Checks the certificate a domain serves, through a real TLS handshake: chain to a trusted
 * root (system store plus `ca_file`), validity dates, and host name per RFC 6125 (a
 * wildcard covers exactly one label). Server problems are reported, not thrown: `valid`
 * is false and `reason` names the first failure in this order: dns_failed,
 * connect_failed, timeout, handshake_failed, self_signed, untrusted, expired,
 * not_yet_valid, hostname_mismatch. Whenever a certificate was received, subject,
 * issuer, SANs and dates describe it, valid or not.
 *
 * ```php
 * $r = Closte\check_ssl('shop.example.com', ['connect_to' => CLOSTE_PUBLIC_IP_ADDRESS]);
 * if (!$r['valid']) { echo $r['error']; } // e.g. "served certificate is for closte.com, not shop.example.com"
 * ```
 *
 * @param string $domain a concrete host name (a `*.` wildcard is rejected)
 * @param array{port?: int, connect_to?: string, timeout?: int|float, ca_file?: string, min_days?: int} $options
 *        port (default 443); connect_to: host or IP to connect to instead of the domain's DNS
 *        (SNI and verification stay for $domain); timeout (default closte.ssl_timeout);
 *        ca_file (default closte.ca_file); min_days: report expiring_soon when fewer whole days
 *        remain; without it, expiring_soon when less than the smaller of 14 days and a sixth of
 *        the certificate's lifetime remains (90-day: 14 days, 45-day: 7.5, 6-day: 1)
 * @return array{domain: string, valid: bool, reason: null|'expired'|'not_yet_valid'|'hostname_mismatch'|'untrusted'|'self_signed'|'handshake_failed'|'connect_failed'|'dns_failed'|'timeout', error: ?string, subject: ?string, issuer: ?string, san: list<string>, not_before: ?int, not_after: ?int, days_remaining: ?int, expiring_soon: bool, protocol: ?string, peer: ?string, elapsed_ms: float}
 * @throws InvalidDomainException for a bad or wildcard name
 * @throws ConfigException for an unreadable CA file or a bad closte.ssl_timeout
 * @throws \ValueError on an unknown option key or an out-of-range option value
 * @throws \TypeError on an option of the wrong type
 */
function check_ssl(string $domain, array $options = []): array
{
}

/**
 * Registers every name of `$domains` as a domain alias, concurrently: one `/getdomains`
 * read, then a POST only for the names Closte does not have yet, at most `concurrency` in
 * flight. Names that normalize to the same alias (`Shop.Example.com`, `shop.example.com.`)
 * are sent once and reported at each position. When Closte answers 429, the whole batch
 * pauses once for its Retry-After; one longer than a call may wait fails the remaining names.
 *
 * One result per element, with the caller's keys in the caller's order (a list gives a
 * list). A name that fails does not stop the others: its `status` is `failed` and `error`
 * holds the exception the single call would have thrown. When the list read itself fails
 * (after its retries), every name carries that error and nothing else is sent.
 * `elapsed_ms` counts from the start of the call until that name's result was known.
 *
 * ```php
 * foreach (Closte\add_domains($names) as $r) {
 *     if ($r['error']) { error_log("{$r['domain']}: {$r['error']['message']}"); }
 * }
 * ```
 *
 * @param list<string>|array<array-key, string> $domains
 * @param array{api_url?: string, timeout?: int|float, connect_timeout?: int|float, max_retries?: int, ca_file?: string, concurrency?: int} $options
 *        timeout bounds each name's work (retries included); concurrency 1-64 (default closte.concurrency)
 * @return array<array-key, array{domain: string, wildcard: bool, status: 'added'|'already_present'|'failed', attempts: int, elapsed_ms: float, error: null|array{class: class-string<Exception>, message: string, code: int, retryable: bool, retry_reason: string}}>
 * @throws ConfigException missing key or unusable settings, before anything is sent
 * @throws \ValueError on an unknown option key or an out-of-range option value
 * @throws \TypeError when $domains is not an array or holds a non-string
 */
function add_domains(array $domains, array $options = []): array
{
}

/**
 * Removes every name's alias, concurrently: the mirror of add_domains(). Names Closte does
 * not have are reported `not_present` without a request.
 *
 * @param list<string>|array<array-key, string> $domains
 * @param array{api_url?: string, timeout?: int|float, connect_timeout?: int|float, max_retries?: int, ca_file?: string, concurrency?: int} $options
 * @return array<array-key, array{domain: string, wildcard: bool, status: 'removed'|'not_present'|'failed', attempts: int, elapsed_ms: float, error: null|array{class: class-string<Exception>, message: string, code: int, retryable: bool, retry_reason: string}}>
 * @throws ConfigException missing key or unusable settings, before anything is sent
 * @throws \ValueError on an unknown option key or an out-of-range option value
 * @throws \TypeError when $domains is not an array or holds a non-string
 */
function remove_domains(array $domains, array $options = []): array
{
}

/**
 * Makes Closte's aliases match `$wanted`: adds the missing ones; with `remove_unlisted`
 * also removes every alias not in `$wanted`; with `dry_run` sends no change and reports
 * what it would do. Names are wire names (lower-case, punycode, `*.` for wildcards);
 * `failed` maps a name (as given, or as Closte lists it) to its error.
 *
 * @param list<string>|array<array-key, string> $wanted
 * @param array{api_url?: string, timeout?: int|float, connect_timeout?: int|float, max_retries?: int, ca_file?: string, concurrency?: int, remove_unlisted?: bool, dry_run?: bool} $options
 * @return array{added: list<string>, removed: list<string>, unchanged: list<string>, failed: array<string, array{class: class-string<Exception>, message: string, code: int, retryable: bool, retry_reason: string}>, dry_run: bool, requests: int, elapsed_ms: float}
 * @throws ConfigException missing key or unusable settings, before anything is sent
 * @throws ApiException|TransportException when Closte's list cannot be read (nothing was changed)
 * @throws \ValueError on an unknown or out-of-range option, and for `remove_unlisted` with no
 *         valid name in $wanted (it would remove every alias)
 * @throws \TypeError when $wanted is not an array or holds a non-string
 */
function sync_domains(array $wanted, array $options = []): array
{
}

/**
 * check_ssl() for every name of `$domains`, at most `concurrency` handshakes at a time,
 * each bounded by its own timeout: a silent host delays only its own result. One result
 * per element (caller's keys and order), each exactly what check_ssl() returns; a name
 * that is not a concrete host gets `valid` false, `reason` `invalid_domain` and the message.
 *
 * `connect_to` may be one host for every name, or a map `['shop.example.com' => '203.0.113.7',
 * 'www.example.com' => '127.0.0.1:8443']` (like curl's --resolve); names not in the map use
 * their own DNS.
 *
 * @param list<string>|array<array-key, string> $domains
 * @param array{port?: int, connect_to?: string|array<string, string>, timeout?: int|float, ca_file?: string, min_days?: int, concurrency?: int} $options
 *        concurrency 1-256 (default closte.ssl_concurrency); min_days as for check_ssl()
 * @return array<array-key, array{domain: string, valid: bool, reason: null|'invalid_domain'|'expired'|'not_yet_valid'|'hostname_mismatch'|'untrusted'|'self_signed'|'handshake_failed'|'connect_failed'|'dns_failed'|'timeout', error: ?string, subject: ?string, issuer: ?string, san: list<string>, not_before: ?int, not_after: ?int, days_remaining: ?int, expiring_soon: bool, protocol: ?string, peer: ?string, elapsed_ms: float}>
 * @throws ConfigException for an unreadable CA file or a bad closte.ssl_timeout / closte.ssl_concurrency
 * @throws \ValueError on an unknown option key or an out-of-range option value
 * @throws \TypeError when $domains is not an array or holds a non-string, or an option has the wrong type
 */
function check_ssl_many(array $domains, array $options = []): array
{
}

/**
 * Resolves `$domain` (A, AAAA and its CNAME chain) through a stub resolver and says whether
 * it points where Closte expects: an expected IP among its addresses, or an expected host
 * name in its CNAME chain. The expectation is option `expect`, else the constant
 * CLOSTE_PUBLIC_IP_ADDRESS (wp-config.php on Closte), else nothing (`no_expectation`).
 * DNS failures are reported in the result, never thrown. Nothing is cached between calls.
 *
 * `reason`: null when ok, else the first that applies: `timeout` (no answer within
 * `timeout`), `servfail` (the resolver failed or refused, or could not be reached; also for
 * the CAA query), `nxdomain` (the name does not exist), `no_records` (no A or AAAA),
 * `no_expectation`; when nothing expected matched, `proxied` (every address is in
 * Cloudflare's proxy ranges) or `points_elsewhere`; when an expected IP matched but other
 * A/AAAA addresses are not expected, `partly_elsewhere`; when the addresses are right,
 * `caa_forbids` (the closest CAA record set, RFC 8659, does not allow `caa_issuer`).
 * `error` is one sentence, e.g. "shop.example.com points to 203.0.113.9; Closte expects
 * 198.51.100.7". `cname` is the chain in order (each name the previous one points to);
 * `matched` the expected entries found; `ttl` the lowest TTL seen; `caa` the relevant CAA
 * record set and the domain holding it (looked up once the addresses are right; null when
 * no name up to the TLD has one, or it was not looked up).
 *
 * @param array{nameservers?: string|list<string>, expect?: string|list<string>, timeout?: int|float, caa_issuer?: string} $options
 *        nameservers: "ip" or "ip:port" (default closte.nameservers, empty = the system's);
 *        expect: IP addresses and/or host names; timeout: seconds (default closte.dns_timeout);
 *        caa_issuer: the CA's domain a CAA record set must allow (default letsencrypt.org, Closte's CA)
 * @return array{domain: string, ok: bool, reason: null|'nxdomain'|'no_records'|'points_elsewhere'|'servfail'|'timeout'|'no_expectation'|'proxied'|'partly_elsewhere'|'caa_forbids', error: ?string, a: list<string>, aaaa: list<string>, cname: list<string>, expected: list<string>, matched: list<string>, ttl: ?int, caa: null|array{domain: string, records: list<array{flags: int, tag: string, value: string}>}, elapsed_ms: float}
 * @throws InvalidDomainException when $domain is not a concrete host name (wildcards included)
 * @throws ConfigException for a bad closte.nameservers / closte.dns_timeout, a
 *         CLOSTE_PUBLIC_IP_ADDRESS that is not an IP address, or an unreadable /etc/resolv.conf
 * @throws \ValueError on an unknown option key or an out-of-range option value
 * @throws \TypeError when an option has the wrong type
 */
function check_dns(string $domain, array $options = []): array
{
}

/**
 * check_dns() for every name of `$domains` through one resolver, at most `concurrency`
 * names at a time (each name's A and AAAA together, then CAA; a CAA record set shared by
 * several names, e.g. of their parent, is asked once), each bounded by its own timeout.
 * One result per element (caller's keys and order); names that normalize alike are asked
 * once. A name that is not a concrete host gets `ok` false, `reason` `invalid_domain` and
 * the message.
 *
 * @param list<string>|array<array-key, string> $domains
 * @param array{nameservers?: string|list<string>, expect?: string|list<string>, timeout?: int|float, caa_issuer?: string, concurrency?: int} $options
 *        concurrency 1-256 (default closte.dns_concurrency)
 * @return array<array-key, array{domain: string, ok: bool, reason: null|'invalid_domain'|'nxdomain'|'no_records'|'points_elsewhere'|'servfail'|'timeout'|'no_expectation'|'proxied'|'partly_elsewhere'|'caa_forbids', error: ?string, a: list<string>, aaaa: list<string>, cname: list<string>, expected: list<string>, matched: list<string>, ttl: ?int, caa: null|array{domain: string, records: list<array{flags: int, tag: string, value: string}>}, elapsed_ms: float}>
 * @throws ConfigException as check_dns()
 * @throws \ValueError on an unknown option key or an out-of-range option value
 * @throws \TypeError when $domains is not an array or holds a non-string, or an option has the wrong type
 */
function check_dns_many(array $domains, array $options = []): array
{
}
