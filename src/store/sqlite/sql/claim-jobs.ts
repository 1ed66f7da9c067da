import type { ClaimRequest } from "../../../core/store.js";
import type { ClaimedJob } from "../../../core/types.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import type { Db } from "../db.js";
import { toJob, type JobRow } from "../job-rows.js";

type ClaimedRow = JobRow & { last_attempt: number };

/** Waiting jobs: pending, or failed and awaiting their retry. */
export const READY = "state IN ('pending', 'failed')";

/**
 * The claim, one statement: pick up to @limit ready jobs in pick-up order and take them. INDEXED BY
 * makes SQLite fail loudly rather than fall back to a scan + sort if the index ever stops matching
 * (test/store/sqlite-plan.test.ts checks the plan). A worker asked to stop takes nothing more.
 * RETURNING gives the rows in no particular order; the caller sorts them.
 */
export const CLAIM_SQL = `UPDATE jobs SET state = 'processing', worker_id = @worker, attempts = attempts + 1,
    last_attempt = last_attempt + 1, started_at = @now, updated_at = @now, lease_until = @lease,
    finished_at = NULL, exit_code = NULL, duration_ms = NULL
  WHERE seq IN (SELECT seq FROM jobs INDEXED BY jobs_ready WHERE ${READY} AND run_at <= @now
                ORDER BY priority DESC, created_at, seq LIMIT @limit)
    AND NOT EXISTS (SELECT 1 FROM workers WHERE id = @worker AND stop_requested IS NOT NULL)
  RETURNING ${JOB_COLUMNS}, last_attempt`;

/** The run remembers the run_at it was claimed for (pickup latency in the metrics). */
const RECORD_SQL = `INSERT INTO attempts (job_id, number, worker_id, outcome, started_at, run_at)
  VALUES (?, ?, ?, 'running', ?, ?)`;

/** Pick-up order: priority first, then first come, first served. */
const byPickOrder = (a: ClaimedRow, b: ClaimedRow) =>
  b.priority - a.priority || a.created_at - b.created_at || a.seq - b.seq;

/** The claim's statements; the caller holds the write transaction (see finish-and-claim). */
export function claimNow(db: Db, { workerId, limit, now, leaseMs }: ClaimRequest): ClaimedJob[] {
  if (limit <= 0) return [];
  const rows = db.sql(CLAIM_SQL).all({ worker: workerId, now, lease: now + leaseMs, limit }) as ClaimedRow[];
  const record = db.sql(RECORD_SQL);
  return rows.sort(byPickOrder).map(({ last_attempt, ...row }) => {
    record.run(row.id, last_attempt, workerId, now, row.run_at);
    return { job: toJob(row), attempt: last_attempt };
  });
}

export function claimJobs(db: Db, claim: ClaimRequest): ClaimedJob[] {
  return db.write(() => claimNow(db, claim));
}
