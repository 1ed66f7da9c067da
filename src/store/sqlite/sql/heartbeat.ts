import type { Heartbeat, HeartbeatAnswer } from "../../../core/store.js";
import type { WorkerInfo } from "../../../core/types.js";
import type { Db } from "../db.js";

const BEAT = `UPDATE workers SET heartbeat_at = ? WHERE id = ? RETURNING stop_requested`;

const EXTEND = `UPDATE jobs SET lease_until = @lease
  WHERE id = @job_id AND state = 'processing' AND worker_id = @worker_id AND last_attempt = @attempt`;

/**
 * The worker's heartbeat, the leases of the runs it still holds, its stop request, and the runs it
 * believes it holds but no longer does (fencing: recovered meanwhile, so the worker must stop them).
 */
export function heartbeat(db: Db, { workerId, held, leaseMs, clock }: Heartbeat): HeartbeatAnswer {
  return db.write(() => {
    // Inside the transaction: the write lock is ours, so time spent waiting for it is not
    // taken off the new leases (core/lease.ts).
    const now = clock();
    const row = db.sql(BEAT).get(now, workerId) as { stop_requested: WorkerInfo["stop_requested"] } | undefined;
    const extend = db.sql(EXTEND);
    const lease = now + leaseMs;
    const lost: string[] = [];
    for (const { job_id, attempt } of held) {
      if (extend.run({ lease, job_id, attempt, worker_id: workerId }).changes === 0) lost.push(job_id);
    }
    return { stop: row ? row.stop_requested : ("gone" as const), lost };
  });
}
