import type { RunStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import type { FileWake } from "../file-wake.js";
import { claimJobs } from "../sql/claim-jobs.js";
import { finishAndClaim } from "../sql/finish-and-claim.js";
import { finishRuns } from "../sql/finish-runs.js";
import { heartbeat } from "../sql/heartbeat.js";
import { writeOutput } from "../sql/output.js";

/** The SQLite store's runs: claims, and a worker's writes about the runs it holds. */
export function sqliteRuns(db: Db, wake: FileWake): RunStore {
  /** Jobs whose last dependency just completed are due: idle workers (any process) look again. */
  function wakeForUnblocked<T>(result: T): T {
    if (db.unblocked > 0) {
      db.unblocked = 0;
      wake.notify();
    }
    return result;
  }
  return {
    async claimJobs(workerId, limit, now, leaseMs, queues) {
      return claimJobs(db, { workerId, limit, now, leaseMs, queues });
    },
    async writeOutput(jobId, attempt, workerId, stream, output) {
      return writeOutput(db, jobId, attempt, workerId, stream, output);
    },
    async finishAndClaim(runs, claim) {
      return wakeForUnblocked(finishAndClaim(db, runs, claim));
    },
    async finishRuns(runs) {
      return wakeForUnblocked(finishRuns(db, runs));
    },
    async heartbeat(beat) {
      return heartbeat(db, beat);
    },
  };
}
