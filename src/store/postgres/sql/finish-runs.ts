import type { Db, Param } from "../db.js";
import { inTransaction } from "../transaction.js";
import { insertOne } from "./insert-jobs.js";
import type { FinishedRun } from "../../../core/store.js";
import { endedRunsCtes } from "./queue-running.js";
import { runTallyCte } from "./run-tally.js";

/**
 * The CTEs that record a batch of finished runs, numbered from parameter `$first`; finish-and-claim
 * composes them with the claim into one statement. Fencing: a run is recorded only while it is
 * still held — state processing, same worker, same attempt number. `finished_job` decides (its
 * UPDATE locks the job row and re-checks a row a concurrent reap changed), and the attempt row is
 * written only for the jobs it moved: a run recovered meanwhile leaves its "lost" attempt and its
 * new owner alone. `refused` lists the runs that were not recorded.
 *
 * Runs are sorted by job id so two batches touching the same jobs lock them in the same order.
 * The finished jobs leave the running count of their limited queues (queue-running.ts) unless
 * `counted` is false: the restricted claim composed after them changes that count itself.
 * `events` are the run events for run-tally.ts: the composing statement adds them up.
 */
export function finishRunsCtes(
  s: string,
  runs: FinishedRun[],
  first: number,
  counted = true,
): { sql: string; params: Param[]; events: string } {
  const sorted = [...runs].sort((a, b) => (a.job_id < b.job_id ? -1 : a.job_id > b.job_id ? 1 : a.attempt - b.attempt));
  const col = <T extends Param>(pick: (run: FinishedRun) => T): T[] => sorted.map(pick);
  const p = (n: number) => `$${first + n - 1}`;
  const sql = `r AS (
       SELECT * FROM unnest(
         ${p(1)}::text[], ${p(2)}::int[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::bigint[], ${p(6)}::bigint[],
         ${p(7)}::int[], ${p(8)}::text[], ${p(9)}::text[], ${p(10)}::bytea[], ${p(11)}::bigint[], ${p(12)}::bool[],
         ${p(13)}::bytea[], ${p(14)}::bigint[], ${p(15)}::bool[], ${p(16)}::text[], ${p(17)}::bigint[]
       ) AS r(job_id, number, worker_id, outcome, finished_at, duration_ms, exit_code, signal, error,
              stdout, stdout_bytes, stdout_truncated, stderr, stderr_bytes, stderr_truncated, next_state, next_run_at)
     ), finished_job AS (
       UPDATE ${s}.jobs j
       -- A run whose job a user asked to cancel ends it cancelled, unless it completed first.
       SET state = CASE WHEN j.cancel_signal IS NOT NULL AND r.next_state <> 'completed' THEN 'cancelled'
                        WHEN r.next_state = 'requeue' THEN 'pending' ELSE r.next_state END,
           cancel_signal = NULL, cancel_grace_ms = NULL,
           -- requeue (worker stop --now): the interrupted run does not count against max_retries.
           attempts = CASE r.next_state WHEN 'requeue' THEN greatest(j.attempts - 1, 0) ELSE j.attempts END,
           run_at = CASE r.next_state WHEN 'failed' THEN r.next_run_at WHEN 'requeue' THEN r.finished_at
                    ELSE j.run_at END,
           finished_at = r.finished_at, exit_code = r.exit_code, duration_ms = r.duration_ms, last_error = r.error,
           worker_id = NULL, lease_until = NULL, updated_at = r.finished_at
       FROM r
       WHERE j.id = ANY(${p(1)}::text[]) AND j.id = r.job_id AND j.state = 'processing'
         AND j.worker_id = r.worker_id AND j.last_attempt = r.number
       RETURNING j.id, r.number, j.queue
     ), finished_attempt AS (
       -- An upsert rather than UPDATE ... FROM: ON CONFLICT reaches the attempt through its primary
       -- key whatever the planner believes about the table. (The prepared statement's generic plan,
       -- made while the table was small, otherwise scanned every attempt ever made, at every finish.)
       -- The claim inserted the row; should it be missing, the result is kept rather than lost.
       INSERT INTO ${s}.attempts AS a (job_id, number, worker_id, outcome, started_at, finished_at, duration_ms,
              exit_code, signal, error, stdout, stdout_bytes, stdout_truncated, stderr, stderr_bytes, stderr_truncated)
       SELECT r.job_id, r.number, r.worker_id, r.outcome, r.finished_at - r.duration_ms, r.finished_at, r.duration_ms,
              r.exit_code, r.signal, r.error, r.stdout, r.stdout_bytes, r.stdout_truncated,
              r.stderr, r.stderr_bytes, r.stderr_truncated
       FROM r JOIN finished_job f ON f.id = r.job_id AND f.number = r.number
       ON CONFLICT (job_id, number) DO UPDATE
       SET outcome = excluded.outcome, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
           exit_code = excluded.exit_code, signal = excluded.signal, error = excluded.error,
           stdout = excluded.stdout, stdout_bytes = excluded.stdout_bytes, stdout_truncated = excluded.stdout_truncated,
           stderr = excluded.stderr, stderr_bytes = excluded.stderr_bytes, stderr_truncated = excluded.stderr_truncated
     ), refused AS (
       SELECT r.job_id FROM r
       WHERE NOT EXISTS (SELECT 1 FROM finished_job f WHERE f.id = r.job_id AND f.number = r.number)
     )${counted ? `, ${endedRunsCtes(s, "finished_job")}` : ""}`;
  const params: Param[] = [
    col((r) => r.job_id),
    col((r) => r.attempt),
    col((r) => r.worker_id),
    col((r) => r.outcome),
    col((r) => r.finished_at),
    col((r) => Math.round(r.duration_ms)),
    col((r) => r.exit_code),
    col((r) => r.signal),
    col((r) => r.error),
    col((r) => r.stdout.data),
    col((r) => r.stdout.total_bytes),
    col((r) => r.stdout.truncated),
    col((r) => r.stderr.data),
    col((r) => r.stderr.total_bytes),
    col((r) => r.stderr.truncated),
    col((r) => r.next.state),
    col((r) => (r.next.state === "failed" ? r.next.run_at : null)),
  ];
  // Every run recorded here wrote its attempt row (finished_attempt): one event of its outcome.
  const events = `SELECT r.outcome AS event, f.queue FROM r JOIN finished_job f ON f.id = r.job_id AND f.number = r.number`;
  return { sql, params, events };
}

