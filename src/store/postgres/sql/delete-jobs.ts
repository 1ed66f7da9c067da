import { deleteRefusal, jobsActed, type IdOutcome, type JobsActed } from "../../../core/job-actions.js";
import type { JobState } from "../../../core/types.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import type { Db } from "../db.js";
import { perId } from "../per-id.js";
import type { JobRow } from "../rows.js";
import { inTransaction } from "../transaction.js";

/**
 * Each id in a transaction of its own. The conditional DELETE locks the job row: a claim that locked
 * it first makes it processing (re-checked, refused here), a claim coming later finds no row. The
 * attempts (with their output) go in a second statement of the same transaction, whose fresh
 * snapshot sees every attempt committed before the job was locked; none can follow, as only a
 * claim or a fenced finish of a processing job adds one. No trigger counts deletes in run_totals.
 */
export async function deleteJobs(db: Db, ids: string[]): Promise<JobsActed> {
  return jobsActed(await perId(ids, (id) => deleteOne(db, id)));
}

function deleteOne(db: Db, id: string): Promise<IdOutcome> {
  return inTransaction(db, async (query) => {
    const { rows } = await query<JobRow>(
      `DELETE FROM ${db.s}.jobs WHERE id = $1 AND state <> 'processing' RETURNING ${JOB_COLUMNS}`,
      [id],
    );
    const job = rows[0];
    if (job) {
      await query(`DELETE FROM ${db.s}.attempts WHERE job_id = $1`, [id]);
      return { done: job };
    }
    const found = await query<{ state: JobState }>(`SELECT state FROM ${db.s}.jobs WHERE id = $1`, [id]);
    return { refused: deleteRefusal(id, found.rows[0]?.state) };
  });
}
