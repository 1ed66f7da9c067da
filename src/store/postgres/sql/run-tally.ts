/**
 * Runs started, finished (by outcome) and lost, per queue, added to run_totals by the statements
 * that start and end runs — the claims, the finish and the reap — as SQLite's do (its
 * run-tally.ts). Row triggers on attempts counted them before: two plpgsql calls per job, which
 * cost the worker's claim-and-finish statement about a quarter of its server time. Moves to the
 * DLQ are still counted by a row trigger (jobs_total_dead): rare, and any path may make them.
 *
 * Each statement writes its counts once, in one CTE: two upserts of one row by one statement would
 * fail ("cannot affect row a second time"), so the composed statements (finish-and-claim) pass the
 * events of both halves here. The counts are spread over 64 rows per event and queue (by
 * transaction id) so that workers claiming and finishing at once seldom wait for one another.
 */

/** The runs a claim started: one event per row of its `claimed` CTE. */
export const CLAIMED_EVENTS = `SELECT 'started' AS event, queue FROM claimed`;

/** A CTE `run_tally` that adds up `events` (SELECTs of `event, queue`, one row per run event). */
export function runTallyCte(s: string, events: string[]): string {
  return `run_tally AS (
       INSERT INTO ${s}.run_totals AS t (event, queue, shard, n)
       SELECT event, queue, txid_current() % 64, count(*) FROM (${events.join(" UNION ALL ")}) e
       GROUP BY event, queue
       ON CONFLICT (event, queue, shard) DO UPDATE SET n = t.n + excluded.n
     )`;
}
