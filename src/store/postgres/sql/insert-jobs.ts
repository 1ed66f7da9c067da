import { DEFAULT_QUEUE } from "../../../core/queues.js";
import type { InsertedJob, NewJob } from "../../../core/types.js";
import { duplicateId, keyTaken } from "../../shared/refusals.js";
import type { Db, Param } from "../db.js";
import { inTransaction, type TxQuery } from "../transaction.js";
import { addDependencies } from "./dependencies.js";

/**
 * All jobs in one statement (one transaction): all or none. Columns travel as arrays so the
 * statement text is the same for 1 or 10,000 jobs. WITH ORDINALITY + ORDER BY gives seq in the
 * order of the batch, so FIFO holds within one millisecond.
 */
const ANALYZE_BATCH = 1000;

/** The conflict target: the partial unique index jobs_active_key (core/unique-key.ts). */
export const ON_KEY = `ON CONFLICT (key) WHERE key IS NOT NULL AND state IN ('pending', 'failed', 'processing')`;

/**
 * INSERT … SELECT of new jobs given as arrays from parameter `$first` on (see newJobParams), in the
 * order given. `from` may join the arrays to something else (reap inserts only the hooks of the jobs
 * it moved).
 */
export function insertJobsSql(s: string, first: number, join = ""): string {
  const p = (n: number) => `$${first + n - 1}`;
  return `INSERT INTO ${s}.jobs (id, command, priority, max_retries, timeout, run_at, created_at, updated_at, key,
         no_retry_exit_codes, queue, cwd, env)
       SELECT t.id, t.command, t.priority, t.max_retries, t.timeout, t.run_at, t.created_at, t.created_at, t.key,
         t.codes::smallint[], t.queue, t.cwd, t.env
       FROM unnest(${p(1)}::text[], ${p(2)}::text[], ${p(3)}::smallint[], ${p(4)}::int[], ${p(5)}::float8[],
           ${p(6)}::bigint[], ${p(7)}::bigint[], ${p(8)}::text[], ${p(9)}::text[], ${p(10)}::text[], ${p(11)}::text[],
           ${p(12)}::jsonb[])
         WITH ORDINALITY AS t(id, command, priority, max_retries, timeout, run_at, created_at, key, codes, queue, cwd,
           env, ord)
       ${join}
       ORDER BY t.ord`;
}

export function newJobParams(jobs: NewJob[]): Param[] {
  return [
    jobs.map((j) => j.id),
    jobs.map((j) => j.command),
    jobs.map((j) => j.priority),
    jobs.map((j) => j.max_retries),
    jobs.map((j) => j.timeout),
    jobs.map((j) => j.run_at),
    jobs.map((j) => j.created_at),
    jobs.map((j) => j.key ?? null),
    jobs.map((j) => `{${(j.no_retry_exit_codes ?? []).join(",")}}`),
    jobs.map((j) => j.queue ?? DEFAULT_QUEUE),
    jobs.map((j) => j.cwd ?? null),
    jobs.map((j) => (j.env ? JSON.stringify(j.env) : null)),
  ];
}

/**
 * Whether a batch of `added` jobs leaves the jobs table's statistics far behind: they know fewer
 * rows than the batch brings (or none). A burst into a table whose statistics predate it would
 * make the planner believe few jobs are waiting (measured once: 7 ms per claim at 10k jobs by
 * fetching and sorting them all, against 0.1 ms walking jobs_ready). Autovacuum refreshes them
 * within a minute or so; such a burst has them refreshed at once (ANALYZE blocks no reader or
 * writer). Not after every large batch: a store fed 2,000 jobs at a time then sampled the whole
 * table about once a second and re-planned its claim each time (the PostgreSQL soak).
 */
async function statisticsBehind(db: Db, added: number): Promise<boolean> {
  const { rows } = await db.query<{ known: number }>(
    `SELECT reltuples AS known FROM pg_class WHERE oid = to_regclass($1)`,
    [`${db.s}.jobs`],
  );
  return (rows[0]?.known ?? -1) < added;
}