/**
 * Records a batch of finished runs in one statement — one transaction, one WAL flush for the whole
 * batch (group commit): with one commit per job the queue could not beat the disk's flush rate.
 */
export async function finishRuns(db: Db, runs: FinishedRun[]): Promise<string[]> {
  if (runs.length === 0) return [];
  if (runs.some((run) => run.hook)) return finishWithHooks(db, runs);
  const { sql, params, events } = finishRunsCtes(db.s, runs, 1);
  const { rows } = await db.query<{ refused: string[] }>(
    `WITH ${sql}, ${runTallyCte(db.s, [events])} SELECT ARRAY(SELECT job_id FROM refused) AS refused`,
    params,
    "finishRuns",
  );
  return rows[0]?.refused ?? [];
}

/**
 * A batch in which jobs go dead with an on-dead hook: the same finish, and the hook jobs of the runs
 * it recorded, in one transaction (a crash cannot lose a hook). Rare, so off the hot statement.
 */
async function finishWithHooks(db: Db, runs: FinishedRun[]): Promise<string[]> {
  const { sql, params, events } = finishRunsCtes(db.s, runs, 1);
  return inTransaction(db, async (query) => {
    const { rows } = await query<{ refused: string[] }>(
      `WITH ${sql}, ${runTallyCte(db.s, [events])} SELECT ARRAY(SELECT job_id FROM refused) AS refused`,
      params,
    );
    const refused = rows[0]?.refused ?? [];
    for (const run of runs) {
      if (run.hook && run.next.state === "dead" && !refused.includes(run.job_id)) {
        await insertOne(query, db.s, run.hook);
      }
    }
    return refused;
  });
}
