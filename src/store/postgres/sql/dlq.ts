import type { Job, JobState } from "../../../core/types.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import { keyTaken, notRetryable } from "../../shared/refusals.js";
import type { QueueError } from "../../../core/errors.js";
import type { Db } from "../db.js";
import type { JobRow } from "../rows.js";

/** dead → pending, attempts reset, due now; last_error and the attempt history are kept. */
export async function retryDead(db: Db, id: string, now: number): Promise<Job> {
  const { rows } = await db
    .query<JobRow>(
      `UPDATE ${db.s}.jobs SET state = 'pending', attempts = 0, run_at = $2, updated_at = $2
       WHERE id = $1 AND state = 'dead' RETURNING ${JOB_COLUMNS}`,
      [id, now],
    )
    .catch(async (error: unknown) => {
      // Another active job holds this job's key now: it stays dead.
      if ((error as { constraint?: string }).constraint !== "jobs_active_key") throw error;
      throw await keyHeld(db, id);
    });
  const job = rows[0];
  if (job) return job;
  const found = await db.query<{ state: JobState }>(`SELECT state FROM ${db.s}.jobs WHERE id = $1`, [id]);
  throw notRetryable(id, found.rows[0]?.state);
}

/**
 * Every dead job whose key is free; of dead jobs sharing a key, the newest. (A job enqueued with the
 * key meanwhile makes the statement fail whole; running it again skips that key.)
 */
export async function retryAllDead(db: Db, now: number): Promise<number> {
  const { s } = db;
  const { rowCount } = await db.query(
    `UPDATE ${s}.jobs j SET state = 'pending', attempts = 0, run_at = $1, updated_at = $1
     WHERE j.state = 'dead' AND (j.key IS NULL OR (
       NOT EXISTS (SELECT 1 FROM ${s}.jobs a WHERE a.key = j.key AND a.state IN ('pending', 'failed', 'processing'))
       AND j.seq = (SELECT max(d.seq) FROM ${s}.jobs d WHERE d.key = j.key AND d.state = 'dead')))`,
    [now],
  );
  return rowCount ?? 0;
}

/** The refusal of a retry whose key another active job holds now. */
export async function keyHeld(db: Db, id: string): Promise<QueueError> {
  const held = await db.query<{ key: string; holder: string | null }>(
    `SELECT d.key, (SELECT a.id FROM ${db.s}.jobs a WHERE a.key = d.key
       AND a.state IN ('pending', 'failed', 'processing')) AS holder
     FROM ${db.s}.jobs d WHERE d.id = $1`,
    [id],
  );
  const row = held.rows[0];
  return keyTaken(row?.key ?? "?", row?.holder ?? undefined);
}
