import type { ClaimedJob } from "../../../core/types.js";
import type { ClaimRequest, FinishedRun } from "../../store.js";
import type { Db } from "../db.js";
import type { JobRow } from "../rows.js";
import { claimJobs, claimName, claimSql, toClaims } from "./claim-jobs.js";
import { finishRuns, finishRunsCtes } from "./finish-runs.js";

/**
 * The worker's hot path in one statement — one round trip, one commit: record the finished runs
 * and claim jobs for the freed slots. The claim's snapshot predates the finish, so a job finished
 * here (still processing in that snapshot) is never re-claimed by the same statement; it is
 * claimable from the next one on.
 */
export async function finishAndClaim(db: Db, runs: FinishedRun[], claim: ClaimRequest): Promise<ClaimedJob[]> {
  if (runs.length === 0) return claimJobs(db, claim);
  if (claim.limit <= 0) {
    await finishRuns(db, runs);
    return [];
  }
  const finish = finishRunsCtes(db.s, runs, 1);
  const take = claimSql(db.s, claim, finish.params.length + 1);
  const { rows } = await db.query<JobRow & { last_attempt: number }>(
    `WITH ${finish.sql}, ${take.ctes} ${take.select}`,
    [...finish.params, ...take.params],
    claimName("finishAndClaim", claim),
  );
  return toClaims(rows);
}
