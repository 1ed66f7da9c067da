import { retriesLeft } from "./retry.js";
import type { NextState } from "./store.js";
import type { Job } from "./types.js";

/**
 * The rescue of lost runs, decided here and applied by both engines (their reap finds the lost runs
 * in its transaction and writes what this says). A run is lost when its worker is known to be gone
 * (a dead pid on its host) or when its lease ran out without a heartbeat (core/lease.ts).
 */
export type LossCause = "worker_gone" | "lease_expired";

/** What the reap knows of a lost run's job. */
export type LostJob = Pick<Job, "attempts" | "max_retries" | "worker_id"> & Partial<Pick<Job, "cancel_signal">>;

export interface Rescue {
  /** Failed and due at once while retries are left; dead once they are used up, so a job that
   * kills its worker every time cannot loop forever; cancelled if a user asked to cancel it. */
  next: Extract<NextState, { state: "failed" } | { state: "dead" } | { state: "cancelled" }>;
  /** The lost attempt's error and the job's last_error. */
  error: string;
}

/** Why a run held by `workerId` is lost: its worker is among those known dead, or else its lease ran out. */
export function lossCause(workerId: string | null, deadWorkerIds: readonly string[]): LossCause {
  return workerId !== null && deadWorkerIds.includes(workerId) ? "worker_gone" : "lease_expired";
}

const WHY: Record<LossCause, string> = {
  worker_gone: "its process is gone",
  lease_expired: "its lease expired without a heartbeat",
};

export function rescue(job: LostJob, cause: LossCause, now: number): Rescue {
  const error = `worker ${job.worker_id ?? "?"} was lost (${WHY[cause]}); the run was abandoned`;
  // A cancelled job stays cancelled: the user's order outlives the worker that was to carry it out.
  if (job.cancel_signal != null) return { next: { state: "cancelled" }, error: `${error}; it was being cancelled` };
  return { next: retriesLeft(job) ? { state: "failed", run_at: now } : { state: "dead" }, error };
}
