import type { CancelAnswer, CancelOrder } from "../../../core/store.js";
import { JOB_COLUMNS } from "../../shared/columns.js";
import type { Db } from "../db.js";
import { toJob, type JobRow } from "../job-rows.js";
import { cancelDependents } from "./dependencies.js";
import { cascadeCause } from "../../../core/dependencies.js";

const CANCEL_WAITING = `UPDATE jobs SET state = 'cancelled', finished_at = @now, updated_at = @now
  WHERE id = @id AND state IN ('pending', 'failed') RETURNING ${JOB_COLUMNS}`;

const ORDER_RUNNING = `UPDATE jobs SET cancel_signal = @signal, cancel_grace_ms = @grace_ms, updated_at = @now
  WHERE id = @id AND state = 'processing' RETURNING ${JOB_COLUMNS}`;

/** Store.cancelJob: a waiting job is cancelled, a running one gets the order; in one transaction. */
export function cancelJob(db: Db, id: string, order: CancelOrder, now: number): CancelAnswer {
  return db.write(() => {
    const cancelled = db.sql(CANCEL_WAITING).get({ id, now }) as JobRow | undefined;
    if (cancelled) {
      cancelDependents(db, id, cascadeCause(id, "cancelled"), now);
      return { job: toJob(cancelled), done: "cancelled" };
    }
    const ordered = db.sql(ORDER_RUNNING).get({ id, now, ...order }) as JobRow | undefined;
    if (ordered) return { job: toJob(ordered), done: "requested" };
    const row = db.sql(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`).get(id) as JobRow | undefined;
    return { job: row ? toJob(row) : null, done: "refused" };
  });
}
