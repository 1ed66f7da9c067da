import type { WorkerInfo } from "../../../core/types.js";
import type { Db } from "../db.js";

/**
 * One statement: the worker's heartbeat, its leases, and its stop request. Rows being finished by
 * a concurrent finishRuns are skipped (SKIP LOCKED) rather than waited for: they are about to leave
 * `processing`, and not waiting means heartbeat and finishRuns can never deadlock.
 */
export async function heartbeat(
  db: Db,
  workerId: string,
  now: number,
  leaseUntil: number,
): Promise<WorkerInfo["stop_requested"] | "gone"> {
  const { s } = db;
  const { rows } = await db.query<{ stop_requested: WorkerInfo["stop_requested"] }>(
    `WITH held AS (
       SELECT id FROM ${s}.jobs WHERE worker_id = $1 AND state = 'processing' FOR UPDATE SKIP LOCKED
     ), leases AS (
       UPDATE ${s}.jobs j SET lease_until = $3 FROM held WHERE j.id = held.id
     )
     UPDATE ${s}.workers SET heartbeat_at = $2 WHERE id = $1 RETURNING stop_requested`,
    [workerId, now, leaseUntil],
  );
  const row = rows[0];
  return row ? row.stop_requested : "gone";
}
