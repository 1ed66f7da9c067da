import type { RunStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { claimJobs } from "../sql/claim-jobs.js";
import { finishAndClaim } from "../sql/finish-and-claim.js";
import { finishRuns } from "../sql/finish-runs.js";
import { heartbeat } from "../sql/heartbeat.js";
import { writeOutput } from "../sql/output.js";

/** The PostgreSQL store's runs: claims, and a worker's writes about the runs it holds. */
export function postgresRuns(db: Db): RunStore {
  return {
    claimJobs(workerId, limit, now, leaseMs, queues) {
      return claimJobs(db, { workerId, limit, now, leaseMs, queues });
    },
    writeOutput(jobId, attempt, workerId, stream, output) {
      return writeOutput(db, jobId, attempt, workerId, stream, output);
    },
    finishAndClaim(runs, claim) {
      return finishAndClaim(db, runs, claim);
    },
    finishRuns(runs) {
      return finishRuns(db, runs);
    },
    heartbeat(beat) {
      return heartbeat(db.idempotent, beat);
    },
  };
}
