import type { FinishedAttempt, FinishedCursor, QueueRunTotals, RunTotals } from "../../../core/store.js";
import { runTotalsByQueueFrom, runTotalsFrom } from "../../shared/run-totals.js";
import type { Db } from "../db.js";

/** Kept per event and queue by the statements that start and end runs (run-tally.ts): a few rows per queue. */
export function runTotals(db: Db): RunTotals {
  const rows = db.sql(`SELECT event, sum(n) AS n FROM run_totals GROUP BY event`).all() as {
    event: string;
    n: number;
  }[];
  return runTotalsFrom(rows);
}

export function runTotalsByQueue(db: Db): QueueRunTotals[] {
  const rows = db.sql(`SELECT queue, event, n FROM run_totals ORDER BY queue`).all() as {
    queue: string;
    event: string;
    n: number;
  }[];
  return runTotalsByQueueFrom(rows);
}

/** A page of finished runs in index order (attempts_finished holds the whole key: no sort). */
export function finishedAttempts(db: Db, after: FinishedCursor, until: number, limit: number): FinishedAttempt[] {
  return db
    .sql(
      `SELECT a.job_id, a.number, a.outcome, a.started_at, a.finished_at, a.duration_ms, a.run_at, j.created_at, j.queue
       FROM attempts a INDEXED BY attempts_finished JOIN jobs j ON j.id = a.job_id
       WHERE a.finished_at >= @at AND a.finished_at <= @until
         AND (a.finished_at, a.job_id, a.number) > (@at, @job_id, @number)
       ORDER BY a.finished_at, a.job_id, a.number LIMIT @limit`,
    )
    .all({ at: after.finished_at, job_id: after.job_id, number: after.number, until, limit }) as FinishedAttempt[];
}
