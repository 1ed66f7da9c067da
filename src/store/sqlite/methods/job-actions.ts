import type { JobActionStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { cancelJob } from "../sql/cancel.js";
import { deleteJobs } from "../sql/delete-jobs.js";
import { retryAllDead, retryDead } from "../sql/dlq.js";
import { retryJobs } from "../sql/retry-jobs.js";

/** The SQLite store's actions on chosen jobs: cancel, retry from the DLQ, delete, retry. */
export function sqliteJobActions(db: Db): JobActionStore {
  return {
    async cancelJob(id, order, now) {
      return cancelJob(db, id, order, now);
    },
    async retryDead(id, now) {
      return retryDead(db, id, now);
    },
    async retryAllDead(now) {
      return retryAllDead(db, now);
    },
    async deleteJobs(ids) {
      return deleteJobs(db, ids);
    },
    async retryJobs(ids, now) {
      return retryJobs(db, ids, now);
    },
  };
}
