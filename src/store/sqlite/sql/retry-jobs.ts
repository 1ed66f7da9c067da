import { RETRYABLE_STATES, retryRefusal, type JobsActed } from "../../../core/job-actions.js";
import type { JobState } from "../../../core/types.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import type { Db } from "../db.js";
import { toJob, type JobRow } from "../job-rows.js";
import { keyHeld, RETRY } from "./dlq.js";

const RETRYABLE = RETRYABLE_STATES.map((state) => `'${state}'`).join(", ");

/** Each finished job back to pending (see dlq.ts for what a retry sets), one transaction per id. */
export function retryJobs(db: Db, ids: string[], now: number): JobsActed {
  const result: JobsActed = { done: [], refused: [] };
  for (const id of ids) {
    db.write(() => {
      let job: JobRow | undefined;
      try {
        job = db
          .sql(`${RETRY} WHERE id = @id AND state IN (${RETRYABLE}) RETURNING ${JOB_COLUMNS}`)
          .get({ id, now }) as JobRow | undefined;
      } catch (error) {
        // Another active job holds this job's key now: it stays as it is.
        if (!(error as { message?: string }).message?.endsWith("jobs.key")) throw error;
        return result.refused.push({ id, error: keyHeld(db, id).message, code: "conflict" });
      }
      if (job) return result.done.push(toJob(job));
      const found = db.sql(`SELECT state FROM jobs WHERE id = ?`).get(id) as { state: JobState } | undefined;
      return result.refused.push(retryRefusal(id, found?.state));
    });
  }
  return result;
}
