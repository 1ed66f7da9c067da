import type { ClaimedJob } from "../../../core/types.js";
import type { Db } from "../db.js";
import { jobColumns, type JobRow } from "../rows.js";

/**
 * One statement, one round trip: lock up to `limit` ready jobs in pick-up order, skipping rows
 * another claimer holds (SKIP LOCKED: concurrent claimers take different jobs and never wait),
 * mark them processing, and create their attempt rows.
 *
 * `picked` is MATERIALIZED so the locking SELECT runs exactly once; an inlined subquery could be
 * re-evaluated by the planner and lock more rows than it returns.
 */
export async function claimJobs(db: Db, workerId: string, limit: number, now: number, leaseMs: number): Promise<ClaimedJob[]> {
  if (limit <= 0) return [];
  const { s } = db;
  const { rows } = await db.query<JobRow & { last_attempt: number }>(
    `WITH picked AS MATERIALIZED (
       SELECT id FROM ${s}.jobs
       -- "run_at + 0": keeps the planner off jobs_waiting_run_at. On a table without fresh statistics
       -- it would pick that index, fetch every due job and sort them all (7 ms per claim at 10k
       -- jobs, growing with the backlog); walking jobs_ready in order stops after \`limit\` rows.
       WHERE state IN ('pending', 'failed') AND run_at + 0 <= $1
       ORDER BY priority DESC, created_at, seq
       LIMIT $2
       FOR UPDATE SKIP LOCKED
     ), claimed AS (
       UPDATE ${s}.jobs j
       SET state = 'processing', worker_id = $3, attempts = j.attempts + 1, last_attempt = j.last_attempt + 1,
           started_at = $1, updated_at = $1, lease_until = $1::bigint + $4::bigint,
           finished_at = NULL, exit_code = NULL, duration_ms = NULL
       FROM picked WHERE j.id = picked.id
       RETURNING ${jobColumns("j")}, j.last_attempt
     ), attempt AS (
       INSERT INTO ${s}.attempts (job_id, number, worker_id, outcome, started_at)
       SELECT id, last_attempt, $3, 'running', $1 FROM claimed
     )
     SELECT * FROM claimed ORDER BY priority DESC, created_at, seq`,
    [now, limit, workerId, leaseMs],
    "claimJobs",
  );
  return rows.map(({ last_attempt, ...job }) => ({ job, attempt: last_attempt }));
}
