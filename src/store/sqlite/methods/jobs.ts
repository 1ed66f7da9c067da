import type { JobStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { jobLinks } from "../sql/dependencies.js";
import { insertJobs } from "../sql/insert-jobs.js";
import { getOutput, listAttempts } from "../sql/output.js";
import { countJobs, getJob, jobIdsByPrefix, jobsUpdatedSince, listJobs, nextRunAt } from "../sql/read-jobs.js";

/** The SQLite store's jobs: inserting them, and reading them with their attempts and output. */
export function sqliteJobs(db: Db): JobStore {
  return {
    async insertJobs(jobs) {
      return insertJobs(db, jobs);
    },
    async getJob(id) {
      return getJob(db, id);
    },
    async jobLinks(id, limit) {
      return jobLinks(db, id, limit);
    },
    async listJobs(filter) {
      return listJobs(db, filter);
    },
    async jobsUpdatedSince(after, limit) {
      return jobsUpdatedSince(db, after, limit);
    },
    async jobIdsByPrefix(prefix, limit) {
      return jobIdsByPrefix(db, prefix, limit);
    },
    async countJobs() {
      return countJobs(db);
    },
    async nextRunAt() {
      return nextRunAt(db);
    },
    async listAttempts(jobId) {
      return listAttempts(db, jobId);
    },
    async getOutput(jobId, attempt, stream, from = 0) {
      return getOutput(db, jobId, attempt, stream, from);
    },
  };
}
