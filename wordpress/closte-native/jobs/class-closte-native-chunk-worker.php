<?php
/**
 * The refresh's chunk worker (Closte_Native_Refresh::CHUNK_HOOK): one chunk of a run's
 * names, read from the status table, first added when the run adds (the reconcile, a
 * background Sync: through the ledger, which decides again at send time), then one DNS
 * batch and one certificate batch, written back in one upsert. Chunks of a run are
 * independent: any runner on any node may take any of them, and a chunk run twice only
 * checks its names twice. After each chunk the supervisor looks at the run.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Chunk_Worker
{
    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var Closte_Native_Runs */
    private $runs;
    /** @var Closte_Native_Ledger */
    private $ledger;
    /** @var Closte_Native_Supervisor */
    private $supervisor;

    public function __construct(Closte_Native_Status_Table $table, Closte_Native_Runs $runs, Closte_Native_Ledger $ledger, Closte_Native_Supervisor $supervisor)
    {
        $this->table = $table;
        $this->runs = $runs;
        $this->ledger = $ledger;
        $this->supervisor = $supervisor;
    }

    /**
     * One chunk: its unchecked names, one DNS batch, one certificate batch, one upsert.
     * A check that could not run at all makes its verdict unknown and says why (its last
     * verdict stays, shown as such); the names count as checked (the next Refresh asks again).
     */
    public function chunk($id = 0, $chunk = 0, $attempt = 1): void
    {
        $id = (int) $id;
        $run = $this->runs->current();
        if ($run === null || $run['id'] !== $id) {
            return; // an older run: a newer Refresh took over
        }
        $this->adds($run, (int) $chunk);
        $this->check($this->table->chunk($id, (int) $chunk), $id);
        $this->supervisor->sweep($id);
    }

    /**
     * The adds of one chunk, when its run adds (the reconcile's, or Sync now's in the
     * background) and its list read worked: chunk() runs them before its checks, and so does
     * `wp closte refresh --inline`, which may take over such a run.
     */
    public function add_chunk(int $id, int $chunk): void
    {
        $run = $this->runs->current();
        if ($run !== null && $run['id'] === $id) {
            $this->adds($run, $chunk);
        }
    }

    /** The chunk's adds, if its run (current, read by the caller) adds and its list read worked. */
    private function adds(array $run, int $chunk): void
    {
        if ($run['add_missing'] && empty($run['errors']['closte'])) {
            $this->add_missing($run, $chunk);
        }
    }

    /**
     * The reconcile's part of a chunk: its names the plan found missing on Closte, added
     * with one add_domains() (one list read, then a POST per name still missing), each
     * result written to its row (on_closte, added_run, add_error) and logged. A failure
     * the extension calls retryable brings the reconcile back within the hour. The log
     * says who added (Closte_Native_Reconcile::label(): the reconcile or a console sync).
     */
    private function add_missing(array $run, int $chunk): void
    {
        $id = $run['id'];
        $who = Closte_Native_Reconcile::label($run['why']);
        $claimed = $this->table->missing($id, $chunk);
        if ($claimed === []) {
            return;
        }
        // The plan read the records minutes ago: the ledger decides again, now, under each
        // name's lock: a domain deleted (its alias removed by the plugin) or a site archived
        // since is not added back. Its row is no longer wanted; the next run's plan drops it.
        $names = array_map('strval', array_keys($claimed));
        try {
            $r = $this->ledger->add($names, [], $who, array_map('strval', $claimed)); // name => its domain as the record holds it
        } catch (Throwable $e) {
            // Nothing was sent (a setting, the key, the records could not be read): every name says why.
            [$retryable, $reason] = Closte_Native_Failure::retryable($e);
            $r = ['added' => [], 'skipped' => [], 'failed' => array_fill_keys($names, ['message' => $e->getMessage(), 'retryable' => $retryable, 'retry_reason' => $reason])];
        }
        if ($r['skipped'] !== []) {
            $this->table->unwant($id, array_map('strval', array_keys($r['skipped'])));
        }
        $names = array_values(array_diff($names, array_map('strval', array_keys($r['skipped']))));
        $again = false;
        $added = array_flip($r['added']);
        $rows = [];
        foreach ($names as $name) {
            if (isset($r['failed'][$name])) {
                $error = $r['failed'][$name];
                $retryable = (bool) ($error['retryable'] ?? false);
                $again = $again || $retryable;
                Closte_Native_Log::add(sprintf('%s: %s could not be added: %s (%s: %s)', $who, $name, $error['message'], $retryable ? 'retryable' : 'not retried', $error['retry_reason'] ?? ''));
                $rows[] = ['name' => $name, 'on_closte' => 0, 'added_run' => 0, 'add_error' => mb_substr((string) $error['message'], 0, 512)];
            } else {
                $rows[] = ['name' => $name, 'on_closte' => 1, 'added_run' => isset($added[$name]) ? $id : null, 'add_error' => null];
            }
        }
        // A name Closte had meanwhile keeps its added_run. (After a worker died between its
        // POST and this write, the chunk's next attempt finds the name present: it is on
        // Closte, sent once, and counted as already there — the dead attempt's add is not
        // known to anyone.)
        $kept = array_values(array_filter($rows, fn ($r) => $r['added_run'] === null));
        $this->table->upsert(array_values(array_filter($rows, fn ($r) => $r['added_run'] !== null)));
        $this->table->upsert(array_map(fn ($r) => ['name' => $r['name'], 'on_closte' => 1, 'add_error' => null], $kept));
        if ($again) {
            Closte_Native_Reconcile::retry_later();
        }
    }

    /**
     * Checks `$names` (canonical): one DNS batch, one certificate batch, one upsert, the
     * rows marked checked in run `$id`. A check that could not run at all makes its verdict
     * unknown and says why on each row, and in last_error (returned too, in words).
     */
    public function check(array $names, int $id): array
    {
        if ($names === []) {
            return [];
        }
        $timeout = Closte_Native_Status::timeout();
        $now = gmdate('Y-m-d H:i:s');
        $rows = array_fill_keys($names, []);
        $errors = [];
        try {
            foreach (Closte\check_dns_many($names, Closte_Native_Status::dns_options($names, ['timeout' => $timeout])) as $i => $r) {
                $rows[$names[$i]] += ['dns_ok' => $r['ok'] ? 1 : 0, 'dns_reason' => (string) $r['reason'], 'dns_error' => mb_substr((string) $r['error'], 0, 512),
                    'dns_points' => mb_substr(implode(', ', array_merge((array) $r['a'], (array) $r['aaaa'])), 0, 255), 'dns_checked_at' => $now];
            }
        } catch (Throwable $e) {
            $errors['dns'] = __('DNS could not be checked:', 'closte-native') . ' ' . Closte_Native_Failure::explain($e);
        }
        try {
            $options = Closte_Native_Status::ssl_options($names, ['timeout' => $timeout]); // no min_days: expiring_soon is the extension's word
            foreach (Closte\check_ssl_many($names, $options) as $i => $r) {
                $rows[$names[$i]] += ['cert_valid' => $r['valid'] ? 1 : 0, 'cert_reason' => (string) $r['reason'], 'cert_error' => mb_substr((string) $r['error'], 0, 512),
                    'cert_subject' => $r['subject'] === null ? null : mb_substr((string) $r['subject'], 0, 255),
                    'cert_issuer' => $r['issuer'] === null ? null : mb_substr((string) $r['issuer'], 0, 255),
                    'cert_expires' => $r['not_after'] === null ? null : gmdate('Y-m-d H:i:s', (int) $r['not_after']),
                    'cert_days' => $r['days_remaining'] === null ? null : (int) $r['days_remaining'], 'cert_expiring' => empty($r['expiring_soon']) ? 0 : 1, 'cert_checked_at' => $now];
            }
        } catch (Throwable $e) {
            $errors['cert'] = __('Certificates could not be checked:', 'closte-native') . ' ' . Closte_Native_Failure::explain($e);
        }
        $this->table->upsert(self::check_rows($rows, $id, $errors));
        (new Closte_Native_Um_Events($this->table))->rows_checked($names); // a domain live or needing attention: told once
        return array_values($errors);
    }

    /**
     * Rows of the one upsert: every column a chunk writes, for every name. A check that
     * could not run at all says so on each row: its verdict column becomes unknown (NULL)
     * and its error column says why, while the last verdict's reason, details and time
     * stay, shown as the last verdict (Closte_Native_Console_Table); a name not checked this
     * run never shows "Valid" as if it were.
     */
    private static function check_rows(array $rows, int $id, array $errors): array
    {
        $dns = ['dns_ok', 'dns_reason', 'dns_error', 'dns_points', 'dns_checked_at'];
        $cert = ['cert_valid', 'cert_reason', 'cert_error', 'cert_subject', 'cert_issuer', 'cert_expires', 'cert_days', 'cert_expiring', 'cert_checked_at'];
        $first = reset($rows);
        $columns = ['name'];
        foreach ([[$dns, 'dns'], [$cert, 'cert']] as [$group, $what]) {
            $columns = array_merge($columns, $first !== false && array_key_exists($group[0], $first) ? $group : [$group[0], "{$what}_error"]);
        }
        $columns = array_merge($columns, ['last_error', 'checked_run']);
        $out = [];
        foreach ($rows as $name => $r) {
            $row = [];
            foreach ($columns as $c) {
                $row[$c] = $r[$c] ?? null;
            }
            $row['name'] = $name;
            foreach (['dns', 'cert'] as $what) {
                if (isset($errors[$what])) {
                    $row["{$what}_error"] = mb_substr($errors[$what], 0, 512);
                }
            }
            $row['last_error'] = $errors === [] ? null : mb_substr(implode(' ', $errors), 0, 512);
            $row['checked_run'] = $id;
            $out[] = $row;
        }
        return $out;
    }
}
