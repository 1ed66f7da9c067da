import type Database from "better-sqlite3";

/**
 * Versioned schema, tracked in PRAGMA user_version. Each entry upgrades from the previous version.
 * Never edit a released entry: add a new one.
 */
export const MIGRATIONS: string[] = [
  // 1: jobs, attempts, outputs, workers, settings
  `
  CREATE TABLE jobs (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    command     TEXT NOT NULL,
    state       TEXT NOT NULL,
    priority    INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    runs        INTEGER NOT NULL DEFAULT 0, -- every run ever, for attempt numbers
    max_retries INTEGER NOT NULL,
    timeout     REAL,
    run_at      INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    started_at  INTEGER,
    finished_at INTEGER,
    exit_code   INTEGER,
    duration_ms INTEGER,
    last_error  TEXT,
    worker_id   TEXT,
    lease_until INTEGER
  );
  -- The claim walks this index in pick-up order; run_at is included so that the filter needs no
  -- table lookup (state too: SQLite re-checks the partial index term) and the planner keeps using it after ANALYZE (see test/store/sqlite-plan.test.ts).
  CREATE INDEX jobs_ready ON jobs (priority DESC, created_at, seq, run_at, state)
    WHERE state IN ('pending', 'failed');
  CREATE INDEX jobs_due ON jobs (run_at) WHERE state IN ('pending', 'failed');
  CREATE INDEX jobs_state ON jobs (state, seq);
  CREATE INDEX jobs_lease ON jobs (lease_until) WHERE state = 'processing';
  CREATE INDEX jobs_worker ON jobs (worker_id) WHERE worker_id IS NOT NULL;
  CREATE INDEX jobs_updated ON jobs (updated_at);

  CREATE TABLE attempts (
    job_id       TEXT NOT NULL,
    number       INTEGER NOT NULL,
    worker_id    TEXT,
    outcome      TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    duration_ms  INTEGER,
    exit_code    INTEGER,
    signal       TEXT,
    error        TEXT,
    stdout_bytes INTEGER NOT NULL DEFAULT 0,
    stderr_bytes INTEGER NOT NULL DEFAULT 0,
    UNIQUE (job_id, number)
  );
  CREATE INDEX attempts_finished ON attempts (finished_at) WHERE finished_at IS NOT NULL;
  CREATE INDEX attempts_duration ON attempts (duration_ms) WHERE outcome = 'completed';

  -- Output apart from attempts: a streaming snapshot rewrites one stream's row only.
  CREATE TABLE outputs (
    job_id      TEXT NOT NULL,
    number      INTEGER NOT NULL,
    stream      TEXT NOT NULL,
    data        BLOB NOT NULL,
    total_bytes INTEGER NOT NULL,
    truncated   INTEGER NOT NULL,
    PRIMARY KEY (job_id, number, stream)
  );

  CREATE TABLE workers (
    id             TEXT PRIMARY KEY,
    host           TEXT NOT NULL,
    pid            INTEGER NOT NULL,
    slots          INTEGER NOT NULL,
    started_at     INTEGER NOT NULL,
    heartbeat_at   INTEGER NOT NULL,
    stop_requested TEXT
  );

  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: the reap and the heartbeat find a worker's jobs through jobs_state (few are processing); two
  // fewer indexes to update on every claim and every finish.
  `
  DROP INDEX IF EXISTS jobs_lease;
  DROP INDEX IF EXISTS jobs_worker;
  `,
  // 3: the number of jobs in each state, kept by triggers in the same transaction as the change,
  // so that status reads five rows instead of counting a million index entries (~70 ms).
  `
  CREATE TABLE job_counts (state TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO job_counts (state, n)
    SELECT value, (SELECT count(*) FROM jobs WHERE state = value)
    FROM json_each('["pending","processing","completed","failed","dead"]');
  CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
    UPDATE job_counts SET n = n + 1 WHERE state = new.state;
  END;
  CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
    UPDATE job_counts SET n = n - 1 WHERE state = old.state;
  END;
  CREATE TRIGGER jobs_count_update AFTER UPDATE OF state ON jobs WHEN old.state <> new.state BEGIN
    UPDATE job_counts SET n = n + iif(state = new.state, 1, -1) WHERE state IN (old.state, new.state);
  END;
  `,
  // 4: the run counter under PostgreSQL's name, so both schemas name the same thing alike. Only the
  // schema text changes: no row is rewritten.
  `
  ALTER TABLE jobs RENAME COLUMN runs TO last_attempt;
  `,
  // 5: fastest and slowest break ties by finish time and job id (core/metrics.ts); the index holds
  // that order, so either end is read in one step however many runs share a duration.
  `
  DROP INDEX attempts_duration;
  CREATE INDEX attempts_duration ON attempts (duration_ms, finished_at, job_id) WHERE outcome = 'completed';
  `,
  // 6: a job's timeout is decided at enqueue. Earlier versions stored NULL for "the job-timeout
  // setting at run time": jobs that can still run (a dead one can be retried) get that setting now,
  // or its default (3600 s) when it is unset or not a valid number of seconds (0 to a year).
  `
  UPDATE jobs SET timeout = coalesce((
    SELECT CAST(v AS REAL) FROM (SELECT trim(value) AS v FROM settings WHERE key = 'job-timeout')
    WHERE CASE WHEN json_valid(v) THEN json_type(v) IN ('integer', 'real') ELSE 0 END
      AND CAST(v AS REAL) BETWEEN 0 AND 31536000
  ), 3600)
  WHERE timeout IS NULL AND state <> 'completed';
  `,
  // 7: metrics. run_totals counts runs started, finished runs by outcome and moves to the DLQ, kept by
  // triggers like job_counts, so a scrape reads a few rows at any size (counting attempts by outcome
  // scans them all). Runs remember the run_at they were claimed for (pickup latency). Finished runs
  // are read in (finished_at, job_id, number) order: the index holds that whole key, so a page needs
  // no sort.
  `
  ALTER TABLE attempts ADD COLUMN run_at INTEGER;
  CREATE TABLE run_totals (event TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO run_totals (event, n) SELECT 'started', count(*) FROM attempts;
  INSERT INTO run_totals (event, n) SELECT 'dead', count(*) FROM jobs WHERE state = 'dead';
  INSERT INTO run_totals (event, n) SELECT outcome, count(*) FROM attempts WHERE outcome <> 'running' GROUP BY outcome;
  CREATE TRIGGER attempts_total_insert AFTER INSERT ON attempts BEGIN
    UPDATE run_totals SET n = n + 1 WHERE event = 'started';
  END;
  CREATE TRIGGER attempts_total_finish AFTER UPDATE OF outcome ON attempts
    WHEN old.outcome = 'running' AND new.outcome <> 'running' BEGIN
    INSERT INTO run_totals (event, n) VALUES (new.outcome, 1) ON CONFLICT (event) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER jobs_total_dead AFTER UPDATE OF state ON jobs WHEN new.state = 'dead' AND old.state <> 'dead' BEGIN
    UPDATE run_totals SET n = n + 1 WHERE event = 'dead';
  END;
  DROP INDEX attempts_finished;
  CREATE INDEX attempts_finished ON attempts (finished_at, job_id, number) WHERE finished_at IS NOT NULL;
  `,
  // Runs started counted on jobs instead of attempts. Any trigger on attempts makes the claim's
  // one-row attempt insert a statement SQLite guards with a statement journal (a copy of every page
  // it changes); the claim's UPDATE of jobs has one already (job_counts). A run starts exactly when
  // the claim raises its job's last_attempt by one and inserts that attempt: the count is the same.
  `
  DROP TRIGGER attempts_total_insert;
  CREATE TRIGGER jobs_total_started AFTER UPDATE OF last_attempt ON jobs
    WHEN new.last_attempt > old.last_attempt BEGIN
    UPDATE run_totals SET n = n + new.last_attempt - old.last_attempt WHERE event = 'started';
  END;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the schema to the latest version. BEGIN IMMEDIATE takes the write lock first, so a second
 * process starting at the same moment waits (busy timeout), then sees the new version and skips.
 */
export function migrate(db: Database.Database): void {
  const current = () => db.pragma("user_version", { simple: true }) as number;
  if (current() >= SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let version = current(); version < SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    }
  }).immediate();
}
