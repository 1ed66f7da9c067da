import type { ClaimRequest, FinishAndClaimResult, FinishedRun } from "../../../core/store.js";
import type { Db } from "../db.js";
import { claimNow } from "./claim-jobs.js";
import { finishNow } from "./finish-runs.js";

/**
 * The worker's hot path in one write transaction — one commit per cycle: record the finished runs,
 * then claim jobs for the freed slots.
 */
export function finishAndClaim(db: Db, runs: FinishedRun[], claim: ClaimRequest): FinishAndClaimResult {
  return db.write(() => {
    const refused = finishNow(db, runs);
    return { claimed: claimNow(db, claim), refused };
  });
}
