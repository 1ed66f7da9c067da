import { unavailable, type Db } from "./db.js";

/**
 * Versioned migrations, applied in order, each once. `s` is the quoted schema. Never edit a
 * released migration: add a new one.
 */
interface Migration {
  version: number;
  name: string;
  sql: (s: string) => string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "jobs, attempts, workers, settings",
    sql: (s) => `
      -- Times are bigint epoch milliseconds: the Store contract speaks them, and comparing plain
      -- integers needs no time zone care.
      CREATE TABLE ${s}.jobs (
        id           text PRIMARY KEY,
        -- Monotonic insertion number: newest-first listing and FIFO within one millisecond.
        seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        queue        text NOT NULL DEFAULT 'default',
        command      text NOT NULL,
        state        text NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'processing', 'completed', 'failed', 'dead')),
        priority     smallint NOT NULL CHECK (priority BETWEEN 1 AND 10),
        attempts     integer NOT NULL DEFAULT 0,
        -- Number of the latest attempt row. Unlike attempts it never goes down (dlq retry, requeue),
        -- so (worker_id, last_attempt) identifies one run: finishRuns applies only to that run.
        last_attempt integer NOT NULL DEFAULT 0,
        max_retries  integer NOT NULL CHECK (max_retries >= 0),
        timeout      double precision,
        run_at       bigint NOT NULL,
        created_at   bigint NOT NULL,
        updated_at   bigint NOT NULL,
        started_at   bigint,
        finished_at  bigint,
        exit_code    integer,
        duration_ms  bigint,
        last_error   text,
        worker_id    text,
        lease_until  bigint
      );
      -- The claim walks this index in pick-up order and reads run_at from it; it holds only the
      -- jobs waiting to run, so it stays small however many finished jobs are stored.
      CREATE INDEX jobs_ready ON ${s}.jobs (priority DESC, created_at, seq) INCLUDE (run_at)
        WHERE state IN ('pending', 'failed');
      -- nextRunAt(): the earliest due time of waiting jobs.
      CREATE INDEX jobs_waiting_run_at ON ${s}.jobs (run_at) WHERE state IN ('pending', 'failed');
      -- list --state (newest first) and counts per state.
      CREATE INDEX jobs_state_seq ON ${s}.jobs (state, seq);
      -- Heartbeat, worker list and reap find processing jobs by worker and by lease.
      CREATE INDEX jobs_processing_worker ON ${s}.jobs (worker_id) WHERE state = 'processing';
      CREATE INDEX jobs_processing_lease ON ${s}.jobs (lease_until) WHERE state = 'processing';
      -- Live views: jobs changed since a time.
      CREATE INDEX jobs_updated_at ON ${s}.jobs (updated_at);

      -- No foreign key to jobs: it would cost a lookup per claimed job, and jobs are never deleted
      -- without their attempts (there is no delete operation yet; one would delete both).
      CREATE TABLE ${s}.attempts (
        job_id           text NOT NULL,
        number           integer NOT NULL,
        worker_id        text,
        outcome          text NOT NULL,
        started_at       bigint NOT NULL,
        finished_at      bigint,
        duration_ms      bigint,
        exit_code        integer,
        signal           text,
        error            text,
        -- Output is bytes: commands may write binary or invalid UTF-8.
        stdout           bytea NOT NULL DEFAULT ''::bytea,
        stdout_bytes     bigint NOT NULL DEFAULT 0,
        stdout_truncated boolean NOT NULL DEFAULT false,
        stderr           bytea NOT NULL DEFAULT ''::bytea,
        stderr_bytes     bigint NOT NULL DEFAULT 0,
        stderr_truncated boolean NOT NULL DEFAULT false,
        PRIMARY KEY (job_id, number)
      );
      -- Metrics and throughput look at recently finished attempts.
      CREATE INDEX attempts_finished_at ON ${s}.attempts (finished_at) WHERE finished_at IS NOT NULL;

      CREATE TABLE ${s}.workers (
        id             text PRIMARY KEY,
        host           text NOT NULL,
        pid            integer NOT NULL,
        slots          integer NOT NULL,
        started_at     bigint NOT NULL,
        heartbeat_at   bigint NOT NULL,
        stop_requested text CHECK (stop_requested IN ('drain', 'now'))
      );

      CREATE TABLE ${s}.settings (
        key   text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "processing jobs through jobs_state_seq",
    // Heartbeat, worker list and reap read the few processing jobs through (state, seq); two fewer
    // index entries to write on every claim.
    sql: (s) => `
      DROP INDEX IF EXISTS ${s}.jobs_processing_worker;
      DROP INDEX IF EXISTS ${s}.jobs_processing_lease;
    `,
  },
  {
    version: 3,
    name: "index names as in the SQLite schema",
    // The same index under the same name in both engines. Renaming is a catalog change here, where
    // SQLite would have to rebuild each index.
    sql: (s) => `
      ALTER INDEX ${s}.jobs_waiting_run_at RENAME TO jobs_due;
      ALTER INDEX ${s}.jobs_state_seq RENAME TO jobs_state;
      ALTER INDEX ${s}.jobs_updated_at RENAME TO jobs_updated;
      ALTER INDEX ${s}.attempts_finished_at RENAME TO attempts_finished;
    `,
  },
  {
    version: 4,
    name: "timeouts decided at enqueue",
    // Earlier versions stored NULL for "the job-timeout setting at run time": jobs that can still
    // run (a dead one can be retried) get that setting now, or its default (3600 s) when it is
    // unset or not a valid number of seconds (0 to a year). The pattern admits only numbers a
    // double holds, so the cast cannot fail.
    sql: (s) => `
      UPDATE ${s}.jobs SET timeout = coalesce((
        SELECT seconds FROM (
          SELECT CASE WHEN v ~ '^[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]{1,2})?$' THEN v::double precision END AS seconds
          FROM (SELECT btrim(value) AS v FROM ${s}.settings WHERE key = 'job-timeout') AS setting
        ) AS parsed
        WHERE seconds BETWEEN 0 AND 31536000
      ), 3600)
      WHERE timeout IS NULL AND state <> 'completed';
    `,
  },
  {
    version: 5,
    name: "run totals, run_at of runs, finished runs in key order",
    // Metrics. run_totals counts runs started, finished runs by outcome and moves to the DLQ, kept by
    // triggers, so a scrape sums a few rows at any size. The counts are spread over 64 rows per event
    // (picked by transaction id) so that workers claiming and finishing at once rarely wait for one
    // another's row lock. Runs remember the run_at they were claimed for (pickup latency); finished
    // runs are read in (finished_at, job_id, number) order, which the new index holds whole.
    sql: (s) => `
      ALTER TABLE ${s}.attempts ADD COLUMN run_at bigint;
      CREATE TABLE ${s}.run_totals (
        event text NOT NULL,
        shard smallint NOT NULL,
        n     bigint NOT NULL,
        PRIMARY KEY (event, shard)
      );
      INSERT INTO ${s}.run_totals (event, shard, n)
        SELECT 'started', 0, count(*) FROM ${s}.attempts
        UNION ALL SELECT 'dead', 0, count(*) FROM ${s}.jobs WHERE state = 'dead'
        UNION ALL SELECT outcome, 0, count(*) FROM ${s}.attempts WHERE outcome <> 'running' GROUP BY outcome;
      CREATE FUNCTION ${s}.count_run_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${s}.run_totals AS t (event, shard, n) VALUES (TG_ARGV[0], txid_current() % 64, 1)
          ON CONFLICT (event, shard) DO UPDATE SET n = t.n + 1;
        RETURN NULL;
      END $$;
      CREATE FUNCTION ${s}.count_run_outcome() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${s}.run_totals AS t (event, shard, n) VALUES (NEW.outcome, txid_current() % 64, 1)
          ON CONFLICT (event, shard) DO UPDATE SET n = t.n + 1;
        RETURN NULL;
      END $$;
      CREATE TRIGGER attempts_total_insert AFTER INSERT ON ${s}.attempts
        FOR EACH ROW EXECUTE FUNCTION ${s}.count_run_event('started');
      -- A finish whose claim row was missing inserts the attempt finished (see finish-runs).
      CREATE TRIGGER attempts_total_insert_finished AFTER INSERT ON ${s}.attempts
        FOR EACH ROW WHEN (NEW.outcome <> 'running') EXECUTE FUNCTION ${s}.count_run_outcome();
      CREATE TRIGGER attempts_total_finish AFTER UPDATE OF outcome ON ${s}.attempts
        FOR EACH ROW WHEN (OLD.outcome = 'running' AND NEW.outcome <> 'running')
        EXECUTE FUNCTION ${s}.count_run_outcome();
      CREATE TRIGGER jobs_total_dead AFTER UPDATE OF state ON ${s}.jobs
        FOR EACH ROW WHEN (NEW.state = 'dead' AND OLD.state <> 'dead')
        EXECUTE FUNCTION ${s}.count_run_event('dead');
      DROP INDEX IF EXISTS ${s}.attempts_finished;
      CREATE INDEX attempts_finished ON ${s}.attempts (finished_at, job_id, number) WHERE finished_at IS NOT NULL;
    `,
  },
  {
    version: 6,
    name: "named queues: settings, per-queue pick-up index, served queues of workers",
    // jobs.queue exists since version 1. A claim restricted by queues reads each queue's waiting
    // jobs in pick-up order through jobs_queue_ready; the plain claim keeps walking jobs_ready.
    // lock_queues serialises the claimers of limited queues (their rows, in name order) and then
    // counts their processing jobs: a VOLATILE function's statements each take a fresh snapshot, so
    // the count, taken once the lock is held, includes what the previous holder claimed.
    sql: (s) => `
      CREATE INDEX jobs_queue_ready ON ${s}.jobs (queue, priority DESC, created_at, seq) INCLUDE (run_at)
        WHERE state IN ('pending', 'failed');
      CREATE TABLE ${s}.queues (
        name        text PRIMARY KEY,
        paused      boolean NOT NULL DEFAULT false,
        concurrency integer CHECK (concurrency >= 1)
      );
      ALTER TABLE ${s}.workers ADD COLUMN queues text[];
      CREATE FUNCTION ${s}.lock_queues(names text[])
        RETURNS TABLE (name text, paused boolean, concurrency integer, running bigint)
        LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM 1 FROM ${s}.queues q WHERE q.name = ANY(names) ORDER BY q.name FOR UPDATE;
        RETURN QUERY SELECT q.name, q.paused, q.concurrency,
            (SELECT count(*) FROM ${s}.jobs j WHERE j.state = 'processing' AND j.queue = q.name)
          FROM ${s}.queues q WHERE q.name = ANY(names);
      END $$;
    `,
  },
  {
    version: 7,
    name: "cancel: the cancelled state and the order a cancel leaves on a running job",
    // cancel_signal and cancel_grace_ms are set while a processing job is being cancelled: the
    // worker holding it sends the signal to its process group, then SIGKILL after the grace.
    // Finishing or recovering the run clears them.
    sql: (s) => `
      ALTER TABLE ${s}.jobs ADD COLUMN cancel_signal text, ADD COLUMN cancel_grace_ms bigint;
      ALTER TABLE ${s}.jobs DROP CONSTRAINT jobs_state_check,
        ADD CONSTRAINT jobs_state_check
        CHECK (state IN ('pending', 'processing', 'completed', 'failed', 'dead', 'cancelled'));
    `,
  },
  {
    version: 8,
    name: "cwd and env of a job",
    // The absolute directory a job's command runs in, and the variables added to the worker's
    // environment (an object of strings). NULL = the worker's directory, nothing added.
    sql: (s) => `
      ALTER TABLE ${s}.jobs ADD COLUMN cwd text;
      ALTER TABLE ${s}.jobs ADD COLUMN env jsonb;
    `,
  },
  {
    version: 9,
    // A slot's job carries the schedule's name and the slot; the pair is unique, so however many
    // workers on however many hosts fire a slot, it makes one job. Workers wait for the earliest
    // next_slot of the schedules not paused (schedules_due).
    name: "cron schedules",
    sql: (s) => `
      CREATE TABLE ${s}.schedules (
        name        text PRIMARY KEY,
        cron        text NOT NULL,
        tz          text NOT NULL,
        command     text NOT NULL,
        priority    smallint,
        max_retries integer,
        timeout     double precision,
        catch_up    text NOT NULL CHECK (catch_up IN ('none', 'last', 'all')),
        overlap     text NOT NULL CHECK (overlap IN ('allow', 'skip')),
        paused      boolean NOT NULL DEFAULT false,
        last_slot   bigint NOT NULL,
        next_slot   bigint,
        last_job_id text,
        last_run_at bigint,
        created_at  bigint NOT NULL,
        updated_at  bigint NOT NULL
      );
      CREATE INDEX schedules_due ON ${s}.schedules (next_slot) WHERE NOT paused;
      ALTER TABLE ${s}.jobs ADD COLUMN schedule text, ADD COLUMN schedule_slot bigint;
      CREATE UNIQUE INDEX jobs_schedule_slot ON ${s}.jobs (schedule, schedule_slot) WHERE schedule_slot IS NOT NULL;
    `,
  },
  {
    version: 10,
    name: "retention: prune index, rollups, output pruned",
    // Finished jobs are found for pruning by a range scan of (state, finished_at) over the terminal
    // states only, so waiting and running jobs add nothing to it. Runs of pruned jobs are summed
    // into per-minute and per-hour rollups (size = bucket length in ms) that metrics read with the
    // live rows. Runs whose output was dropped say so; prune_marks remembers where the output
    // pruning stopped, so each pass walks only runs it has not seen.
    sql: (s) => `
      CREATE INDEX jobs_finished ON ${s}.jobs (state, finished_at) WHERE state IN ('completed', 'dead', 'cancelled');
      CREATE TABLE ${s}.run_rollups (
        size         bigint NOT NULL,
        start        bigint NOT NULL,
        completed    bigint NOT NULL,
        failed       bigint NOT NULL,
        duration_sum bigint NOT NULL,
        PRIMARY KEY (size, start)
      );
      ALTER TABLE ${s}.attempts ADD COLUMN output_pruned boolean NOT NULL DEFAULT false;
      CREATE TABLE ${s}.prune_marks (
        name        text PRIMARY KEY,
        finished_at bigint NOT NULL,
        job_id      text NOT NULL,
        number      integer NOT NULL
      );
    `,
  },
  {
    version: 11,
    name: "unique keys, no-retry exit codes",
    // A key is unique among active jobs (core/unique-key.ts): the partial unique index is what makes
    // enqueue with a key race-free across hosts. no_retry_exit_codes: the exit-code policy (core/retry.ts).
    sql: (s) => `
      ALTER TABLE ${s}.jobs ADD COLUMN key text,
        ADD COLUMN no_retry_exit_codes smallint[] NOT NULL DEFAULT '{}';
      CREATE UNIQUE INDEX jobs_active_key ON ${s}.jobs (key)
        WHERE key IS NOT NULL AND state IN ('pending', 'failed', 'processing');
      -- dlq retry --all picks one dead job per key: found by key whatever the state.
      CREATE INDEX jobs_key ON ${s}.jobs (key) WHERE key IS NOT NULL;
    `,
  },
  {
    version: 12,
    name: "job dependencies: edges, waiting counts, unblock and cascade",
    // core/dependencies.ts. An edge per (dependency, dependent), keyed by the dependency so a
    // completion finds its direct dependents in one index range; done once that dependency
    // completed. On the job: the ids as given, how many have not completed, its own run_at while
    // blocked (run_at then holds BLOCKED_RUN_AT, out of the claim's reach), and whether any job waits
    // for it. The trigger's WHEN reads only that flag and the state, so a finish of any other job
    // calls nothing; for a flagged job it runs in the finishing statement's transaction, whatever
    // path made the change (finish, finish-and-claim, cancel, reap, delete, prune).
    // Completed: the direct dependents count one less; those at zero are due at max(own run_at,
    // now) and idle workers are woken on the queue's channel (named as postgres-store.ts names it).
    // Cancelled or deleted: the dependents still waiting are cancelled, transitively (the walk
    // follows only waiting jobs; each cancelled one's own trigger then finds nothing left to do).
    sql: (s) => `
      ALTER TABLE ${s}.jobs ADD COLUMN after_ids text[] NOT NULL DEFAULT '{}',
        ADD COLUMN waiting_on integer NOT NULL DEFAULT 0,
        ADD COLUMN own_run_at bigint,
        ADD COLUMN has_dependents boolean NOT NULL DEFAULT false;
      CREATE TABLE ${s}.job_deps (
        after_id text NOT NULL,
        job_id   text NOT NULL REFERENCES ${s}.jobs (id) ON DELETE CASCADE,
        done     boolean NOT NULL DEFAULT false,
        PRIMARY KEY (after_id, job_id)
      );
      CREATE INDEX job_deps_job ON ${s}.job_deps (job_id);
      CREATE FUNCTION ${s}.settle_dependents() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        gone text := CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END;
        at bigint := coalesce(CASE WHEN TG_OP = 'UPDATE' THEN NEW.finished_at END,
                              (extract(epoch FROM clock_timestamp()) * 1000)::bigint);
        due integer;
        dependents text[];
        channel text := 'queuectl:' || TG_TABLE_SCHEMA;
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.state = 'completed' THEN
          -- The ids first, then each dependent by its primary key: a join would let the planner
          -- (whose estimate of the edges is a guess) scan every job, at every completion.
          WITH edges AS (
            UPDATE ${s}.job_deps SET done = true WHERE after_id = gone AND NOT done RETURNING job_id
          )
          SELECT array_agg(job_id) INTO dependents FROM edges;
          UPDATE ${s}.jobs j SET waiting_on = j.waiting_on - 1, updated_at = at,
            run_at = CASE WHEN j.waiting_on = 1 AND j.own_run_at IS NOT NULL THEN greatest(j.own_run_at, at)
                     ELSE j.run_at END,
            own_run_at = CASE WHEN j.waiting_on = 1 THEN NULL ELSE j.own_run_at END
          WHERE j.id = ANY (dependents);
          GET DIAGNOSTICS due = ROW_COUNT;
          IF due > 0 THEN
            IF octet_length(channel) > 63 THEN
              channel := 'queuectl:' || left(encode(sha256(convert_to(TG_TABLE_SCHEMA, 'UTF8')), 'hex'), 32);
            END IF;
            PERFORM pg_notify(channel, '');
          END IF;
          RETURN NULL;
        END IF;
        WITH RECURSIVE down (id, parent) AS (
          SELECT d.job_id, d.after_id FROM ${s}.job_deps d
            JOIN ${s}.jobs j ON j.id = d.job_id AND j.state IN ('pending', 'failed')
            WHERE d.after_id = gone AND NOT d.done
          UNION
          SELECT d.job_id, d.after_id FROM down
            JOIN ${s}.job_deps d ON d.after_id = down.id AND NOT d.done
            JOIN ${s}.jobs j ON j.id = d.job_id AND j.state IN ('pending', 'failed')
        )
        UPDATE ${s}.jobs j SET state = 'cancelled', finished_at = at, updated_at = at,
          last_error = 'dependency ' || down.parent || ' was '
            || CASE WHEN down.parent = gone AND TG_OP = 'DELETE' THEN 'deleted' ELSE 'cancelled' END
        FROM down WHERE j.id = down.id AND j.state IN ('pending', 'failed');
        IF TG_OP = 'DELETE' THEN
          -- A dependent retried later no longer waits for a job that is gone.
          UPDATE ${s}.jobs SET waiting_on = waiting_on - 1
            WHERE id IN (SELECT job_id FROM ${s}.job_deps WHERE after_id = gone AND NOT done) AND waiting_on > 0;
          DELETE FROM ${s}.job_deps WHERE after_id = gone;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER jobs_settle_dependents AFTER UPDATE OF state ON ${s}.jobs
        FOR EACH ROW WHEN (NEW.has_dependents AND NEW.state IN ('completed', 'cancelled') AND OLD.state <> NEW.state)
        EXECUTE FUNCTION ${s}.settle_dependents();
      CREATE TRIGGER jobs_forget_dependency AFTER DELETE ON ${s}.jobs
        FOR EACH ROW WHEN (OLD.has_dependents) EXECUTE FUNCTION ${s}.settle_dependents();
    `,
  },
  {
    version: 13,
    name: "schedule job options",
    // The job options of a cron schedule beyond priority, retries and timeout (core/schedule.ts):
    // the queue, directory, variables and no-retry exit codes that every job it makes carries,
    // typed as the jobs' own columns.
    sql: (s) => `
      ALTER TABLE ${s}.schedules ADD COLUMN queue text NOT NULL DEFAULT 'default',
        ADD COLUMN cwd text,
        ADD COLUMN env jsonb,
        ADD COLUMN no_retry_exit_codes smallint[] NOT NULL DEFAULT '{}';
    `,
  },
  {
    version: 14,
    name: "metrics per queue: run totals and rollups by queue",
    // Run totals and the rollups of pruned runs are kept per queue. Totals counted before this
    // version stay in 'default' (the label they were reported under), so no counter goes back;
    // rollups made before it get queue '' (no queue known): they count in the figures of all queues
    // only. A run's trigger finds its queue by its job's id (one primary key lookup).
    sql: (s) => `
      DELETE FROM ${s}.run_totals WHERE n = 0;
      ALTER TABLE ${s}.run_totals ADD COLUMN queue text NOT NULL DEFAULT 'default';
      ALTER TABLE ${s}.run_totals ALTER COLUMN queue DROP DEFAULT,
        DROP CONSTRAINT run_totals_pkey, ADD PRIMARY KEY (event, queue, shard);
      CREATE OR REPLACE FUNCTION ${s}.count_run_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${s}.run_totals AS t (event, queue, shard, n)
          VALUES (TG_ARGV[0], coalesce((SELECT queue FROM ${s}.jobs WHERE id = NEW.job_id), 'default'),
                  txid_current() % 64, 1)
          ON CONFLICT (event, queue, shard) DO UPDATE SET n = t.n + 1;
        RETURN NULL;
      END $$;
      CREATE OR REPLACE FUNCTION ${s}.count_run_outcome() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${s}.run_totals AS t (event, queue, shard, n)
          VALUES (NEW.outcome, coalesce((SELECT queue FROM ${s}.jobs WHERE id = NEW.job_id), 'default'),
                  txid_current() % 64, 1)
          ON CONFLICT (event, queue, shard) DO UPDATE SET n = t.n + 1;
        RETURN NULL;
      END $$;
      CREATE FUNCTION ${s}.count_job_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${s}.run_totals AS t (event, queue, shard, n) VALUES (TG_ARGV[0], NEW.queue, txid_current() % 64, 1)
          ON CONFLICT (event, queue, shard) DO UPDATE SET n = t.n + 1;
        RETURN NULL;
      END $$;
      DROP TRIGGER jobs_total_dead ON ${s}.jobs;
      CREATE TRIGGER jobs_total_dead AFTER UPDATE OF state ON ${s}.jobs
        FOR EACH ROW WHEN (NEW.state = 'dead' AND OLD.state <> 'dead')
        EXECUTE FUNCTION ${s}.count_job_event('dead');
      ALTER TABLE ${s}.run_rollups ADD COLUMN queue text NOT NULL DEFAULT '';
      ALTER TABLE ${s}.run_rollups ALTER COLUMN queue DROP DEFAULT,
        DROP CONSTRAINT run_rollups_pkey, ADD PRIMARY KEY (size, start, queue);
    `,
  },
  {
    version: 15,
    name: "autovacuum keeps up with the queue's churn",
    // Every job is rewritten at its claim and its finish, and retention deletes it soon after: the
    // default thresholds (20 % of the table dead) with a throttled vacuum let the dead rows pile up
    // faster than they are cleaned, and the store grew on disk while its live rows held level
    // (bench/soak.ts). A vacuum is due at 1 % dead instead and runs unthrottled on these tables.
    sql: (s) => `
      ALTER TABLE ${s}.jobs SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
        autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.02);
      ALTER TABLE ${s}.attempts SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
        autovacuum_vacuum_cost_delay = 0, autovacuum_vacuum_insert_scale_factor = 0.02);
      ALTER TABLE ${s}.run_totals SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
        autovacuum_vacuum_cost_delay = 0);
    `,
  },
  {
    version: 16,
    name: "running jobs of limited queues kept on their rows",
    // A limited queue's claimers read how many of its jobs run from its row, locked, instead of
    // counting its processing jobs: that count walked every processing entry of jobs_state, dead
    // ones included (hundreds of reads for a handful of live rows on a busy store). The statements
    // that move jobs into or out of processing keep the count (sql/queue-running.ts) while the queue
    // has a limit; without one it is NULL. Counted here under the same lock as a limit set later.
    sql: (s) => `
      ALTER TABLE ${s}.queues ADD COLUMN running integer;
      LOCK TABLE ${s}.jobs IN SHARE MODE;
      UPDATE ${s}.queues q
        SET running = (SELECT count(*) FROM ${s}.jobs j WHERE j.state = 'processing' AND j.queue = q.name)
        WHERE q.concurrency IS NOT NULL;
      ALTER TABLE ${s}.queues ADD CONSTRAINT queues_running_when_limited
        CHECK ((running IS NULL) = (concurrency IS NULL));
      -- Its claimers now lock the rows themselves and read the count.
      DROP FUNCTION ${s}.lock_queues(text[]);
    `,
  },
  {
    version: 17,
    name: "blocked jobs listed through an index of their own",
    // `list --state blocked`: the jobs waiting for their dependencies, newest first, a page at a
    // time. jobs_state would walk every pending job to find them, jobs_due keeps them in no useful
    // order; this index holds only the blocked ones, by seq. A claim or finish never matches it.
    sql: (s) => `
      CREATE INDEX jobs_blocked ON ${s}.jobs (seq) WHERE state = 'pending' AND waiting_on > 0;
    `,
  },
  {
    version: 18,
    name: "run totals counted by the statements that start and end runs",
    // The run totals were kept by row triggers on attempts: two plpgsql calls per job, each looking
    // up the job's queue and upserting a total, cost the claim-and-finish statement about a quarter
    // of its server time. The claims, the finish and the reap now add their runs up themselves, one
    // upsert per event and queue (sql/run-tally.ts), as SQLite's do. Moves to the DLQ keep their
    // trigger (jobs_total_dead, which uses count_job_event).
    sql: (s) => `
      DROP TRIGGER attempts_total_insert ON ${s}.attempts;
      DROP TRIGGER attempts_total_insert_finished ON ${s}.attempts;
      DROP TRIGGER attempts_total_finish ON ${s}.attempts;
      DROP FUNCTION ${s}.count_run_event();
      DROP FUNCTION ${s}.count_run_outcome();
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * Brings the schema up to date. A transaction-scoped advisory lock (keyed by the schema name)
 * serialises concurrent callers: ten workers starting at once migrate once, the other nine wait a
 * moment, then see the work done. The lock ends with the transaction, even if the process dies.
 */
export async function migrate(db: Db): Promise<void> {
  const { s } = db;
  // Fast path without the lock: a plain read tells whether anything is left to do.
  if ((await currentVersion(db)) >= LATEST_VERSION) return;
  const client = await db.pool.connect().catch((error: unknown) => {
    throw unavailable(db.settings.location, error);
  });
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
      `queuectl:migrate:${db.settings.schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${s}.migrations`,
    );
    const applied = rows[0]?.version ?? 0;
    for (const migration of MIGRATIONS) {
      if (migration.version <= applied) continue;
      await client.query(migration.sql(s));
      await client.query(`INSERT INTO ${s}.migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
    }
    await client.query("COMMIT");
  } catch (error) {
    broken = error as Error;
    await client.query("ROLLBACK").catch(() => {});
    throw db.mapError(error);
  } finally {
    client.release(broken);
  }
}

async function currentVersion(db: Db): Promise<number> {
  const { rows } = await db.query<{ present: string | null }>("SELECT to_regclass($1) AS present", [
    `${db.s}.migrations`,
  ]);
  if (!rows[0]?.present) return 0;
  const result = await db.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${db.s}.migrations`);
  return result.rows[0]?.version ?? 0;
}
