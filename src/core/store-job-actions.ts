import type { JobsActed } from "./job-actions.js";
import type { CancelOrder } from "./store-runs.js";
import type { Job } from "./types.js";

/**
 * What Store.cancelJob did: `cancelled` (it was waiting: pending, failed or scheduled; now
 * cancelled), `requested` (it is running: the order is stored for its worker), `refused` (it is
 * finished). `job` is the job after the change, null when there is no such job.
 */
export interface CancelAnswer {
  job: Job | null;
  done: "cancelled" | "requested" | "refused";
}

/** The Store's actions on chosen jobs: cancel, retry from the DLQ, delete, retry. */
export interface JobActionStore {
  /**
   * Cancels one job, atomically: pending or failed (waiting, scheduled or not) → cancelled at once
   * (finished_at = updated_at = now); processing → the order is stored on the job (cancel_signal,
   * cancel_grace_ms; a later order replaces it) for the worker holding it, which learns of it from
   * its heartbeat answer; finished → nothing written. Does not notify: the caller does.
   * A waiting job cancelled here cancels, in the same transaction, its dependents still waiting for
   * it, transitively, each with last_error cascadeCause(its dependency, "cancelled").
   */
  cancelJob(id: string, order: CancelOrder, now: number): Promise<CancelAnswer>;

  // ---- dead letter queue

  /** dead → pending, attempts 0, run_at = now, last_error kept, history kept. Throws not_found for
   * an unknown id and conflict if the job is not dead. */
  retryDead(id: string, now: number): Promise<Job>;
  /** Every dead job back to pending as above; returns how many. */
  retryAllDead(now: number): Promise<number>;

  // ---- chosen jobs: delete, retry (each id on its own; core/job-actions.ts words the refusals)

  /**
   * Deletes each job that is not processing, with its attempts and output, in one transaction per
   * id. The delete is conditional (state <> 'processing'), so a job a worker claims meanwhile is
   * either claimed first (and refused here: "running") or gone before the claim sees it — never
   * deleted with a run going on, never leaving an attempt without its job. Unknown ids are refused
   * not_found. `done` holds the deleted jobs as they were, in the order given. Run totals (counters)
   * are not decreased: they count what happened, whatever is deleted later. Dependents still waiting
   * for a deleted job are cancelled as by cancelJob, the first ones with cascadeCause(id, "deleted"),
   * and no longer count it.
   */
  deleteJobs(ids: string[]): Promise<JobsActed>;
  /**
   * Each finished job (RETRYABLE_STATES) → pending, attempts 0, run_at = now, updated_at = now;
   * last_error, attempt rows and output kept, and attempt numbers go on counting from the last.
   * One conditional update per id; any other state is refused conflict, an unknown id not_found.
   * `done` holds the jobs as they are now, in the order given. A job whose dependencies have not all
   * completed (e.g. one cancelled with its dependency) goes back to blocked, not due.
   */
  retryJobs(ids: string[], now: number): Promise<JobsActed>;
}
