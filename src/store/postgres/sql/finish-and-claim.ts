import type { ClaimRequest, FinishAndClaimResult, FinishedRun } from "../../../core/store.js";
import type { Db } from "../db.js";
import type { JobRow } from "../rows.js";
import { claimByQueue, claimJobs, claimName, claimSql, plainFirst, restrictedNow, toClaims } from "./claim-jobs.js";
import { claimPlan } from "./claim-by-queue.js";
import { finishRuns, finishRunsCtes } from "./finish-runs.js";

/**
 * The worker's hot path in one statement — one round trip, one commit: record the finished runs
 * and claim jobs for the freed slots. The claim's snapshot predates the finish, so a job finished
 * here (still processing in that snapshot) is never re-claimed by the same statement; it is
 * claimable from the next one on.
 */
export async function finishAndClaim(db: Db, runs: FinishedRun[], claim: ClaimRequest): Promise<FinishAndClaimResult> {
  if (runs.length === 0) return { claimed: await claimJobs(db, claim), refused: [] };
  if (claim.limit <= 0) return { claimed: [], refused: await finishRuns(db, runs) };
  // Restricted by queues: the finish, then the claim that locks and counts. The queue settings are
  // read meanwhile, on another connection: the claim waits for both.
  if (!plainFirst(db, claim)) {
    const planned = claimPlan(db, claim);
    planned.catch(() => {}); // awaited below; a failed finish must not leave it unhandled
    const refused = await finishRuns(db, runs);
    return { claimed: await claimByQueue(db, claim, planned), refused };
  }
  // Runs that add on-dead hooks are finished in a transaction of their own (see finishRuns).
  if (runs.some((run) => run.hook)) {
    const refused = await finishRuns(db, runs);
    return { claimed: await claimJobs(db, claim), refused };
  }
  const finish = finishRunsCtes(db.s, runs, 1);
  const take = claimSql(db.s, claim, finish.params.length + 1);
  // One row per claimed job, or one row of nulls when none was claimed; each carries the refused ids.
  const { rows } = await db.query<JobRow & { last_attempt: number; refused: string[] }>(
    `WITH ${finish.sql}, ${take.ctes}
     SELECT claimed.*, rf.refused FROM (SELECT ARRAY(SELECT job_id FROM refused) AS refused) rf
     LEFT JOIN claimed ON true
     ORDER BY claimed.priority DESC, claimed.created_at, claimed.seq`,
    [...finish.params, ...take.params],
    claimName("finishAndClaim", claim),
  );
  const refused = rows[0]?.refused ?? [];
  const claimed = rows.filter((row) => row.id !== null).map(({ refused: _refused, ...row }) => row);
  if (claimed.length === 0 && (await restrictedNow(db))) return { claimed: await claimByQueue(db, claim), refused };
  return { claimed: toClaims(claimed), refused };
}
