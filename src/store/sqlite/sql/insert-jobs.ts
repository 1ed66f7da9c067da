import { DEFAULT_QUEUE } from "../../../core/queues.js";
import type { InsertedJob, NewJob } from "../../../core/types.js";
import { duplicateId, keyTaken } from "../../shared/refusals.js";
import type { Db } from "../db.js";
import { addDependencies } from "./dependencies.js";

const COLUMNS = `INSERT INTO jobs (id, command, state, priority, max_retries, timeout, run_at, created_at, updated_at,
    queue, cwd, env, key, no_retry_exit_codes)
  VALUES (@id, @command, 'pending', @priority, @max_retries, @timeout, @run_at, @created_at, @created_at,
    @queue, @cwd, @env, @key, @no_retry_exit_codes)`;

const INSERT = `${COLUMNS} ON CONFLICT (id) DO NOTHING`;

/**
 * A job that holds its key: the predicate of the partial unique index jobs_active_key as its
 * migration writes it (comparisons: an IN list of three made every claim and finish of a keyed job
 * build a temporary B-tree). A query repeats it to use the index (core/unique-key.ts).
 */
export const HOLDS_KEY = `key IS NOT NULL AND (state = 'pending' OR state = 'failed' OR state = 'processing')`;

/** The conflict target: the partial unique index jobs_active_key. */
const ON_KEY = `ON CONFLICT (key) WHERE ${HOLDS_KEY}`;

const INSERT_KEYED = `${COLUMNS} ${ON_KEY} DO NOTHING RETURNING id`;

/**
 * replace: a job that has not started takes the new job's fields and starts over; one blocked by
 * its dependencies keeps them (and stays blocked, its new run_at kept aside).
 */
const INSERT_REPLACING = `${COLUMNS} ${ON_KEY} DO UPDATE SET command = excluded.command,
    priority = excluded.priority, max_retries = excluded.max_retries, timeout = excluded.timeout,
    run_at = CASE WHEN jobs.waiting_on > 0 THEN jobs.run_at ELSE excluded.run_at END,
    own_run_at = CASE WHEN jobs.waiting_on > 0 THEN excluded.run_at END, no_retry_exit_codes = excluded.no_retry_exit_codes, queue = excluded.queue,
    cwd = excluded.cwd, env = excluded.env, state = 'pending',
    attempts = 0, updated_at = excluded.created_at
  WHERE jobs.state <> 'processing'
  RETURNING id`;

/** replace of a running job: it keeps running, but gives up its key and any retry left. */
const RELEASE_KEY = `UPDATE jobs SET key = NULL, max_retries = min(max_retries, attempts - 1), updated_at = @now
  WHERE key = @key AND state = 'processing'`;

/** The active job holding a key, by jobs_active_key. */
export const HOLDER = `SELECT id FROM jobs WHERE key = ? AND ${HOLDS_KEY}`;

type Params = Omit<
  NewJob,
  "key" | "on_conflict" | "no_retry_exit_codes" | "queue" | "cwd" | "env" | "schedule" | "schedule_slot"
> & {
  queue: string;
  cwd: string | null;
  env: string | null;
  key: string | null;
  no_retry_exit_codes: string;
};

/**
 * One job, inside the caller's write transaction (insertJobs, or the move to dead that adds a
 * hook). The write lock serialises writers, and the key's unique index decides the conflict.
 */
export function insertOne(db: Db, job: NewJob): InsertedJob {
  const params: Params = {
    id: job.id,
    command: job.command,
    priority: job.priority,
    max_retries: job.max_retries,
    timeout: job.timeout,
    run_at: job.run_at,
    created_at: job.created_at,
    queue: job.queue ?? DEFAULT_QUEUE,
    cwd: job.cwd ?? null,
    env: job.env ? JSON.stringify(job.env) : null,
    key: job.key ?? null,
    no_retry_exit_codes: JSON.stringify(job.no_retry_exit_codes ?? []),
  };
  try {
    if (params.key === null) {
      if (db.sql(INSERT).run(params).changes === 0) throw duplicateId(job.id);
      return { id: job.id, existing: false };
    }
    return insertKeyed(db, job.on_conflict ?? "skip", params as Params & { key: string });
  } catch (error) {
    // With a conflict target on the key, a taken id is an error of the id's own unique index.
    const { code, message } = error as { code?: string; message?: string };
    if (
      code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
      (code === "SQLITE_CONSTRAINT_UNIQUE" && message?.endsWith("jobs.id"))
    ) {
      throw duplicateId(job.id);
    }
    throw error;
  }
}

function insertKeyed(db: Db, mode: NonNullable<NewJob["on_conflict"]>, params: Params & { key: string }): InsertedJob {
  if (mode === "replace") {
    const row = db.sql(INSERT_REPLACING).get(params) as { id: string } | undefined;
    if (row) return { id: row.id, existing: row.id !== params.id };
    db.sql(RELEASE_KEY).run({ key: params.key, now: params.created_at });
    db.sql(INSERT_KEYED).get(params);
    return { id: params.id, existing: false };
  }
  if (db.sql(INSERT_KEYED).get(params)) return { id: params.id, existing: false };
  const holder = (db.sql(HOLDER).get(params.key) as { id: string } | undefined)?.id;
  if (mode === "error" || holder === undefined) throw keyTaken(params.key, holder);
  return { id: holder, existing: true };
}

/** All jobs in one transaction: all or none. Inserted in the order of the batch, so seq keeps FIFO. */
export function insertJobs(db: Db, jobs: NewJob[]): InsertedJob[] {
  return db.write(() => {
    const inserted = jobs.map((job) => insertOne(db, job));
    addDependencies(db, jobs, inserted);
    return inserted;
  });
}
