import type { Job, JobState } from "../../../core/types.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import { BLOCKED_RUN_AT } from "../../../core/job-state.js";
import type { QueueError } from "../../../core/errors.js";
import { keyTaken, notRetryable } from "../../shared/refusals.js";
import type { Db } from "../db.js";
import { toJob, type JobRow } from "../job-rows.js";
import { HOLDER } from "./insert-jobs.js";

/** What a retry sets: pending, attempts reset, due now (blocked again if dependencies are left). */
export const RETRY = `UPDATE jobs SET state = 'pending', attempts = 0, updated_at = @now,
  run_at = CASE WHEN waiting_on > 0 THEN ${BLOCKED_RUN_AT} ELSE @now END,
  own_run_at = CASE WHEN waiting_on > 0 THEN @now END`;

/**
 * dead → pending, attempts reset, due now; last_error and the attempt history are kept. A job whose
 * key another active job holds now stays dead (the key's unique index refuses it).
 */
export function retryDead(db: Db, id: string, now: number): Job {
  return db.write(() => {
    let row: JobRow | undefined;
    try {
      row = db.sql(`${RETRY} WHERE id = @id AND state = 'dead' RETURNING ${JOB_COLUMNS}`).get({ id, now }) as
        JobRow | undefined;
    } catch (error) {
      if ((error as { message?: string }).message?.endsWith("jobs.key")) throw keyHeld(db, id);
      throw error;
    }
    if (row) return toJob(row);
    const found = db.sql(`SELECT state FROM jobs WHERE id = ?`).get(id) as { state: JobState } | undefined;
    throw notRetryable(id, found?.state);
  });
}

/** Every dead job whose key is free; of dead jobs sharing a key, one (OR IGNORE skips the rest). */
export function retryAllDead(db: Db, now: number): number {
  return db.write(
    () => db.sql(`${RETRY.replace("UPDATE", "UPDATE OR IGNORE")} WHERE state = 'dead'`).run({ now }).changes,
  );
}

/** The refusal of a retry whose key another active job holds now. */
export function keyHeld(db: Db, id: string): QueueError {
  const key = (db.sql(`SELECT key FROM jobs WHERE id = ?`).get(id) as { key: string }).key;
  const holder = db.sql(HOLDER).get(key) as { id: string } | undefined;
  return keyTaken(key, holder?.id);
}
