import type { ClaimedJob } from "../../../core/types.js";
import type { ClaimRequest } from "../../../core/store.js";
import type { Db, Param } from "../db.js";
import { jobColumns } from "../../shared/columns.js";
import { OPEN, scopedClaimSql } from "./claim-by-queue.js";
import type { JobRow } from "../rows.js";
import { CLAIMED_EVENTS, runTallyCte } from "./run-tally.js";

/**
 * The claim as CTEs plus its final SELECT, numbered from parameter `$first`: lock up to `limit` ready
 * jobs in pick-up order, skipping rows another claimer holds (SKIP LOCKED: concurrent claimers take
 * different jobs and never wait), mark them processing, and create their attempt rows.
 *
 * `picked` is MATERIALIZED so the locking SELECT runs exactly once; an inlined subquery could be
 * re-evaluated by the planner and lock more rows than it returns.
 *
 * Written so that the prepared statement's generic plan is as good as a custom one, which lets
 * PostgreSQL stop planning it after five runs (planning this statement cost more server CPU than
 * running it): the limit is a literal (one prepared statement per limit, see `claimName`), and the
 * claimed rows are found by primary key (`= ANY(ARRAY(...))`) whatever the row estimates say.
 */
export function claimSql(
  s: string,
  claim: ClaimRequest,
  first: number,
): { ctes: string; select: string; params: Param[] } {
  if (!Number.isInteger(claim.limit) || claim.limit < 1)
    throw new RangeError(`claim limit must be a positive integer, got ${claim.limit}`);
  const limit = String(claim.limit);
  const [now, worker, lease] = [1, 2, 3].map((n) => `$${first + n - 1}`);
  const ctes = `picked AS MATERIALIZED (
       SELECT id FROM ${s}.jobs
       -- "run_at + 0": keeps the planner off jobs_due. On a table without fresh statistics
       -- it would pick that index, fetch every due job and sort them all (7 ms per claim at 10k
       -- jobs, growing with the backlog); walking jobs_ready in order stops after \`limit\` rows.
       WHERE state IN ('pending', 'failed') AND run_at + 0 <= ${now}
         -- A worker asked to stop takes nothing more, however soon after the request it claims.
         AND NOT EXISTS (SELECT 1 FROM ${s}.workers w WHERE w.id = ${worker} AND w.stop_requested IS NOT NULL)
         -- The plain claim only while no queue is paused or limited (else see claim-by-queue.ts).
         AND NOT EXISTS (SELECT 1 FROM ${s}.queues q WHERE q.paused OR q.concurrency IS NOT NULL)
       ORDER BY priority DESC, created_at, seq
       LIMIT ${limit}
       FOR UPDATE SKIP LOCKED
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
     )`;
  return {
    ctes,
    select: `SELECT * FROM claimed ORDER BY priority DESC, created_at, seq`,
    params: [claim.now, claim.workerId, claim.leaseMs],
  };
}

/** The prepared statement's name for a claim of `limit` jobs (the limit is part of its text). */
export function claimName(operation: string, claim: ClaimRequest): string {
  return `${operation}${claim.limit}`;
}

export function toClaims(rows: (JobRow & { last_attempt: number })[]): ClaimedJob[] {
  return rows.map(({ last_attempt, ...job }) => ({ job, attempt: last_attempt }));
}

/**
 * Stores whose last claim found queues restricted: they go straight to the restricted claim until
 * one finds nothing restricting (the plain claim stays the cheaper statement while nothing is).
 */
const restricted = new WeakSet<Db>();

/** Whether the plain claim may be tried first: the worker serves every queue and none restricted lately. */
export function plainFirst(db: Db, claim: ClaimRequest): boolean {
  return (claim.queues ?? null) === null && !restricted.has(db);
}

/**
 * The plain claim claims nothing while a queue is paused or limited: when it came back empty, this
 * tells whether that is why (then the restricted claim is the one to make).
 */
export async function restrictedNow(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${db.s}.queues WHERE paused OR concurrency IS NOT NULL) AS found`,
    [],
    "restrictedNow",
  );
  const found = rows[0]?.found === true;
  if (found) restricted.add(db);
  return found;
}

/** A row of the restricted claim: a claimed job (or nulls), and whether nothing restricted it. */
export type ScopedRow = JobRow & { last_attempt: number; open: boolean };

/** Claimed jobs of a restricted claim's rows; a worker serving all queues returns to the plain claim once nothing restricts. */
export function scopedClaims(db: Db, claim: ClaimRequest, rows: ScopedRow[]): ClaimedJob[] {
  if (rows[0]?.open === true && (claim.queues ?? null) === null) restricted.delete(db);
  return toClaims(rows.filter((row) => row.id !== null).map(({ open: _open, ...row }) => row));
}

/** The claim restricted by queues: one statement that reads the queue settings itself. */
export async function claimByQueue(db: Db, claim: ClaimRequest): Promise<ClaimedJob[]> {
  const { ctes, params, name } = scopedClaimSql(db.s, claim, 1);
  const { rows } = await db.query<ScopedRow>(
    `WITH RECURSIVE ${ctes}, ${runTallyCte(db.s, [CLAIMED_EVENTS])}
     SELECT claimed.*, x.open FROM (SELECT ${OPEN} AS open) x LEFT JOIN claimed ON true
     ORDER BY claimed.priority DESC, claimed.created_at, claimed.seq`,
    params,
    `claimByQueue${name}`,
  );
  return scopedClaims(db, claim, rows);
}

async function claimPlain(db: Db, claim: ClaimRequest): Promise<ClaimedJob[]> {
  const { ctes, select, params } = claimSql(db.s, claim, 1);
  const { rows } = await db.query<JobRow & { last_attempt: number }>(
    `WITH ${ctes}, ${runTallyCte(db.s, [CLAIMED_EVENTS])} ${select}`,
    params,
    claimName("claimJobs", claim),
  );
  return toClaims(rows);
}

/** One statement, one round trip, while no queue restricts the claim. */
export async function claimJobs(db: Db, claim: ClaimRequest): Promise<ClaimedJob[]> {
  if (claim.limit <= 0) return [];
  if (plainFirst(db, claim)) {
    const claimed = await claimPlain(db, claim);
    if (claimed.length > 0 || !(await restrictedNow(db))) return claimed;
  }
  return claimByQueue(db, claim);
}
