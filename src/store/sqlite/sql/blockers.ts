import type { ListedJob } from "../../../core/listing.js";
import { attachBlockers, blockedIds, blockersSql, type BlockerRow } from "../../shared/blockers.js";
import type { Db } from "../db.js";

/** The first unfinished dependencies of each job whose id is in the JSON array `?`. */
export const BLOCKERS = blockersSql({
  edges: `SELECT d.job_id, d.after_id AS id, j.state FROM job_deps d JOIN jobs j ON j.id = d.after_id
    WHERE d.job_id IN (SELECT value FROM json_each(?)) AND d.done = 0`,
  collate: "",
});

/** A list's jobs, the blocked ones with what they wait for: one statement, only if any is blocked. */
export function withBlockers(db: Db, jobs: ListedJob[]): ListedJob[] {
  const ids = blockedIds(jobs);
  if (ids.length === 0) return jobs;
  return attachBlockers(jobs, db.sql(BLOCKERS).all(JSON.stringify(ids)) as BlockerRow[]);
}
