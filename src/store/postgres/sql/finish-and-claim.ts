import type { ClaimRequest, FinishAndClaimResult, FinishedRun } from "../../../core/store.js";
import type { Db } from "../db.js";
import type { JobRow } from "../rows.js";
import {
  claimByQueue,
  claimJobs,
  claimName,
  claimSql,
  plainFirst,
  restrictedNow,
  scopedClaims,
  toClaims,
  type ScopedRow,
} from "./claim-jobs.js";
import { OPEN, scopedClaimSql } from "./claim-by-queue.js";
import { finishRuns, finishRunsCtes } from "./finish-runs.js";
import { CLAIMED_EVENTS, runTallyCte } from "./run-tally.js";

/**
 * The worker's hot path in one statement — one round trip, one commit: record the finished runs
 * and claim jobs for the freed slots. The claim's snapshot predates the finish, so a job finished
 * here (still processing in that snapshot) is never re-claimed by the same statement; it is
 * claimable from the next one on.
 */
export async function finishAndClaim(db: Db, runs: FinishedRun[], claim: ClaimRequest): Promise<FinishAndClaimResult> {
  if (runs.length === 0) return { claimed: await claimJobs(db, claim), refused: [] };
  if (claim.limit <= 0) return { claimed: [], refused: await finishRuns(db, runs) };
  // Runs that add on-dead hooks are finished in a transaction of their own (see finishRuns).
  if (runs.some((run) => run.hook)) {
    const refused = await finishRuns(db, runs);
    return { claimed: await claimJobs(db, claim), refused };
  }
  if (!plainFirst(db, claim)) return finishAndClaimByQueue(db, runs, claim);
  const finish = finishRunsCtes(db.s, runs, 1);
  const take = claimSql(db.s, claim, finish.params.length + 1);
  // One row per claimed job, or one row of nulls when none was claimed; each carries the refused ids.
  const { rows } = await db.query<JobRow & { last_attempt: number; refused: string[] }>(
    `WITH ${finish.sql}, ${take.ctes}, ${runTallyCte(db.s, [finish.events, CLAIMED_EVENTS])}
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

/**
 * The same with queues restricting the claim, also one statement: the finish, then the claim that
 * reads the queue settings and locks the limited queues once the finish is written (the runs
 * finished here free their slots for it).
 */
async function finishAndClaimByQueue(db: Db, runs: FinishedRun[], claim: ClaimRequest): Promise<FinishAndClaimResult> {
  const finish = finishRunsCtes(db.s, runs, 1, false);
  const take = scopedClaimSql(db.s, claim, finish.params.length + 1, "finished_job");
  const { rows } = await db.query<ScopedRow & { refused: string[] }>(
    `WITH RECURSIVE ${finish.sql}, ${take.ctes}, ${runTallyCte(db.s, [finish.events, CLAIMED_EVENTS])}
     SELECT claimed.*, x.open, x.refused
     FROM (SELECT ${OPEN} AS open, ARRAY(SELECT job_id FROM refused) AS refused) x LEFT JOIN claimed ON true
     ORDER BY claimed.priority DESC, claimed.created_at, claimed.seq`,
    [...finish.params, ...take.params],
    `finishAndClaimByQueue${take.name}`,
  );
  const refused = rows[0]?.refused ?? [];
  return {
    claimed: scopedClaims(
      db,
      claim,
      rows.map(({ refused: _refused, ...row }) => row),
    ),
    refused,
  };
}
