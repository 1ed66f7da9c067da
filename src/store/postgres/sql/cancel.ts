import type { CancelAnswer, CancelOrder } from "../../../core/store.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import type { Db } from "../db.js";
import type { JobRow } from "../rows.js";

/**
 * Store.cancelJob in one UPDATE, so that the state it acts on is the one it changes (a claim or a
 * finish committing meanwhile is re-read under the row lock): pending or failed → cancelled,
 * processing → the order stored for its worker.
 */
export async function cancelJob(db: Db, id: string, order: CancelOrder, now: number): Promise<CancelAnswer> {
  const { s } = db;
  // A job that left a finished state between the two statements (e.g. retried) is tried again.
  for (let tries = 0; ; tries++) {
    const { rows } = await db.query<JobRow>(
      `UPDATE ${s}.jobs SET
         state = CASE WHEN state = 'processing' THEN state ELSE 'cancelled' END,
         finished_at = CASE WHEN state = 'processing' THEN finished_at ELSE $2 END,
         cancel_signal = CASE WHEN state = 'processing' THEN $3 END,
         cancel_grace_ms = CASE WHEN state = 'processing' THEN $4::bigint END,
         updated_at = $2
       WHERE id = $1 AND state IN ('pending', 'failed', 'processing')
       RETURNING ${JOB_COLUMNS}`,
      [id, now, order.signal, order.grace_ms],
    );
    const changed = rows[0];
    if (changed) return { job: changed, done: changed.state === "cancelled" ? "cancelled" : "requested" };
    const found = await db.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM ${s}.jobs WHERE id = $1`, [id]);
    const job = found.rows[0] ?? null;
    if (job === null || tries >= 2 || !["pending", "failed", "processing"].includes(job.state)) {
      return { job, done: "refused" };
    }
  }
}
