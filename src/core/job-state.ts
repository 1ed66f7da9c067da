import type { Job, JobState } from "./types.js";

/**
 * Rules about a job's state that faces show. No Node imports: the dashboard loads this module too
 * (served as /app/core/job-state.js).
 */

/**
 * A job waiting to run (pending, or failed and waiting for its retry) whose run_at is still ahead:
 * shown as "scheduled", a display state the store does not keep.
 */
export function isScheduled(job: Pick<Job, "state" | "run_at">, now: number): boolean {
  return (job.state === "pending" || job.state === "failed") && job.run_at > now;
}

/** Completed, dead or cancelled: the job will not run again unless someone retries it. */
export function isFinished(state: JobState): boolean {
  return state === "completed" || state === "dead" || state === "cancelled";
}

/** How many runs a job gets at most: the first, then `max_retries` retries. */
export function maxRuns(job: Pick<Job, "max_retries">): number {
  return job.max_retries + 1;
}
