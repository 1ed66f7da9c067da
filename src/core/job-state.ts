import type { Job, JobState } from "./types.js";

/**
 * Rules about a job's state that faces show. No Node imports: the dashboard loads this module too
 * (served as /app/core/job-state.js).
 */

/**
 * The run_at of a job blocked by its dependencies: later than any real time (the last instant a
 * Date can hold), so the claim, which takes jobs whose run_at has come, never sees it. The job's
 * own run_at waits in own_run_at until its last dependency completes.
 */
export const BLOCKED_RUN_AT = 8_640_000_000_000_000;

/** Pending while some of its `after` jobs have not completed: shown as "blocked". */
export function isBlocked(job: Pick<Job, "state" | "waiting_on">): boolean {
  return job.state === "pending" && job.waiting_on > 0;
}

/**
 * A job waiting to run (pending, or failed and waiting for its retry) whose run_at is still ahead:
 * shown as "scheduled", a display state the store does not keep. Blocked wins over scheduled.
 */
export function isScheduled(job: Pick<Job, "state" | "run_at" | "waiting_on">, now: number): boolean {
  return (job.state === "pending" || job.state === "failed") && job.run_at > now && !isBlocked(job);
}

/** Completed, dead or cancelled: the job will not run again unless someone retries it. */
export function isFinished(state: JobState): boolean {
  return state === "completed" || state === "dead" || state === "cancelled";
}

/** How many runs a job gets at most: the first, then `max_retries` retries. */
export function maxRuns(job: Pick<Job, "max_retries">): number {
  return job.max_retries + 1;
}
