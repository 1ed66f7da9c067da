import { conflict, notFound } from "../../../core/errors.js";
import type { Job } from "../../../core/types.js";
import type { Db } from "../db.js";
import { JOB_COLUMNS, type JobRow } from "../rows.js";

/** dead → pending, attempts reset, due now; last_error and the attempt history are kept. */
export async function retryDead(db: Db, id: string, now: number): Promise<Job> {
  const { rows } = await db.query<JobRow>(
    `UPDATE ${db.s}.jobs SET state = 'pending', attempts = 0, run_at = $2, updated_at = $2
     WHERE id = $1 AND state = 'dead' RETURNING ${JOB_COLUMNS}`,
    [id, now],
  );
  const job = rows[0];
  if (job) return job;
  const found = await db.query<{ state: string }>(`SELECT state FROM ${db.s}.jobs WHERE id = $1`, [id]);
  const state = found.rows[0]?.state;
  if (state === undefined) throw notFound("job", id);
  throw conflict(`job ${id} is ${state}, not dead: only dead jobs can be retried`);
}

export async function retryAllDead(db: Db, now: number): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE ${db.s}.jobs SET state = 'pending', attempts = 0, run_at = $1, updated_at = $1 WHERE state = 'dead'`,
    [now],
  );
  return rowCount ?? 0;
}
