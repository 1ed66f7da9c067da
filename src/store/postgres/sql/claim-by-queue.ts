import { planClaim, type ClaimPlan, type QueueSettings } from "../../../core/queues.js";
import type { ClaimRequest } from "../../../core/store.js";
import { jobColumns } from "../../shared/columns.js";
import type { Db, Param } from "../db.js";

type ScopedPlan = Extract<ClaimPlan, { open: false }>;

/** Settings that restrict a claim: paused or limited queues (a few rows). */
export const RESTRICTING = (s: string) => `SELECT name, paused, concurrency FROM ${s}.queues
  WHERE paused OR concurrency IS NOT NULL`;

export async function restrictingQueues(db: Db): Promise<QueueSettings[]> {
  const { rows } = await db.query<QueueSettings>(RESTRICTING(db.s), [], "restrictingQueues");
  return rows;
}

/** The plan for a claim: open (the plain claim) or restricted by queues (core/queues.ts). */
export async function claimPlan(db: Db, claim: ClaimRequest): Promise<ClaimPlan> {
  return planClaim(await restrictingQueues(db), claim.queues ?? null);
}

/**
 * The claim restricted by queues, one statement. Candidate queues are those served, or every queue
 * with waiting jobs (a recursive skip scan of jobs_queue_ready: one index step per queue). Limited
 * queues are locked and their processing jobs counted by lock_queues (see the migration); a queue
 * then gives at most its concurrency minus its running jobs, re-read under the lock, and a paused
 * one nothing (core/queues.ts queueTakes states the same rule). Each queue's head is locked in
 * pick-up order (SKIP LOCKED), the heads are merged in pick-up order, and the first `limit` taken.
 * Rows a previous lock holder claimed after this statement's snapshot are skipped: FOR UPDATE
 * re-checks the state of a row changed by a committed transaction.
 */
export function scopedClaimSql(
  s: string,
  claim: ClaimRequest,
  plan: ScopedPlan,
): { sql: string; params: Param[]; name: string } {
  if (!Number.isInteger(claim.limit) || claim.limit < 1)
    throw new RangeError(`claim limit must be a positive integer, got ${claim.limit}`);
  const limit = String(claim.limit);
  const ready = `state IN ('pending', 'failed')`;
  const candidates =
    plan.served === null
      ? `ready_queues(name) AS (
           SELECT (SELECT min(queue) FROM ${s}.jobs WHERE ${ready})
           UNION ALL
           SELECT (SELECT min(queue) FROM ${s}.jobs WHERE ${ready} AND queue > r.name) FROM ready_queues r
           WHERE r.name IS NOT NULL
         ), candidates AS MATERIALIZED (SELECT name FROM ready_queues WHERE name IS NOT NULL)`
      : `candidates AS MATERIALIZED (SELECT DISTINCT unnest($6::text[]) AS name)`;
  const sql = `WITH RECURSIVE ${candidates},
     locked AS MATERIALIZED (SELECT * FROM ${s}.lock_queues($5::text[])),
     takes AS MATERIALIZED (
       SELECT c.name, least(${limit}, l.concurrency - l.running) AS take
       FROM candidates c LEFT JOIN locked l ON l.name = c.name
       WHERE c.name <> ALL($4::text[]) AND NOT coalesce(l.paused, false)
         AND NOT EXISTS (SELECT 1 FROM ${s}.workers w WHERE w.id = $2 AND w.stop_requested IS NOT NULL)
     ), picked AS MATERIALIZED (
       SELECT p.id FROM takes t CROSS JOIN LATERAL (
         -- A range, not "=", and queue in the ORDER BY: only jobs_queue_ready then gives this order.
         -- With "=" the planner walked jobs_ready and filtered by queue, reading through every
         -- waiting job of the queues ahead (measured: a third of the plain claim's rate).
         SELECT id, priority, created_at, seq FROM ${s}.jobs
         WHERE queue >= t.name AND queue <= t.name AND ${ready} AND run_at <= $1
         ORDER BY queue, priority DESC, created_at, seq
         LIMIT t.take
         FOR UPDATE SKIP LOCKED
       ) p
       WHERE t.take > 0
       ORDER BY p.priority DESC, p.created_at, p.seq
       LIMIT ${limit}
     ), claimed AS (
       UPDATE ${s}.jobs j
       SET state = 'processing', worker_id = $2, attempts = j.attempts + 1, last_attempt = j.last_attempt + 1,
           started_at = $1, updated_at = $1, lease_until = $1::bigint + $3::bigint,
           finished_at = NULL, exit_code = NULL, duration_ms = NULL
       WHERE j.id = ANY(ARRAY(SELECT id FROM picked))
       RETURNING ${jobColumns("j")}, j.last_attempt
     ), claimed_attempt AS (
       INSERT INTO ${s}.attempts (job_id, number, worker_id, outcome, started_at, run_at)
       SELECT id, last_attempt, $2, 'running', $1, run_at FROM claimed
     )
     SELECT * FROM claimed ORDER BY priority DESC, created_at, seq`;
  const params: Param[] = [claim.now, claim.workerId, claim.leaseMs, [...plan.paused], plan.limited.map((q) => q.name)];
  if (plan.served !== null) params.push(plan.served);
  return { sql, params, name: `claimByQueue${plan.served === null ? "All" : "Served"}${limit}` };
}
