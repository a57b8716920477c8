<?php
/**
 * The bridge's tables and their upgrades: the status table (one row per name), the refresh's
 * runs, their chunks' attempts and alias rows, the ledger's claims, the retries in flight
 * (Closte_Native_Wanted) and the watcher's domains (Closte_Native_Watched). Created and
 * upgraded by dbDelta when the network option closte_native_status_schema is older than
 * Closte_Native_Status_Table::SCHEMA (a table change always comes with a version bump and,
 * where what a release wrote needs it, one upgrade step below). The only release before
 * the tables is 0.3.0: its retry records, its snapshot and its copy of the certificate
 * alerts are moved or deleted here.
 */

defined('ABSPATH') || exit;

final class Closte_Native_Schema
{
    /** @var Closte_Native_Status_Table */
    private $table;
    /** @var wpdb */
    private $db;

    public function __construct(Closte_Native_Status_Table $table, wpdb $db)
    {
        $this->table = $table;
        $this->db = $db;
    }

    /** Creates or upgrades every table when the stored schema version is older (dbDelta). */
    public function install(): void
    {
        if ((int) get_network_option(null, Closte_Native_Status_Table::SCHEMA_OPTION, 0) >= Closte_Native_Status_Table::SCHEMA) {
            return;
        }
        require_once ABSPATH . 'wp-admin/includes/upgrade.php';
        $t = $this->table->name();
        $charset = $this->db->get_charset_collate();
        // dbDelta's format: two spaces after PRIMARY KEY, one definition per line.
        dbDelta("CREATE TABLE $t (
  name varchar(253) NOT NULL,
  domain varchar(253) NOT NULL,
  is_twin tinyint(1) NOT NULL DEFAULT 0,
  site_id bigint(20) unsigned NOT NULL DEFAULT 0,
  site varchar(191) NOT NULL DEFAULT '',
  stage varchar(32) NOT NULL DEFAULT '',
  stage_label varchar(64) NOT NULL DEFAULT '',
  wanted tinyint(1) NOT NULL DEFAULT 1,
  invalid varchar(255) DEFAULT NULL,
  on_closte tinyint(1) DEFAULT NULL,
  dns_ok tinyint(1) DEFAULT NULL,
  dns_reason varchar(32) DEFAULT NULL,
  dns_error varchar(512) DEFAULT NULL,
  dns_points varchar(255) DEFAULT NULL,
  dns_checked_at datetime DEFAULT NULL,
  cert_valid tinyint(1) DEFAULT NULL,
  cert_reason varchar(32) DEFAULT NULL,
  cert_error varchar(512) DEFAULT NULL,
  cert_subject varchar(255) DEFAULT NULL,
  cert_issuer varchar(255) DEFAULT NULL,
  cert_expires datetime DEFAULT NULL,
  cert_days int(11) DEFAULT NULL,
  cert_expiring tinyint(1) DEFAULT NULL,
  cert_checked_at datetime DEFAULT NULL,
  last_error varchar(512) DEFAULT NULL,
  added_run bigint(20) unsigned NOT NULL DEFAULT 0,
  planned_from int(10) unsigned NOT NULL DEFAULT 0,
  add_error varchar(512) DEFAULT NULL,
  run bigint(20) unsigned NOT NULL DEFAULT 0,
  chunk int(10) unsigned DEFAULT NULL,
  checked_run bigint(20) unsigned NOT NULL DEFAULT 0,
  announced varchar(64) DEFAULT NULL,
  f_attention tinyint(1) NOT NULL DEFAULT 0,
  f_dns tinyint(1) NOT NULL DEFAULT 0,
  f_cert tinyint(1) NOT NULL DEFAULT 0,
  f_expiring tinyint(1) NOT NULL DEFAULT 0,
  f_missing tinyint(1) NOT NULL DEFAULT 0,
  f_waiting tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY  (name),
  KEY domain (domain,is_twin,name),
  KEY site (site,domain,is_twin,name),
  KEY stage (stage,domain,is_twin,name),
  KEY cert_expires (cert_expires,name),
  KEY f_attention (f_attention,domain,is_twin,name),
  KEY f_dns (f_dns,domain,is_twin,name),
  KEY f_cert (f_cert,domain,is_twin,name),
  KEY f_expiring (f_expiring,domain,is_twin,name),
  KEY f_missing (f_missing,domain,is_twin,name),
  KEY f_waiting (f_waiting,domain,is_twin,name),
  KEY run_chunk (run,chunk),
  KEY run_checked (run,checked_run)
) $charset;");
        // The refresh runs: one row each, every field written by one UPDATE of its own, so
        // processes on several nodes never overwrite each other's fields.
        $runs = $this->table->runs_name();
        dbDelta("CREATE TABLE $runs (
  id bigint(20) unsigned NOT NULL,
  source varchar(20) NOT NULL DEFAULT '',
  add_missing tinyint(1) NOT NULL DEFAULT 0,
  why varchar(20) NOT NULL DEFAULT '',
  started_at int(10) unsigned NOT NULL DEFAULT 0,
  planned tinyint(1) NOT NULL DEFAULT 0,
  total int(10) unsigned DEFAULT NULL,
  chunks int(10) unsigned DEFAULT NULL,
  closte_error text,
  unclaimed_count int(10) unsigned DEFAULT NULL,
  unclaimed mediumtext,
  plan_ms double DEFAULT NULL,
  finished_at int(10) unsigned DEFAULT NULL,
  elapsed_ms double DEFAULT NULL,
  plan_offset int(10) unsigned NOT NULL DEFAULT 0,
  plan_at int(10) unsigned DEFAULT NULL,
  failure text,
  PRIMARY KEY  (id)
) $charset;");
        // A chunk's attempts (a row only once a chunk is enqueued again), counted in SQL.
        $chunks = $this->table->run_chunks_name();
        dbDelta("CREATE TABLE $chunks (
  run bigint(20) unsigned NOT NULL,
  chunk int(10) unsigned NOT NULL,
  attempts smallint(5) unsigned NOT NULL DEFAULT 1,
  PRIMARY KEY  (run,chunk)
) $charset;");
        // Closte's alias names as the plan read them, for the run's plan steps (then deleted).
        $aliases = $this->table->run_aliases_name();
        dbDelta("CREATE TABLE $aliases (
  run bigint(20) unsigned NOT NULL,
  name varchar(253) NOT NULL,
  PRIMARY KEY  (run,name)
) $charset;");
        // The claims ledger (Closte_Native_Ledger): which mapped domain claims which name.
        $claims = $this->db->base_prefix . 'closte_claims';
        dbDelta("CREATE TABLE $claims (
  name varchar(253) NOT NULL,
  claimant varchar(253) NOT NULL,
  domain varchar(253) NOT NULL DEFAULT '',
  kind varchar(8) NOT NULL DEFAULT 'domain',
  since int(10) unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY  (name,claimant),
  KEY claimant (claimant),
  KEY kind_since (kind,since)
) $charset;");
        // Retries in flight (Closte_Native_Wanted): the latest domain event's wanted state per name.
        $wanted = new Closte_Native_Wanted($this->table, $this->db);
        dbDelta("CREATE TABLE {$wanted->name()} (
  name varchar(253) NOT NULL,
  op varchar(8) NOT NULL,
  token varchar(64) NOT NULL,
  attempt smallint(5) unsigned NOT NULL DEFAULT 1,
  since int(10) unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY  (name)
) $charset;");
        // The watcher's domains (Closte_Native_Watched), rewritten by every tick.
        $watched = (new Closte_Native_Watched($this->table, $this->db))->name();
        dbDelta("CREATE TABLE $watched (
  name varchar(253) NOT NULL,
  domain_id bigint(20) unsigned NOT NULL DEFAULT 0,
  for_check varchar(12) NOT NULL DEFAULT '',
  stage varchar(32) NOT NULL DEFAULT '',
  revive tinyint(1) NOT NULL DEFAULT 0,
  checked_at int(10) unsigned DEFAULT NULL,
  verdict text,
  twin varchar(253) DEFAULT NULL,
  twin_verdict text,
  held varchar(32) DEFAULT NULL,
  tick varchar(36) NOT NULL DEFAULT '',
  PRIMARY KEY  (name)
) $charset;");
        // What 0.3.0 kept outside tables: its retry records move into the table (under the
        // canonical name), its snapshot and its copy of the certificate alerts go (the
        // status table and a query replace them).
        $moved = $wanted->import_legacy();
        if ($moved > 0) {
            Closte_Native_Log::add(sprintf('upgrade: %d retr%s in flight moved from network options to %s', $moved, $moved === 1 ? 'y' : 'ies', $wanted->name()));
        }
        delete_site_transient('closte_native_status');
        delete_network_option(null, Closte_Native_Reconcile::ALERTS_OPTION);
        update_network_option(null, Closte_Native_Status_Table::SCHEMA_OPTION, Closte_Native_Status_Table::SCHEMA);
    }
}
