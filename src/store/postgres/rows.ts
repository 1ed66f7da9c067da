import type { Attempt, Job, WorkerInfo } from "../../core/types.js";

/**
 * Rows of the shared column lists (../shared/columns.ts): their types already match the core types
 * (bigint parsed as number by db.ts), so a row is the object.
 */
export type JobRow = Job;

export type AttemptRow = Attempt;

export interface WorkerRow extends Omit<WorkerInfo, "running"> {
  running: string[] | null;
}

export function workerInfo(row: WorkerRow): WorkerInfo {
  return { ...row, running: row.running ?? [] };
}
