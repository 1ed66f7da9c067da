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
  /**
   * The dependency completed once, so the dependent waits for it no more: a later retry of the
   * dependency (it runs again, and may fail) does not hold the dependent back.
   */
  satisfied: boolean;
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

/** How many of a blocked job's unfinished dependencies its reason names; the rest are counted. */
export const BLOCKERS_SHOWN = 3;

/**
 * Dependency states that hold a job beyond plain waiting, in the order the reason names them: a dead
 * one needs a retry, a cancelled one too, a failed one is being retried. Stores list a blocked job's
 * unfinished dependencies in this order (then by id), so that the first few name the worst.
 */
export const HOLDING_STATES = ["dead", "cancelled", "failed"] as const satisfies readonly JobState[];

/** A dependency as a blocked job's reason sees it (lists give only those not satisfied). */
export type Blocker = Pick<JobLink, "id" | "state"> & { satisfied?: boolean };

const holdWords: Record<(typeof HOLDING_STATES)[number], (id: string) => string> = {
  dead: (id) => `dependency ${id} is dead`,
  cancelled: (id) => `dependency ${id} was cancelled`,
  failed: (id) => `dependency ${id} failed, retrying`,
};

/**
 * Why a blocked job waits, from its dependencies when known (all of them, as `job show` has them,
 * or the first unfinished ones, as lists have them): a dead, cancelled or failed one is named,
 * else how many of its dependencies it waits for and the first few ids. null for a job that is
 * not blocked.
 */
export function blockedReason(
  job: Pick<Job, "state" | "waiting_on" | "after">,
  dependencies: readonly Blocker[] = [],
): string | null {
  if (!isBlocked(job)) return null;
  // A completed dependency is never waited for; nor is one that completed once and was run again.
  const open = dependencies.filter((dep) => dep.state !== "completed" && dep.satisfied !== true);
  for (const state of HOLDING_STATES) {
    const held = open.find((dep) => dep.state === state);
    if (held) return holdWords[state](held.id);
  }
  const n = job.waiting_on;
  const of = job.after.length > n ? ` of ${job.after.length}` : "";
  const shown = open.slice(0, BLOCKERS_SHOWN).map((dep) => dep.id);
  const more = n > shown.length ? ", …" : "";
  const ids = shown.length > 0 ? ` (${shown.join(", ")}${more})` : "";
  return `waiting for ${n}${of} ${n === 1 && of === "" ? "job" : "jobs"}${ids}`;
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
