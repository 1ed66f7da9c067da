import type { ClaimRequest } from "../../../core/store.js";
import { jobColumns } from "../../shared/columns.js";
import type { Param } from "../db.js";

/**
 * The claim restricted by queues, as CTEs numbered from parameter `$first` (finish-and-claim puts
 * the finish in front of them: one statement, one commit). The queue settings are read by the
 * statement itself, so the restricted claim costs no round trip more than the plain one; the rule
 * is core/queues.ts's (planClaim, queueTakes), applied here in SQL:
 * - candidate queues are those served, or every queue with waiting jobs (a recursive skip scan of
 *   jobs_queue_ready, from the last queue down: one index step per queue);
 * - limited queues (served, not paused) are locked, their rows in name order, and read with their
 *   running count (queue-running.ts), and only when there are some: the lock serialises their
 *   claimers across hosts, and a queue then gives at most its concurrency minus its running jobs; a
 *   paused queue gives nothing;
 * - each queue's head is locked in pick-up order (SKIP LOCKED), the heads are merged in pick-up
 *   order and the first `limit` taken. Rows a previous lock holder claimed after this statement's
 *   snapshot are skipped: FOR UPDATE re-checks the state of a row changed by a committed transaction;
 * - the claimed jobs are added to the running count of their limited queues.
 *
 * `after`, when given, is a CTE of runs finished by the same statement (with their `queue`), written
 * before the queues are locked (job rows first, then queue rows, as in every statement): their
 * slots are free for this claim, and they leave the count in the same UPDATE that adds the claimed.
 */
