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
  // named queues: a job's queue; per-queue settings (pause, concurrency) shared by every worker;
  // the queues each worker serves (JSON array, NULL = all). A claim restricted by queues reads the
  // waiting jobs of each queue in pick-up order through jobs_queue_ready; the plain claim keeps
  // walking jobs_ready.
  `
  ALTER TABLE jobs ADD COLUMN queue TEXT NOT NULL DEFAULT 'default';
  CREATE INDEX jobs_queue_ready ON jobs (queue, priority DESC, created_at, seq, run_at, state)
    WHERE state IN ('pending', 'failed');
  CREATE TABLE queues (
    name        TEXT PRIMARY KEY,
    paused      INTEGER NOT NULL DEFAULT 0,
    concurrency INTEGER
  ) WITHOUT ROWID;
  ALTER TABLE workers ADD COLUMN queues TEXT;
  `,
  // cancel: the state cancelled (counted in job_counts like the others), and the order a cancel
  // leaves on a running job for the worker holding it (signal, then SIGKILL after the grace). The
  // order is set only while the job is processing; finishing or recovering the run clears it.
  `
  ALTER TABLE jobs ADD COLUMN cancel_signal TEXT;
  ALTER TABLE jobs ADD COLUMN cancel_grace_ms INTEGER;
  INSERT OR IGNORE INTO job_counts (state, n) SELECT 'cancelled', count(*) FROM jobs WHERE state = 'cancelled';
  `,
  // cwd and env of a job: the absolute directory its command runs in, and the variables added to
  // the worker's environment (a JSON object as text). NULL = the worker's directory, nothing added.
  `
  ALTER TABLE jobs ADD COLUMN cwd TEXT;
  ALTER TABLE jobs ADD COLUMN env TEXT;
  `,
  // cron schedules (core/schedule.ts). A slot's job carries the schedule's name and the slot; the
  // pair is unique, so however many workers fire a slot it makes one job. Workers wait for the
  // earliest next_slot of the schedules not paused (schedules_due).
  `
  CREATE TABLE schedules (
    name        TEXT PRIMARY KEY,
    cron        TEXT NOT NULL,
    tz          TEXT NOT NULL,
    command     TEXT NOT NULL,
    priority    INTEGER,
    max_retries INTEGER,
    timeout     REAL,
    catch_up    TEXT NOT NULL,
    overlap     TEXT NOT NULL,
    paused      INTEGER NOT NULL DEFAULT 0,
    last_slot   INTEGER NOT NULL,
    next_slot   INTEGER,
    last_job_id TEXT,
    last_run_at INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX schedules_due ON schedules (next_slot) WHERE paused = 0;
  ALTER TABLE jobs ADD COLUMN schedule TEXT;
  ALTER TABLE jobs ADD COLUMN schedule_slot INTEGER;
  CREATE UNIQUE INDEX jobs_schedule_slot ON jobs (schedule, schedule_slot) WHERE schedule_slot IS NOT NULL;
  `,
  // retention: finished jobs are found for pruning by a range scan of (state, finished_at) over the
  // terminal states only, so waiting and running jobs add nothing to it. Runs of pruned jobs are
  // summed into per-minute and per-hour rollups (size = bucket length in ms) that metrics read with
  // the live rows. Runs whose output was dropped say so; prune_marks remembers where the output
  // pruning stopped, so each pass walks only runs it has not seen.
  `
  CREATE INDEX jobs_finished ON jobs (state, finished_at) WHERE state IN ('completed', 'dead', 'cancelled');
  CREATE TABLE run_rollups (
    size         INTEGER NOT NULL,
    start        INTEGER NOT NULL,
    completed    INTEGER NOT NULL,
    failed       INTEGER NOT NULL,
    duration_sum INTEGER NOT NULL,
    PRIMARY KEY (size, start)
  ) WITHOUT ROWID;
  ALTER TABLE attempts ADD COLUMN output_pruned INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE prune_marks (
    name        TEXT PRIMARY KEY,
    finished_at INTEGER NOT NULL,
    job_id      TEXT NOT NULL,
    number      INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // Unique keys and the exit-code policy (core/unique-key.ts, core/retry.ts). A key is unique among
  // active jobs: the partial unique index is what makes enqueue with a key race-free. The codes are
  // a JSON array of integers.
  `
  ALTER TABLE jobs ADD COLUMN key TEXT;
  ALTER TABLE jobs ADD COLUMN no_retry_exit_codes TEXT NOT NULL DEFAULT '[]';
  CREATE UNIQUE INDEX jobs_active_key ON jobs (key)
    WHERE key IS NOT NULL AND state IN ('pending', 'failed', 'processing');
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
  // Jobs counted per queue and state (was per state): `queue list`, `status` and the Prometheus
  // gauge read a few rows at any size instead of counting every job. A job's first insert into a
  // queue makes that queue's rows (OR IGNORE: one index probe once they exist), so the claim's
  // trigger stays one UPDATE of two rows, as before.
  `
  CREATE TABLE queue_counts (
    queue TEXT NOT NULL,
    state TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (queue, state)
  ) WITHOUT ROWID;
  INSERT INTO queue_counts (queue, state, n)
    SELECT q.queue, s.value, (SELECT count(*) FROM jobs j WHERE j.queue = q.queue AND j.state = s.value)
    FROM (SELECT DISTINCT queue FROM jobs) q,
         json_each('["pending","processing","completed","failed","dead","cancelled"]') s;
  DROP TRIGGER jobs_count_insert;
  DROP TRIGGER jobs_count_delete;
  DROP TRIGGER jobs_count_update;
  DROP TABLE job_counts;
  CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
    INSERT OR IGNORE INTO queue_counts (queue, state, n)
      SELECT new.queue, value, 0 FROM json_each('["pending","processing","completed","failed","dead","cancelled"]')
      WHERE NOT EXISTS (SELECT 1 FROM queue_counts WHERE queue = new.queue AND state = 'pending');
    UPDATE queue_counts SET n = n + 1 WHERE queue = new.queue AND state = new.state;
  END;
  CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
    UPDATE queue_counts SET n = n - 1 WHERE queue = old.queue AND state = old.state;
  END;
  CREATE TRIGGER jobs_count_update AFTER UPDATE OF state ON jobs
    WHEN old.state <> new.state AND old.queue = new.queue BEGIN
    UPDATE queue_counts SET n = n + iif(state = new.state, 1, -1)
      WHERE queue = new.queue AND state IN (old.state, new.state);
  END;
  CREATE TRIGGER jobs_count_move AFTER UPDATE OF queue ON jobs WHEN old.queue <> new.queue BEGIN
    INSERT OR IGNORE INTO queue_counts (queue, state, n)
      SELECT new.queue, value, 0 FROM json_each('["pending","processing","completed","failed","dead","cancelled"]');
    UPDATE queue_counts SET n = n - 1 WHERE queue = old.queue AND state = old.state;
    UPDATE queue_counts SET n = n + 1 WHERE queue = new.queue AND state = new.state;
  END;
  `,
  // Job dependencies (core/dependencies.ts). An edge per (dependency, dependent), keyed by the
  // dependency so a completion finds its direct dependents in one index range; done once that
  // dependency completed. On the job: the ids as given (JSON), how many have not completed, its own
  // run_at while blocked (run_at then holds BLOCKED_RUN_AT, out of the claim's reach), and whether
  // any job waits for it (only such finishes look for dependents).
  `
  ALTER TABLE jobs ADD COLUMN after_ids TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE jobs ADD COLUMN waiting_on INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE jobs ADD COLUMN own_run_at INTEGER;
  ALTER TABLE jobs ADD COLUMN has_dependents INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE job_deps (
    after_id TEXT NOT NULL,
    job_id   TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    done     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (after_id, job_id)
  ) WITHOUT ROWID;
  CREATE INDEX job_deps_job ON job_deps (job_id);
  `,
  // The job options of a cron schedule beyond priority, retries and timeout (core/schedule.ts): the
  // queue, directory, variables (a JSON object as text) and no-retry exit codes (a JSON array) that
  // every job it makes carries, stored as the jobs store them.
  `
  ALTER TABLE schedules ADD COLUMN queue TEXT NOT NULL DEFAULT 'default';
  ALTER TABLE schedules ADD COLUMN cwd TEXT;
  ALTER TABLE schedules ADD COLUMN env TEXT;
  ALTER TABLE schedules ADD COLUMN no_retry_exit_codes TEXT NOT NULL DEFAULT '[]';
  `,
  // Metrics per queue: run totals and the rollups of pruned runs are kept per queue. Totals counted
  // before this version stay in 'default' (the label they were reported under), so no counter goes
  // back; rollups made before it get queue '' (no queue known): they count in the figures of all
  // queues only. A finished run finds its queue by its job's id (one lookup of a row the finish has
  // just written).
  `
  CREATE TABLE run_totals_by_queue (
    event TEXT NOT NULL,
    queue TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (event, queue)
  ) WITHOUT ROWID;
  INSERT INTO run_totals_by_queue (event, queue, n) SELECT event, 'default', n FROM run_totals WHERE n > 0;
  DROP TRIGGER jobs_total_started;
  DROP TRIGGER attempts_total_finish;
  DROP TRIGGER jobs_total_dead;
  DROP TABLE run_totals;
  ALTER TABLE run_totals_by_queue RENAME TO run_totals;
  CREATE TRIGGER jobs_total_started AFTER UPDATE OF last_attempt ON jobs
    WHEN new.last_attempt > old.last_attempt BEGIN
    INSERT INTO run_totals (event, queue, n) VALUES ('started', new.queue, new.last_attempt - old.last_attempt)
      ON CONFLICT (event, queue) DO UPDATE SET n = n + excluded.n;
  END;
  CREATE TRIGGER attempts_total_finish AFTER UPDATE OF outcome ON attempts
    WHEN old.outcome = 'running' AND new.outcome <> 'running' BEGIN
    INSERT INTO run_totals (event, queue, n)
      VALUES (new.outcome, coalesce((SELECT queue FROM jobs WHERE id = new.job_id), 'default'), 1)
      ON CONFLICT (event, queue) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER jobs_total_dead AFTER UPDATE OF state ON jobs WHEN new.state = 'dead' AND old.state <> 'dead' BEGIN
    INSERT INTO run_totals (event, queue, n) VALUES ('dead', new.queue, 1)
      ON CONFLICT (event, queue) DO UPDATE SET n = n + 1;
  END;
  CREATE TABLE run_rollups_by_queue (
    size         INTEGER NOT NULL,
    start        INTEGER NOT NULL,
    queue        TEXT NOT NULL,
    completed    INTEGER NOT NULL,
    failed       INTEGER NOT NULL,
    duration_sum INTEGER NOT NULL,
    PRIMARY KEY (size, start, queue)
  ) WITHOUT ROWID;
  INSERT INTO run_rollups_by_queue SELECT size, start, '', completed, failed, duration_sum FROM run_rollups;
  DROP TABLE run_rollups;
  ALTER TABLE run_rollups_by_queue RENAME TO run_rollups;
  `,
  // Cheaper claim and finish, the same rows counted and indexed. SQLite evaluates an IN list of
  // three constants or more, or one that drives an index lookup, by building a temporary B-tree of
  // the values: the partial indexes whose predicate was such a list made every finish build two
  // (old row, new row), and `state IN (old.state, new.state)` made the count trigger build one per
  // row. Written as comparisons they cost a few instructions (docs/benchmarks.md). Runs started, finished and moved
  // to the DLQ are counted by the statements that start and end runs (sql/run-tally.ts): a trigger
  // on attempts made the finish's one-row attempt update run under a statement journal.
  `
  DROP INDEX jobs_finished;
  CREATE INDEX jobs_finished ON jobs (state, finished_at)
    WHERE (state = 'completed' OR state = 'dead' OR state = 'cancelled');
  DROP INDEX jobs_active_key;
  CREATE UNIQUE INDEX jobs_active_key ON jobs (key)
    WHERE key IS NOT NULL AND (state = 'pending' OR state = 'failed' OR state = 'processing');
  DROP TRIGGER jobs_count_update;
  CREATE TRIGGER jobs_count_update AFTER UPDATE OF state ON jobs
    WHEN old.state <> new.state AND old.queue = new.queue BEGIN
    UPDATE queue_counts SET n = n - 1 WHERE queue = old.queue AND state = old.state;
    UPDATE queue_counts SET n = n + 1 WHERE queue = new.queue AND state = new.state;
  END;
  DROP TRIGGER attempts_total_finish;
  DROP TRIGGER jobs_total_started;
  DROP TRIGGER jobs_total_dead;
  `,
  // 20: the last long hold of the write lock (core/lease.ts): one row, written by the transaction
  // that held the lock, read by the reap to excuse leases that ran out while it was held.
  `
  CREATE TABLE store_hold (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    held_from  INTEGER NOT NULL,
    held_until INTEGER NOT NULL
  );
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
