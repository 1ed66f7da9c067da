import { BLOCKERS_SHOWN, HOLDING_STATES, type Blocker } from "../../core/dependencies.js";
import { isBlocked } from "../../core/job-state.js";
import type { ListedJob } from "../../core/listing.js";

/**
 * What both engines apply to give a list's blocked jobs their `blocked_by` (core/listing.ts): per
 * job, its dependencies whose edge is not done, worst state first (HOLDING_STATES), then by id, at
 * most BLOCKERS_SHOWN. A job waits for at most MAX_AFTER jobs, so each one costs a bounded range
 * of the edge table's job index and a primary-key probe per edge.
 */
export interface BlockersSqlParts {
  /** The listed jobs' edges that are not done, with their dependency's state: `job_id, id, state`. */
  edges: string;
  /** What ids are compared with, so that both engines order them by code point ("" or a COLLATE). */
  collate: string;
}

export function blockersSql({ edges, collate }: BlockersSqlParts): string {
  const rank = `CASE state ${HOLDING_STATES.map((state, i) => `WHEN '${state}' THEN ${i}`).join(" ")}
    ELSE ${HOLDING_STATES.length} END`;
  return `SELECT job_id, id, state FROM (
      SELECT job_id, id, state,
        row_number() OVER (PARTITION BY job_id${collate} ORDER BY ${rank}, id${collate}) AS n
      FROM (${edges}) edges
    ) ranked
    WHERE n <= ${BLOCKERS_SHOWN}
    ORDER BY job_id${collate}, n`;
}

export type BlockerRow = Blocker & { job_id: string };

/** The ids of the blocked jobs of a list: the only ones that need a look at their dependencies. */
export function blockedIds(jobs: readonly ListedJob[]): string[] {
  return jobs.filter(isBlocked).map((job) => job.id);
}

/** Sets `blocked_by` on each blocked job from the rows of blockersSql (already in order). */
export function attachBlockers(jobs: ListedJob[], rows: readonly BlockerRow[]): ListedJob[] {
  const byJob = new Map<string, Blocker[]>();
  for (const row of rows) {
    const list = byJob.get(row.job_id) ?? [];
    list.push({ id: row.id, state: row.state });
    byJob.set(row.job_id, list);
  }
  for (const job of jobs) if (isBlocked(job)) job.blocked_by = byJob.get(job.id) ?? [];
  return jobs;
}
