import type { JobStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { jobLinks } from "../sql/dependencies.js";
import { insertJobs } from "../sql/insert-jobs.js";
import { getOutput, listAttempts } from "../sql/output.js";
import { countJobs, getJob, jobIdsByPrefix, jobsUpdatedSince, listJobs, nextRunAt } from "../sql/read-jobs.js";

/** The PostgreSQL store's jobs: inserting them, and reading them with their attempts and output. */
export function postgresJobs(db: Db): JobStore {
  const { idempotent } = db;
  return {
    insertJobs(jobs) {
      return insertJobs(db, jobs);
    },
    getJob(id) {
      return getJob(idempotent, id);
    },
    jobLinks(id, limit) {
      return jobLinks(idempotent, id, limit);
    },
    jobIdsByPrefix(prefix, limit) {
      return jobIdsByPrefix(idempotent, prefix, limit);
    },
    listJobs(filter) {
      return listJobs(idempotent, filter);
    },
    jobsUpdatedSince(after, limit) {
      return jobsUpdatedSince(idempotent, after, limit);
    },
    countJobs() {
      return countJobs(idempotent);
    },
    nextRunAt() {
      return nextRunAt(idempotent);
    },
    listAttempts(jobId) {
      return listAttempts(idempotent, jobId);
    },
    getOutput(jobId, attempt, stream, from = 0) {
      return getOutput(idempotent, jobId, attempt, stream, from);
    },
  };
}
