import type { Job, JobState } from "../../../core/types.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import { notRetryable } from "../../shared/refusals.js";
import type { Db } from "../db.js";
import { toJob, type JobRow } from "../job-rows.js";

const RETRY = `UPDATE jobs SET state = 'pending', attempts = 0, run_at = @now, updated_at = @now`;

/** dead → pending, attempts reset, due now; last_error and the attempt history are kept. */
export function retryDead(db: Db, id: string, now: number): Job {
  return db.write(() => {
    const row = db.sql(`${RETRY} WHERE id = @id AND state = 'dead' RETURNING ${JOB_COLUMNS}`).get({ id, now }) as
      JobRow | undefined;
    if (row) return toJob(row);
    const found = db.sql(`SELECT state FROM jobs WHERE id = ?`).get(id) as { state: JobState } | undefined;
    throw notRetryable(id, found?.state);
  });
}

export function retryAllDead(db: Db, now: number): number {
  return db.write(() => db.sql(`${RETRY} WHERE state = 'dead'`).run({ now }).changes);
}
