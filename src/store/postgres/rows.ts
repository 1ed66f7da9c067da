import type { Attempt, Job, WorkerInfo } from "../../core/types.js";

/**
 * Column lists whose names and types already match the core types (bigint parsed as number by
 * db.ts), so a row is the object. Internal columns (queue, last_attempt) stay out.
 */
export const JOB_COLUMNS = `id, seq, command, state, priority, attempts, max_retries, timeout, run_at, created_at,
  updated_at, started_at, finished_at, exit_code, duration_ms, last_error, worker_id, lease_until`;

/** JOB_COLUMNS qualified by a table alias, for joins and RETURNING in statements with several tables. */
export const jobColumns = (alias: string): string =>
  JOB_COLUMNS.split(",")
    .map((c) => `${alias}.${c.trim()}`)
    .join(", ");

export type JobRow = Job;

export const ATTEMPT_COLUMNS = `job_id, number, worker_id, outcome, started_at, finished_at, duration_ms, exit_code,
  signal, error, stdout_bytes, stderr_bytes`;

export type AttemptRow = Attempt;

export interface WorkerRow extends Omit<WorkerInfo, "running"> {
  running: string[] | null;
}

export function workerInfo(row: WorkerRow): WorkerInfo {
  return { ...row, running: row.running ?? [] };
}
