import type { ListedJob } from "../../../core/listing.js";
import { attachBlockers, blockedIds, blockersSql, type BlockerRow } from "../../shared/blockers.js";
import type { Db } from "../db.js";

/** A list's jobs, the blocked ones with what they wait for: one statement, only if any is blocked. */
export async function withBlockers(db: Db, jobs: ListedJob[]): Promise<ListedJob[]> {
  const ids = blockedIds(jobs);
  if (ids.length === 0) return jobs;
  const sql = blockersSql({
    deps: `${db.s}.job_deps`,
    jobs: `${db.s}.jobs`,
    open: "d.job_id = ANY($1::text[]) AND NOT d.done",
    // The order of SQLite's BINARY comparison, whatever the database's collation.
    id: `j.id COLLATE "C"`,
  });
  const { rows } = await db.query<BlockerRow>(sql, [ids]);
  return attachBlockers(jobs, rows);
}
