import type { Heartbeat, HeartbeatAnswer } from "../../../core/store.js";
import type { Job, WorkerInfo } from "../../../core/types.js";
import type { Db } from "../db.js";

type CancelRow = Pick<Job, "cancel_signal" | "cancel_grace_ms">;

const BEAT = `UPDATE workers SET heartbeat_at = ? WHERE id = ? RETURNING stop_requested`;

const EXTEND = `UPDATE jobs SET lease_until = @lease
  WHERE id = @job_id AND state = 'processing' AND worker_id = @worker_id AND last_attempt = @attempt
  RETURNING cancel_signal, cancel_grace_ms`;

/**
 * The worker's heartbeat, the leases of the runs it still holds, its stop request, and the runs it
 * believes it holds but no longer does (fencing: recovered meanwhile, so the worker must stop them),
 * and the held runs a user asked to cancel.
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
    const cancel: HeartbeatAnswer["cancel"] = [];
    for (const { job_id, attempt } of held) {
      const order = extend.get({ lease, job_id, attempt, worker_id: workerId }) as CancelRow | undefined;
      if (!order) lost.push(job_id);
      else if (order.cancel_signal !== null) {
        cancel.push({ job_id, attempt, signal: order.cancel_signal, grace_ms: order.cancel_grace_ms ?? 0 });
      }
    }
    return { stop: row ? row.stop_requested : ("gone" as const), lost, cancel };
  });
}
