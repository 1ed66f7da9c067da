import type { FinishedAttempt, FinishedCursor, QueueRunTotals, RunTotals } from "../../../core/store.js";
import { runTotalsByQueueFrom, runTotalsFrom } from "../../shared/run-totals.js";
import type { Db } from "../db.js";

/** Kept by triggers, spread over at most 64 rows per event and queue. */
export async function runTotals(db: Db): Promise<RunTotals> {
  const { rows } = await db.query<{ event: string; n: number }>(
    `SELECT event, sum(n)::bigint AS n FROM ${db.s}.run_totals GROUP BY event`,
  );
  return runTotalsFrom(rows);
}

export async function runTotalsByQueue(db: Db): Promise<QueueRunTotals[]> {
  const { rows } = await db.query<{ queue: string; event: string; n: number }>(
    `SELECT queue, event, sum(n)::bigint AS n FROM ${db.s}.run_totals GROUP BY queue, event ORDER BY queue`,
  );
  return runTotalsByQueueFrom(rows);
}

/** A page of finished runs in index order (attempts_finished holds the whole key: no sort). */
export async function finishedAttempts(
  db: Db,
  after: FinishedCursor,
  until: number,
  limit: number,
): Promise<FinishedAttempt[]> {
  const { rows } = await db.query<FinishedAttempt>(
    `SELECT a.job_id, a.number, a.outcome, a.started_at, a.finished_at, a.duration_ms, a.run_at, j.created_at, j.queue
     FROM ${db.s}.attempts a JOIN ${db.s}.jobs j ON j.id = a.job_id
     WHERE a.finished_at >= $1 AND a.finished_at <= $4 AND (a.finished_at, a.job_id, a.number) > ($1, $2, $3)
     ORDER BY a.finished_at, a.job_id, a.number LIMIT $5`,
    [after.finished_at, after.job_id, after.number, until, limit],
  );
  return rows;
}
