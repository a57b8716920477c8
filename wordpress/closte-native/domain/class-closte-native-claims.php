<?php
/**
 * The claims table {base_prefix}closte_claims (created with the status table): for every
 * mapped domain, the names it claimed when it was last sent or walked (its own, and its
 * www. twin's once added). A row never makes a name claimed by itself: the ledger
 * (Closte_Native_Ledger) asks the records too. A read that fails is a failure
 * (Closte_Native_Walk_Error), never "no row".
 */

defined('ABSPATH') || exit;

final class Closte_Native_Claims
{
    /** @var wpdb */
    private $db;
    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var Closte_Native_Inventory */
    private $inventory;

    public function __construct(Closte_Native_Status_Table $table, Closte_Native_Inventory $inventory, wpdb $db)
    {
        $this->table = $table;
        $this->inventory = $inventory;
        $this->db = $db;
    }

    public function name(): string
    {
        return $this->db->base_prefix . 'closte_claims';
    }

    /**
     * Of the mapped domains `$domains` (canonical), those whose www. twin has a row: it was
     * added for them once, so it stays theirs. One query.
     *
     * @param list<string> $domains
     * @return array<string, true>
     */
    public function twin_rows(array $domains): array
    {
        if ($domains === []) {
            return [];
        }
        $this->table->install();
        $in = implode(',', array_map(fn ($d) => "'" . esc_sql((string) $d) . "'", array_values(array_unique($domains))));
        return array_fill_keys($this->col('SELECT claimant FROM ' . $this->name() . " WHERE kind = 'twin' AND claimant IN ($in)"), true);
    }

    /**
     * Records the names a mapped domain claims now (called when it is sent, and by the
     * refresh's walk): its own, and its twin in `$names` if any. Existing rows stay.
     *
     * @param string $claimant the domain, canonical
     * @param list<string> $names canonical: the domain itself and maybe its twin
     */
    public function record(string $claimant, array $names, string $typed = ''): void
    {
        $this->record_many([$claimant => $names], [$claimant => $typed]);
    }

    /** record() for many domains: claimant => names, in one statement (`$typed`: claimant => its domain as the record holds it). */
    public function record_many(array $claims, array $typed = []): void
    {
        $values = [];
        $now = time();
        foreach ($claims as $claimant => $names) {
            $claimant = (string) $claimant;
            foreach ($names as $n) {
                $kind = $n === $claimant ? 'domain' : 'twin';
                $values[] = sprintf("('%s','%s','%s','%s',%d)", esc_sql((string) $n), esc_sql($claimant), esc_sql((string) (($typed[$claimant] ?? '') ?: $claimant)), $kind, $now);
            }
        }
        if ($values === []) {
            return;
        }
        $this->table->install();
        foreach (array_chunk($values, 1000) as $part) {
            $this->db->query('INSERT IGNORE INTO ' . $this->name() . ' (name, claimant, domain, kind, since) VALUES ' . implode(',', $part));
        }
    }

    /**
     * Forgets the claims of domains that are no longer mapped (a domain deleted: its remove
     * event; the refresh's walk found no record). A claimant that has a record again (mapped
     * once more meanwhile) keeps its rows. Returns the names whose rows went.
     *
     * @param list<string> $claimants canonical domains
     * @return list<string>
     */
    public function release(array $claimants): array
    {
        $claimants = array_values(array_unique(array_filter(array_map('strval', $claimants), 'strlen')));
        if ($claimants === []) {
            return [];
        }
        $this->table->install();
        $mapped = [];
        foreach ($this->inventory->lookup($claimants) as $e) {
            if ($e['canonical'] !== null) {
                $mapped[$e['canonical']] = true;
            }
        }
        $gone = array_values(array_filter($claimants, fn ($c) => !isset($mapped[$c])));
        if ($gone === []) {
            return [];
        }
        $in = implode(',', array_map(fn ($d) => "'" . esc_sql($d) . "'", $gone));
        $names = $this->col('SELECT name FROM ' . $this->name() . " WHERE claimant IN ($in)");
        $this->db->query('DELETE FROM ' . $this->name() . " WHERE claimant IN ($in)");
        return $names;
    }

    /**
     * The domains as records typed them (`bücher.example`) of IDN names `$names` (xn--,
     * canonical), from the claims and the status table: records keep the typed form.
     *
     * @return list<string>
     */
    public function typed_forms(array $names): array
    {
        if ($names === []) {
            return [];
        }
        $this->table->install();
        $in = implode(',', array_map(fn ($n) => "'" . esc_sql((string) $n) . "'", $names));
        return $this->col('SELECT domain FROM ' . $this->name() . " WHERE claimant IN ($in) UNION SELECT domain FROM " . $this->table->name() . " WHERE name IN ($in)");
    }

    /**
     * One column of a query of the ledger's own tables. A database error is a failure
     * (Closte_Native_Walk_Error, retryable), never "no row": a claim not read would let a
     * name look unclaimed.
     *
     * @return list<string>
     */
    private function col(string $sql): array
    {
        $rows = $this->db->get_col($sql);
        if ($this->db->last_error !== '') {
            /* translators: %s: the database's error */
            throw new Closte_Native_Walk_Error(sprintf(__('the claims could not be read (%s)', 'closte-native'), rtrim((string) $this->db->last_error, '.')));
        }
        return array_map('strval', (array) $rows);
    }
}
