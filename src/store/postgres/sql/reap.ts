import { lossCause, rescue } from "../../../core/rescue.js";
import type { ReapOptions } from "../../../core/store.js";
import type { Job } from "../../../core/types.js";
import { HOOK_KEY_PREFIX } from "../../../core/unique-key.js";
import type { Db } from "../db.js";
import { insertJobsSql, newJobParams, ON_KEY } from "./insert-jobs.js";
import { endedRunsCtes } from "./queue-running.js";
import { runTallyCte } from "./run-tally.js";

type LostRow = Pick<Job, "id" | "attempts" | "max_retries" | "worker_id" | "command" | "key" | "cancel_signal"> & {
  last_attempt: number;
};

/**
 * Recovers the jobs of lost workers and forgets those workers: finds the lost runs, then applies
 * what core/rescue.ts decides for each in one statement (the job moved, its attempt closed as lost,
 * dead and stale worker rows removed).
 *
 * The decision depends only on the run (job, attempt number, worker) and on why it is lost, so the
 * applying statement re-checks exactly that, under the row lock: a run that finished, was recovered
 * by another reaper, or had its lease extended in between is left alone, and the decision for
 * every run it does touch still holds. Rows locked by a concurrent finishRuns are skipped: that
 * worker is alive after all, and the next reap sees them again if not.
 */
export async function reap(db: Db, options: ReapOptions): Promise<string[]> {
  const { now, deadWorkerIds, staleBefore, judgeLeases = true } = options;
  const { s } = db;
  const found = await db.query<LostRow>(
    `SELECT id, last_attempt, attempts, max_retries, worker_id, command, key, cancel_signal FROM ${s}.jobs
     WHERE state = 'processing' AND (($3::bool AND lease_until < $1) OR worker_id = ANY($2::text[]))`,
    [now, deadWorkerIds, judgeLeases],
  );
  const lost = found.rows;
  const decided = lost.map((job) => rescue(job, lossCause(job.worker_id, deadWorkerIds), now));
  // Hooks of the jobs sent to dead, inserted by the same statement for the jobs it does move (a
  // hook's key is HOOK_KEY_PREFIX + the dead job's id: the join below).
  const hooks = lost.flatMap((job, i) => {
    const { next, error } = decided[i]!;
    const hook = next.state === "dead" ? options.deadHook?.({ ...job, exit_code: null, error }) : null;
    return hook ? [hook] : [];
  });
  const { rows } = await db.query<{ id: string }>(
    `WITH d AS (
       SELECT * FROM unnest($5::text[], $6::int[], $7::text[], $8::int[], $9::text[], $10::text[], $11::bigint[],
                            $12::text[])
         AS d(id, number, worker_id, attempts, state, error, run_at, cancel_signal)
     ), lost AS MATERIALIZED (
       SELECT j.id FROM ${s}.jobs j JOIN d ON j.id = d.id
       WHERE j.state = 'processing' AND j.last_attempt = d.number AND j.worker_id = d.worker_id
         AND j.attempts = d.attempts AND j.cancel_signal IS NOT DISTINCT FROM d.cancel_signal
         AND (($4::bool AND j.lease_until < $1) OR j.worker_id = ANY($2::text[]))
       FOR UPDATE OF j SKIP LOCKED
     ), recovered AS (
       UPDATE ${s}.jobs j
       SET state = d.state, run_at = coalesce(d.run_at, j.run_at), updated_at = $1, finished_at = $1,
           last_error = d.error, worker_id = NULL, lease_until = NULL, cancel_signal = NULL, cancel_grace_ms = NULL
       FROM lost JOIN d ON d.id = lost.id WHERE j.id = lost.id
       RETURNING j.id, d.number, d.error, j.queue
     ), ${endedRunsCtes(s, "recovered")}, attempt AS (
       UPDATE ${s}.attempts a
       SET outcome = 'lost', finished_at = $1, duration_ms = greatest($1 - a.started_at, 0), error = recovered.error
       FROM recovered WHERE a.job_id = recovered.id AND a.number = recovered.number AND a.outcome = 'running'
       RETURNING recovered.queue
     ), ${runTallyCte(s, ["SELECT 'lost' AS event, queue FROM attempt"])}, hooks AS (
       ${insertJobsSql(s, 13, `JOIN recovered ON t.key = '${HOOK_KEY_PREFIX}' || recovered.id`)}
       ${ON_KEY} DO NOTHING
     ), gone AS (
       DELETE FROM ${s}.workers WHERE id = ANY($2::text[]) OR heartbeat_at < $3
     )
     SELECT id FROM recovered ORDER BY id`,
    [
      now,
      deadWorkerIds,
      staleBefore,
      judgeLeases,
      lost.map((job) => job.id),
      lost.map((job) => job.last_attempt),
      lost.map((job) => job.worker_id),
      lost.map((job) => job.attempts),
      decided.map((d) => d.next.state),
      decided.map((d) => d.error),
      decided.map((d) => (d.next.state === "failed" ? d.next.run_at : null)),
      lost.map((job) => job.cancel_signal),
      ...newJobParams(hooks),
    ],
  );
  return rows.map((row) => row.id);
}
