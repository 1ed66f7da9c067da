import type { JobActionStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { cancelJob } from "../sql/cancel.js";
import { deleteJobs } from "../sql/delete-jobs.js";
import { retryAllDead, retryDead } from "../sql/dlq.js";
import { retryJobs } from "../sql/retry-jobs.js";

/** The PostgreSQL store's actions on chosen jobs: cancel, retry from the DLQ, delete, retry. */
export function postgresJobActions(db: Db): JobActionStore {
  return {
    /** Not idempotent: a retried cancel could report a job it cancelled as refused. */
    cancelJob(id, order, now) {
      return cancelJob(db, id, order, now);
    },
    retryDead(id, now) {
      return retryDead(db, id, now);
    },
    retryAllDead(now) {
      return retryAllDead(db, now);
    },
    deleteJobs(ids) {
      return deleteJobs(db, ids);
    },
    retryJobs(ids, now) {
      return retryJobs(db, ids, now);
    },
  };
}
