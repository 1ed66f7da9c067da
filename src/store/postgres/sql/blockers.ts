import type { ListedJob } from "../../../core/listing.js";
import { attachBlockers, blockedIds, blockersSql, type BlockerRow } from "../../shared/blockers.js";
import type { Db } from "../db.js";

/** The first unfinished dependencies of each job whose id is in the array $1, on schema `s`. */
export const blockersQuery = (s: string): string =>
  blockersSql({
    // Each dependency's state by a probe of the primary key (LIMIT 1 keeps the subquery apart):
    // joined, the planner misjudging how few edges there are may merge along the whole key.
    edges: `SELECT d.job_id, d.after_id AS id, j.state FROM ${s}.job_deps d
      CROSS JOIN LATERAL (SELECT state FROM ${s}.jobs WHERE id = d.after_id LIMIT 1) j
      WHERE d.job_id = ANY($1::text[]) AND NOT d.done`,
    // The order of SQLite's BINARY comparison, whatever the database's collation (and cheaper).
    collate: ` COLLATE "C"`,
  });

/** A list's jobs, the blocked ones with what they wait for: one statement, only if any is blocked. */
export async function withBlockers(db: Db, jobs: ListedJob[]): Promise<ListedJob[]> {
  const ids = blockedIds(jobs);
  if (ids.length === 0) return jobs;
  const { rows } = await db.query<BlockerRow>(blockersQuery(db.s), [ids]);
  return attachBlockers(jobs, rows);
}