export async function insertJobs(db: Db, jobs: NewJob[]): Promise<InsertedJob[]> {
  if (jobs.length === 0) return [];
  try {
    if (jobs.some((job) => job.after?.length)) {
      return await inTransaction(db, async (query) => {
        const inserted = jobs.some((job) => job.key != null)
          ? await insertEach(query, db.s, jobs)
          : (await query(insertJobsSql(db.s, 1), newJobParams(jobs)),
            jobs.map((job) => ({ id: job.id, existing: false })));
        await addDependencies(query, db.s, jobs, inserted);
        return inserted;
      });
    }
    if (jobs.some((job) => job.key != null)) return await inTransaction(db, (query) => insertEach(query, db.s, jobs));
    await db.query(insertJobsSql(db.s, 1), newJobParams(jobs));
    if (jobs.length >= ANALYZE_BATCH && (await statisticsBehind(db, jobs.length)))
      await db.query(`ANALYZE ${db.s}.jobs`);
    return jobs.map((job) => ({ id: job.id, existing: false }));
  } catch (error) {
    throw refusal(error);
  }
}

/** A duplicate id as the faces word it; anything else as it is. */
export function refusal(error: unknown): unknown {
  const pgError = error as { code?: string; constraint?: string; detail?: string };
  if (pgError.code === "23505" && pgError.constraint === "jobs_pkey") {
    // detail: Key (id)=(<the id>) already exists.
    const id = /^Key \(id\)=\((.*)\) already exists\.$/s.exec(pgError.detail ?? "")?.[1] ?? "(unknown)";
    return duplicateId(id);
  }
  return error;
}

/** Jobs with keys, one by one in one transaction (each decides on the key as the index finds it). */
async function insertEach(query: TxQuery, s: string, jobs: NewJob[]): Promise<InsertedJob[]> {
  const inserted: InsertedJob[] = [];
  for (const job of jobs) inserted.push(await insertOne(query, s, job));
  return inserted;
}

/**
 * One job inside a transaction. With a key, the unique index decides: ON CONFLICT waits for a
 * concurrent enqueue of the same key to commit, then sees its job. Should the holder end between
 * that and the next statement, the insert is simply tried again.
 */
export async function insertOne(query: TxQuery, s: string, job: NewJob): Promise<InsertedJob> {
  const params = newJobParams([job]);
  if (job.key == null) {
    await query(insertJobsSql(s, 1), params);
    return { id: job.id, existing: false };
  }
  const mode = job.on_conflict ?? "skip";
  for (let round = 0; round < 5; round++) {
    if (mode === "replace") {
      const replaced = await query<{ id: string }>(
        `${insertJobsSql(s, 1)} ${ON_KEY} DO UPDATE SET command = excluded.command,
           priority = excluded.priority, max_retries = excluded.max_retries, timeout = excluded.timeout,
           run_at = CASE WHEN ${s}.jobs.waiting_on > 0 THEN ${s}.jobs.run_at ELSE excluded.run_at END,
           own_run_at = CASE WHEN ${s}.jobs.waiting_on > 0 THEN excluded.run_at END,
           no_retry_exit_codes = excluded.no_retry_exit_codes, queue = excluded.queue,
           cwd = excluded.cwd, env = excluded.env, state = 'pending',
           attempts = 0, updated_at = excluded.created_at
         WHERE ${s}.jobs.state <> 'processing'
         RETURNING id`,
        params,
      );
      const id = replaced.rows[0]?.id;
      if (id !== undefined) return { id, existing: id !== job.id };
      // The holder is running (and now locked by us): it gives up its key and any retry left.
      await query(
        `UPDATE ${s}.jobs SET key = NULL, max_retries = least(max_retries, attempts - 1), updated_at = $2
         WHERE key = $1 AND state = 'processing'`,
        [job.key, job.created_at],
      );
    }
    const added = await query(`${insertJobsSql(s, 1)} ${ON_KEY} DO NOTHING RETURNING id`, params);
    if (added.rowCount) return { id: job.id, existing: false };
    if (mode === "replace") continue;
    const holder = await query<{ id: string }>(
      `SELECT id FROM ${s}.jobs WHERE key = $1 AND state IN ('pending', 'failed', 'processing')`,
      [job.key],
    );
    const id = holder.rows[0]?.id;
    if (mode === "error") throw keyTaken(job.key, id);
    if (id !== undefined) return { id, existing: true };
  }
  throw keyTaken(job.key, undefined);
}
