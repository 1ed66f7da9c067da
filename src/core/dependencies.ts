import { conflict, invalid, QueueError } from "./errors.js";
import { isBlocked } from "./job-state.js";
import type { Job, JobState, NewJob } from "./types.js";

/**
 * Job dependencies (`after`): a job waits until every job it names has completed. The rules live
 * here; the stores keep the edges and a count of unfinished ones, and apply these words.
 */

/** The most ids one job may wait for. */
export const MAX_AFTER = 100;

/** How many dependencies and dependents `job show` and the API list (with their totals). */
export const LINKS_SHOWN = 100;

/** A job at the other end of a dependency, as `job show` lists it. */
export interface JobLink {
  id: string;
  state: JobState;
  command: string;
  /** Itself waiting for its own dependencies. */
  blocked: boolean;
}

/** A job's dependencies (its `after` jobs that still exist) and dependents, each list bounded. */
export interface JobLinks {
  dependencies: JobLink[];
  dependencies_total: number;
  dependents: JobLink[];
  dependents_total: number;
}

/** Enqueue naming a job that does not exist: nothing of the batch is written. */
export function unknownDependency(id: string): QueueError {
  return new QueueError("not_found", `unknown job ID ${id} (in after)`);
}

/** Enqueue naming a cancelled job: it will never complete, so the new job could never run. */
export function cancelledDependency(id: string): QueueError {
  return conflict(`dependency ${id} is cancelled: the job would never run (retry it first)`);
}

/** The last_error of a dependent cancelled because its dependency was cancelled or deleted. */
export function cascadeCause(id: string, how: "cancelled" | "deleted"): string {
  return `dependency ${id} was ${how}`;
}

/**
 * Why a blocked job waits, from its dependencies' states when known: a dead, cancelled or failed
 * one is named (it needs a retry, or is being retried), else how many have not completed. null
 * for a job that is not blocked.
 */
export function blockedReason(
  job: Pick<Job, "state" | "waiting_on">,
  dependencies: readonly Pick<JobLink, "id" | "state">[] = [],
): string | null {
  if (!isBlocked(job)) return null;
  const named = (state: JobState) => dependencies.find((dep) => dep.state === state);
  const dead = named("dead");
  if (dead) return `dependency ${dead.id} is dead`;
  const cancelled = named("cancelled");
  if (cancelled) return `dependency ${cancelled.id} was cancelled`;
  const failed = named("failed");
  if (failed) return `dependency ${failed.id} failed, retrying`;
  return `waiting for ${job.waiting_on} ${job.waiting_on === 1 ? "job" : "jobs"}`;
}

/**
 * A job of a batch may wait for an earlier job of the same batch, not a later one: so no batch can
 * make a cycle (every edge points to a job that existed first), and no job ever waits for itself.
 */
export function laterInBatch(jobs: readonly NewJob[], labels?: readonly string[]): void {
  const position = new Map(jobs.map((job, index) => [job.id, index]));
  jobs.forEach((job, index) => {
    const later = job.after?.find((id) => (position.get(id) ?? -1) > index);
    if (later === undefined) return;
    const label = labels?.[index] ?? `job ${index + 1}`;
    throw invalid(`${label}: after: job ${later} comes later in this batch (a job may wait only for earlier ones)`, {
      after: "names a later job of the batch",
    });
  });
}
