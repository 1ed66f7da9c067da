import type { Job, JobState } from "../../../core/types.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import { notRetryable } from "../../shared/refusals.js";
import type { Db } from "../db.js";
import type { JobRow } from "../rows.js";

/** dead → pending, attempts reset, due now; last_error and the attempt history are kept. */
export async function retryDead(db: Db, id: string, now: number): Promise<Job> {
  const { rows } = await db.query<JobRow>(
    `UPDATE ${db.s}.jobs SET state = 'pending', attempts = 0, run_at = $2, updated_at = $2
     WHERE id = $1 AND state = 'dead' RETURNING ${JOB_COLUMNS}`,
    [id, now],
  );
  const job = rows[0];
  if (job) return job;
  const found = await db.query<{ state: JobState }>(`SELECT state FROM ${db.s}.jobs WHERE id = $1`, [id]);
  throw notRetryable(id, found.rows[0]?.state);
}

export async function retryAllDead(db: Db, now: number): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE ${db.s}.jobs SET state = 'pending', attempts = 0, run_at = $1, updated_at = $1 WHERE state = 'dead'`,
    [now],
  );
  return rowCount ?? 0;
}
