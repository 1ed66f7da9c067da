import type { FinishedAttempt, FinishedCursor, RunTotals } from "../../../core/store.js";
import { runTotalsFrom } from "../../shared/run-totals.js";
import type { Db } from "../db.js";

/** Kept by the statements that start and end runs (run-tally.ts): a few rows, whatever the number of runs. */
export function runTotals(db: Db): RunTotals {
  const rows = db.sql(`SELECT event, n FROM run_totals`).all() as { event: string; n: number }[];
  return runTotalsFrom(rows);
}

/** A page of finished runs in index order (attempts_finished holds the whole key: no sort). */
export function finishedAttempts(db: Db, after: FinishedCursor, until: number, limit: number): FinishedAttempt[] {
  return db
    .sql(
      `SELECT a.job_id, a.number, a.outcome, a.started_at, a.finished_at, a.duration_ms, a.run_at, j.created_at
       FROM attempts a INDEXED BY attempts_finished JOIN jobs j ON j.id = a.job_id
       WHERE a.finished_at >= @at AND a.finished_at <= @until
         AND (a.finished_at, a.job_id, a.number) > (@at, @job_id, @number)
       ORDER BY a.finished_at, a.job_id, a.number LIMIT @limit`,
    )
    .all({ at: after.finished_at, job_id: after.job_id, number: after.number, until, limit }) as FinishedAttempt[];
}
