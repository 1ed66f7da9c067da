import { deleteRefusal, type JobsActed } from "../../../core/job-actions.js";
import type { JobState } from "../../../core/types.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import type { Db } from "../db.js";
import { toJob, type JobRow } from "../job-rows.js";
import { forgetDependency } from "./dependencies.js";

/**
 * Each id in a write transaction of its own: the conditional delete of the job (never a processing
 * one), then its attempts and output. No trigger counts deletes in run_totals, so the counters keep
 * what happened; queue_counts loses the job (its delete trigger).
 */
export function deleteJobs(db: Db, ids: string[], now = Date.now()): JobsActed {
  const result: JobsActed = { done: [], refused: [] };
  for (const id of ids) {
    db.write(() => {
      const job = db.sql(`DELETE FROM jobs WHERE id = ? AND state <> 'processing' RETURNING ${JOB_COLUMNS}`).get(id) as
        JobRow | undefined;
      if (job) {
        forgetDependency(db, id, now);
        db.sql(`DELETE FROM attempts WHERE job_id = ?`).run(id);
        db.sql(`DELETE FROM outputs WHERE job_id = ?`).run(id);
        result.done.push(toJob(job));
      } else {
        const found = db.sql(`SELECT state FROM jobs WHERE id = ?`).get(id) as { state: JobState } | undefined;
        result.refused.push(deleteRefusal(id, found?.state));
      }
    });
  }
  return result;
}
