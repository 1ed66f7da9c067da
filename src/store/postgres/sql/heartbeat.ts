import type { Heartbeat, HeartbeatAnswer } from "../../../core/store.js";
import type { Db } from "../db.js";

/**
 * One statement: the worker's heartbeat, the leases of the runs it holds, its stop request, and the
 * runs it believes it holds but no longer does (fencing: recovered meanwhile, so the worker must stop
 * them), and the held runs a user asked to cancel. Rows being finished by a concurrent finishRuns are skipped (SKIP LOCKED) rather than waited
 * for: they are about to leave `processing`, and not waiting means heartbeat and finishRuns can
 * never deadlock. The clock is read as the statement is sent, after a connection was found.
 */
export async function heartbeat(db: Db, { workerId, held, leaseMs, clock }: Heartbeat): Promise<HeartbeatAnswer> {
  const { s } = db;
  const ids = held.map((run) => run.job_id);
  const numbers = held.map((run) => run.attempt);
  const now = clock();
  const { rows } = await db.query<{
    stop_requested: HeartbeatAnswer["stop"];
    registered: boolean;
    lost: string[];
    cancel: HeartbeatAnswer["cancel"];
  }>(
    `WITH mine AS (
       SELECT * FROM unnest($2::text[], $3::int[]) AS m(job_id, number)
     ), held AS (
       SELECT j.id, mine.number, j.cancel_signal, j.cancel_grace_ms FROM ${s}.jobs j JOIN mine ON j.id = mine.job_id
       WHERE j.state = 'processing' AND j.worker_id = $1 AND j.last_attempt = mine.number
       FOR UPDATE OF j SKIP LOCKED
     ), leases AS (
       UPDATE ${s}.jobs j SET lease_until = $4::bigint + $5::bigint FROM held WHERE j.id = held.id
     ), beat AS (
       UPDATE ${s}.workers SET heartbeat_at = $4 WHERE id = $1 RETURNING stop_requested
     )
     SELECT (SELECT stop_requested FROM beat) AS stop_requested,
            EXISTS (SELECT 1 FROM beat) AS registered,
            ARRAY(SELECT mine.job_id FROM mine LEFT JOIN ${s}.jobs j ON j.id = mine.job_id
                  WHERE j.id IS NULL OR j.state <> 'processing' OR j.worker_id IS DISTINCT FROM $1
                     OR j.last_attempt <> mine.number) AS lost,
            (SELECT coalesce(json_agg(json_build_object('job_id', id, 'attempt', number, 'signal', cancel_signal,
                                                        'grace_ms', cancel_grace_ms)), '[]'::json)
             FROM held WHERE cancel_signal IS NOT NULL) AS cancel`,
    [workerId, ids, numbers, now, leaseMs],
  );
  const row = rows[0];
  return { stop: row?.registered ? row.stop_requested : "gone", lost: row?.lost ?? [], cancel: row?.cancel ?? [] };
}
