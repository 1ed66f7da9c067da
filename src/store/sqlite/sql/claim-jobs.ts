import { byPickOrder, planClaim, queueTakes, type PickKey } from "../../../core/queues.js";
import type { ClaimRequest } from "../../../core/store.js";
import type { ClaimedJob } from "../../../core/types.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import type { Db } from "../db.js";
import { readyQueues, restrictingQueues, runningIn } from "./queues.js";
import { toJob, type JobRow } from "../job-rows.js";
import { RunTally } from "./run-tally.js";

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

/** The restricted claim takes the jobs it picked queue by queue (their seqs as a JSON array). */
const CLAIM_PICKED_SQL = `UPDATE jobs SET state = 'processing', worker_id = @worker, attempts = attempts + 1,
    last_attempt = last_attempt + 1, started_at = @now, updated_at = @now, lease_until = @lease,
    finished_at = NULL, exit_code = NULL, duration_ms = NULL
  WHERE seq IN (SELECT value FROM json_each(@seqs))
    AND NOT EXISTS (SELECT 1 FROM workers WHERE id = @worker AND stop_requested IS NOT NULL)
  RETURNING ${JOB_COLUMNS}, last_attempt`;

/** The first `take` waiting jobs of one queue, in pick-up order. */
const QUEUE_HEAD_SQL = `SELECT seq, priority, created_at FROM jobs INDEXED BY jobs_queue_ready
  WHERE queue = @queue AND ${READY} AND run_at <= @now ORDER BY priority DESC, created_at, seq LIMIT @take`;

/**
 * Seqs of the jobs a claim restricted by queues takes (core/queues.ts decides how many each queue
 * may give): the head of each queue that may give some, merged in pick-up order. The write
 * transaction the caller holds serialises claimers, so the running counts cannot go stale.
 */
function pickByQueue(db: Db, { limit, now, queues }: ClaimRequest): number[] | null {
  const plan = planClaim(restrictingQueues(db), queues ?? null);
  if (plan.open) return null;
  const running = plan.limited.length
    ? runningIn(
        db,
        plan.limited.map((q) => q.name),
      )
    : new Map<string, number>();
  const takes = queueTakes(plan, plan.served ?? readyQueues(db), running, limit);
  const head = db.sql(QUEUE_HEAD_SQL);
  const picked: (PickKey & { seq: number })[] = [];
  for (const { queue, take } of takes) picked.push(...(head.all({ queue, now, take }) as PickKey[]));
  return picked
    .sort(byPickOrder)
    .slice(0, limit)
    .map((job) => job.seq);
}

/** The claim's statements; the caller holds the write transaction (see finish-and-claim). */
export function claimNow(db: Db, claim: ClaimRequest): ClaimedJob[] {
  const { workerId, limit, now, leaseMs } = claim;
  if (limit <= 0) return [];
  const seqs = pickByQueue(db, claim);
  const params = { worker: workerId, now, lease: now + leaseMs };
  const rows = (
    seqs === null
      ? db.sql(CLAIM_SQL).all({ ...params, limit })
      : seqs.length === 0
        ? []
        : db.sql(CLAIM_PICKED_SQL).all({ ...params, seqs: JSON.stringify(seqs) })
  ) as ClaimedRow[];
  const record = db.sql(RECORD_SQL);
  // Each claimed job starts one run: its last_attempt went up by one, its attempt row is inserted.
  const started = new RunTally();
  for (const row of rows) started.add("started", row.queue);
  started.save(db);
  return rows.sort(byPickOrder).map(({ last_attempt, ...row }) => {
    record.run(row.id, last_attempt, workerId, now, row.run_at);
    return { job: toJob(row), attempt: last_attempt };
  });
}

export function claimJobs(db: Db, claim: ClaimRequest): ClaimedJob[] {
  return db.write(() => claimNow(db, claim));
}