export function scopedClaimSql(
  s: string,
  claim: ClaimRequest,
  first: number,
  after?: string,
): { ctes: string; params: Param[]; name: string } {
  if (!Number.isInteger(claim.limit) || claim.limit < 1)
    throw new RangeError(`claim limit must be a positive integer, got ${claim.limit}`);
  const limit = String(claim.limit);
  const [now, worker, lease, served] = [1, 2, 3, 4].map((n) => `$${first + n - 1}`);
  const ready = `state IN ('pending', 'failed')`;
  const all = (claim.queues ?? null) === null;
  const candidates = all
    ? // Walked from the last queue down (max, <): each probe then lands on the tail of a queue, its
      // newest, lowest-priority jobs, which are still waiting. Walked up (min, >) it landed on the
      // head, where the entries of jobs claimed since the last vacuum lie, and read their pages at
      // every claim (docs/benchmarks.md, 2026-12-03 evening).
      `ready_queues(name) AS (
           SELECT (SELECT max(queue) FROM ${s}.jobs WHERE ${ready})
           UNION ALL
           SELECT (SELECT max(queue) FROM ${s}.jobs WHERE ${ready} AND queue < r.name) FROM ready_queues r
           WHERE r.name IS NOT NULL
         ), candidates AS MATERIALIZED (SELECT name FROM ready_queues WHERE name IS NOT NULL)`
    : // Not unnest: the planner sizes unnest by a known array, so each custom plan would look cheaper
      // than the generic one and the statement would be planned at every claim (as long as it ran).
      `candidates AS MATERIALIZED (
           SELECT DISTINCT (${served}::text[])[i] AS name FROM generate_subscripts(${served}::text[], 1) i
         )`;
  // The limited queues to lock: those the claim may take from, and those of the runs finished first
  // (their count goes down here). None (the usual case) locks nothing.
  const ended = after ? ` OR name IN (SELECT queue FROM ${after})` : "";
  const names = `ARRAY(SELECT name FROM restricting WHERE concurrency IS NOT NULL AND (NOT paused${ended}))`;
  const finishedFirst = after ? `(SELECT count(*) FROM ${after}) >= 0` : "true";
  // Runs finished by this statement still count in the locked row: they free their slots here.
  const freed = after
    ? `LEFT JOIN (SELECT queue, count(*) AS n FROM ${after} GROUP BY queue) e ON e.queue = c.name`
    : "";
  const ctes = `${candidates},
     restricting AS MATERIALIZED (
       SELECT name, paused, concurrency FROM ${s}.queues
       WHERE (paused OR concurrency IS NOT NULL)${all ? "" : ` AND (name IN (SELECT name FROM candidates)${ended})`}
     ), locked AS MATERIALIZED (
       SELECT q.name, q.paused, q.concurrency, q.running FROM ${s}.queues q
       WHERE q.name = ANY(CASE WHEN ${finishedFirst} THEN ${names} END)
       ORDER BY q.name
       FOR UPDATE
     ), takes AS MATERIALIZED (
       SELECT c.name, least(${limit}, l.concurrency - l.running${after ? " + coalesce(e.n, 0)" : ""}) AS take
       FROM candidates c LEFT JOIN locked l ON l.name = c.name ${freed}
       WHERE NOT EXISTS (SELECT 1 FROM restricting r WHERE r.name = c.name AND r.paused)
         AND NOT coalesce(l.paused, false)
         AND NOT EXISTS (SELECT 1 FROM ${s}.workers w WHERE w.id = ${worker} AND w.stop_requested IS NOT NULL)
     ), picked AS MATERIALIZED (
       SELECT p.id FROM takes t CROSS JOIN LATERAL (
         -- A range, not "=", and queue in the ORDER BY: only jobs_queue_ready then gives this order.
         -- With "=" the planner walked jobs_ready and filtered by queue, reading through every
         -- waiting job of the queues ahead (measured: a third of the plain claim's rate).
         -- "run_at + 0": its selectivity is then a default in every plan; with statistics a custom
         -- plan looked cheaper than the generic one, and the statement was planned at every claim.
         SELECT id, priority, created_at, seq FROM ${s}.jobs
         WHERE queue >= t.name AND queue <= t.name AND ${ready} AND run_at + 0 <= ${now}
         ORDER BY queue, priority DESC, created_at, seq
         LIMIT t.take
         FOR UPDATE SKIP LOCKED
       ) p
       WHERE t.take > 0
       ORDER BY p.priority DESC, p.created_at, p.seq
       LIMIT ${limit}
     ), claimed AS (
       UPDATE ${s}.jobs j
       SET state = 'processing', worker_id = ${worker}, attempts = j.attempts + 1, last_attempt = j.last_attempt + 1,
           started_at = ${now}, updated_at = ${now}, lease_until = ${now}::bigint + ${lease}::bigint,
           finished_at = NULL, exit_code = NULL, duration_ms = NULL
       WHERE j.id = ANY(ARRAY(SELECT id FROM picked))
       RETURNING ${jobColumns("j")}, j.last_attempt
     ), claimed_attempt AS (
       INSERT INTO ${s}.attempts (job_id, number, worker_id, outcome, started_at, run_at)
       SELECT id, last_attempt, ${worker}, 'running', ${now}, run_at FROM claimed
     ), running_counted AS (
       -- One UPDATE for the jobs claimed and the runs finished: a row changed twice by one statement
       -- keeps only one of the changes.
       UPDATE ${s}.queues q SET running = q.running + d.delta
       FROM (SELECT queue, sum(n)::int AS delta
             FROM (SELECT queue, 1 AS n FROM claimed${after ? ` UNION ALL SELECT queue, -1 FROM ${after}` : ""}) x
             GROUP BY queue) d
       WHERE q.name = d.queue AND d.delta <> 0 AND q.concurrency IS NOT NULL
     )`;
  const params: Param[] = [claim.now, claim.workerId, claim.leaseMs];
  if (!all) params.push(claim.queues ?? []);
  return { ctes, params, name: `${all ? "All" : "Served"}${limit}` };
}

/**
 * Whether nothing restricted this claim (no queue paused or limited): an expression over the CTEs
 * above, for the statement's result. Only meaningful for a worker serving every queue.
 */
export const OPEN = `NOT EXISTS (SELECT 1 FROM restricting)`;
