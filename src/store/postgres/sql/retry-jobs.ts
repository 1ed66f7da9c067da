import {
  RETRYABLE_STATES,
  jobsActed,
  retryRefusal,
  type IdOutcome,
  type JobsActed,
} from "../../../core/job-actions.js";
import type { JobState } from "../../../core/types.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import type { Db } from "../db.js";
import { perId } from "../per-id.js";
import { keyHeld } from "./dlq.js";
import { retryRunAt } from "./dependencies.js";
import type { JobRow } from "../rows.js";

/**
 * Each finished job back to pending (as dlq.ts's retry sets it), one conditional UPDATE per id. A
 * refusal reads the state afterwards to say why; the update alone decided.
 */
export async function retryJobs(db: Db, ids: string[], now: number): Promise<JobsActed> {
  return jobsActed(await perId(ids, (id) => retryOne(db, id, now)));
}

async function retryOne(db: Db, id: string, now: number): Promise<IdOutcome> {
  let rows: JobRow[];
  try {
    ({ rows } = await db.query<JobRow>(
      `UPDATE ${db.s}.jobs SET state = 'pending', attempts = 0, ${retryRunAt("$2")}, updated_at = $2
       WHERE id = $1 AND state = ANY($3::text[]) RETURNING ${JOB_COLUMNS}`,
      [id, now, RETRYABLE_STATES],
    ));
  } catch (error) {
    // Another active job holds this job's key now: it stays as it is.
    if ((error as { constraint?: string }).constraint !== "jobs_active_key") throw error;
    return { refused: { id, error: (await keyHeld(db, id)).message, code: "conflict" } };
  }
  const job = rows[0];
  if (job) return { done: job };
  const found = await db.idempotent.query<{ state: JobState }>(`SELECT state FROM ${db.s}.jobs WHERE id = $1`, [id]);
  return { refused: retryRefusal(id, found.rows[0]?.state) };
}
