import type { Db } from "../db.js";
import type { ReapOptions } from "../../../core/store.js";

/**
 * Recovers the jobs of lost workers and forgets those workers, in one statement.
 * A job whose lease expired, or whose worker is known dead, becomes failed and due now — or dead
 * once it has used up its retries, so a job that kills its worker every time cannot loop forever.
 * Its running attempt is closed as "lost". Rows locked by a concurrent finishRuns are skipped: that
 * worker is alive after all, and the next reap sees them again if not.
 */
export async function reap(db: Db, options: ReapOptions): Promise<string[]> {
  const { now, deadWorkerIds, staleBefore, judgeLeases = true } = options;
  const { s } = db;
  const { rows } = await db.query<{ id: string }>(
    `WITH lost AS MATERIALIZED (
       SELECT id FROM ${s}.jobs
       WHERE state = 'processing' AND (($4::bool AND lease_until < $1) OR worker_id = ANY($2::text[]))
       FOR UPDATE SKIP LOCKED
     ), recovered AS (
       UPDATE ${s}.jobs j
       SET state = CASE WHEN j.attempts <= j.max_retries THEN 'failed' ELSE 'dead' END,
           run_at = $1, updated_at = $1, finished_at = $1, worker_id = NULL, lease_until = NULL,
           last_error = CASE WHEN j.worker_id = ANY($2::text[])
                          THEN 'worker ' || j.worker_id || ' died while running this job'
                          ELSE 'worker ' || coalesce(j.worker_id, '?') || ' was lost: lease expired without a heartbeat'
                        END
       FROM lost WHERE j.id = lost.id
       RETURNING j.id, j.last_attempt, j.last_error
     ), attempt AS (
       UPDATE ${s}.attempts a
       SET outcome = 'lost', finished_at = $1, duration_ms = greatest($1 - a.started_at, 0), error = recovered.last_error
       FROM recovered WHERE a.job_id = recovered.id AND a.number = recovered.last_attempt AND a.outcome = 'running'
     ), gone AS (
       DELETE FROM ${s}.workers WHERE id = ANY($2::text[]) OR heartbeat_at < $3
     )
     SELECT id FROM recovered ORDER BY id`,
    [now, deadWorkerIds, staleBefore, judgeLeases],
  );
  return rows.map((row) => row.id);
}
