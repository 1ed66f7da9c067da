import type { FinishedRun } from "../../../core/store.js";
import type { Db } from "../db.js";
import { settleDependents } from "./dependencies.js";
import { insertOne } from "./insert-jobs.js";
import { RunTally } from "./run-tally.js";

/** Fencing: the run (@job_id, @attempt) is still held by @worker_id (see Store). */
export const HELD = `SELECT queue FROM jobs
  WHERE id = @job_id AND state = 'processing' AND worker_id = @worker_id AND last_attempt = @attempt`;

export const ATTEMPT_DONE = `UPDATE attempts SET outcome = @outcome, finished_at = @finished_at, duration_ms = @duration_ms,
    exit_code = @exit_code, signal = @signal, error = @error,
    stdout_bytes = @stdout_bytes, stderr_bytes = @stderr_bytes
  WHERE job_id = @job_id AND number = @attempt`;

const SAVE_OUTPUT = `INSERT OR REPLACE INTO outputs (job_id, number, stream, data, total_bytes, truncated)
  VALUES (?, ?, ?, ?, ?, ?)`;

// A run whose job a user asked to cancel ends it cancelled, unless it completed first (Store.finishRuns).
export const MOVE_JOB = `UPDATE jobs SET
    state = CASE WHEN cancel_signal IS NOT NULL AND @state <> 'completed' THEN 'cancelled' ELSE @state END,
    cancel_signal = NULL, cancel_grace_ms = NULL, run_at = coalesce(@run_at, run_at), attempts = attempts - @uncount,
    finished_at = @finished_at, exit_code = @exit_code, duration_ms = @duration_ms, last_error = @error,
    updated_at = @finished_at, worker_id = NULL, lease_until = NULL
  WHERE id = @job_id AND state = 'processing' AND worker_id = @worker_id AND last_attempt = @attempt`;

const isDead = (db: Db, id: string) =>
  db.sql(`SELECT 1 FROM jobs WHERE id = ? AND state = 'dead'`).get(id) !== undefined;

/**
 * The finish's statements; the caller holds the write transaction. A run still held gets its
 * attempt row and output, and its job moves to `next`; one no longer held (recovered meanwhile)
 * is refused and nothing of it is written. Returns the refused runs' job ids.
 */
export function finishNow(db: Db, runs: FinishedRun[]): string[] {
  const held = db.sql(HELD);
  const attemptDone = db.sql(ATTEMPT_DONE);
  const saveOutput = db.sql(SAVE_OUTPUT);
  const moveJob = db.sql(MOVE_JOB);
  const refused: string[] = [];
  const tally = new RunTally();
  for (const run of runs) {
    const holder = held.get({ job_id: run.job_id, attempt: run.attempt, worker_id: run.worker_id }) as
      { queue: string } | undefined;
    if (!holder) {
      refused.push(run.job_id);
      continue;
    }
    // Held: the job is processing at this attempt, so the attempt is still running.
    const closed = attemptDone.run({
      outcome: run.outcome,
      finished_at: run.finished_at,
      duration_ms: run.duration_ms,
      exit_code: run.exit_code,
      signal: run.signal,
      error: run.error,
      stdout_bytes: run.stdout.total_bytes,
      stderr_bytes: run.stderr.total_bytes,
      job_id: run.job_id,
      attempt: run.attempt,
    }).changes;
    tally.add(run.outcome, holder.queue, closed);
    for (const stream of ["stdout", "stderr"] as const) {
      const output = run[stream];
      // Bytes only grow, so an empty final output never replaces a streamed one.
      if (output.total_bytes > 0) {
        saveOutput.run(run.job_id, run.attempt, stream, output.data, output.total_bytes, output.truncated ? 1 : 0);
      }
    }
    const { next } = run;
    moveJob.run({
      state: next.state === "requeue" ? "pending" : next.state,
      run_at: next.state === "failed" ? next.run_at : next.state === "requeue" ? run.finished_at : null,
      // requeue (worker stop --now): the interrupted run does not count against max_retries.
      uncount: next.state === "requeue" ? 1 : 0,
      finished_at: run.finished_at,
      exit_code: run.exit_code,
      duration_ms: run.duration_ms,
      error: run.error,
      job_id: run.job_id,
      worker_id: run.worker_id,
      attempt: run.attempt,
    });
    if (next.state === "dead") {
      // A cancel asked for meanwhile ends the job cancelled instead (MOVE_JOB).
      if (isDead(db, run.job_id)) tally.add("dead", holder.queue);
      // The on-dead hook joins the move to dead in this transaction: no crash can lose it.
      if (run.hook) insertOne(db, run.hook);
    }
    db.unblocked += settleDependents(db, run.job_id, run.finished_at);
  }
  tally.save(db);
  return refused;
}

/** Records a batch of finished runs in one transaction (one commit for the batch). */
export function finishRuns(db: Db, runs: FinishedRun[]): string[] {
  if (runs.length === 0) return [];
  return db.write(() => finishNow(db, runs));
}
