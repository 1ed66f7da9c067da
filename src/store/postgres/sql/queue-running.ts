/**
 * The running count of limited queues (`queues.running`, NULL while a queue has no limit), which the
 * restricted claim reads instead of counting processing jobs. It stays exact because:
 * - every statement that moves a job into processing for a limited queue (the restricted claim,
 *   claim-by-queue.ts) or out of it (finish, reap) changes the count in the same statement, under
 *   the queue row's lock; rows are locked in name order after the job rows, as everywhere;
 * - a statement reads the limits in its snapshot, so a limit set while it runs would be missed: a
 *   limit is set under a SHARE lock on jobs (setQueueSql), which waits for every statement writing
 *   jobs to end and keeps new ones out until the count is taken. The plain claim, which runs only
 *   while no queue is limited, therefore never takes a job of a limited queue.
 */

/**
 * CTEs that take the jobs of `ended` (a CTE with one row per job that left processing, with its
 * `queue`) off the count of their limited queues.
 */
export function endedRunsCtes(s: string, ended: string): string {
  return `${ended}_queues AS MATERIALIZED (
       SELECT q.name FROM ${s}.queues q
       WHERE q.name IN (SELECT queue FROM ${ended}) AND q.concurrency IS NOT NULL
       ORDER BY q.name
       FOR UPDATE
     ), ${ended}_counted AS (
       UPDATE ${s}.queues q SET running = q.running - e.n
       FROM (SELECT queue, count(*) AS n FROM ${ended} GROUP BY queue) e
       WHERE q.name = e.queue AND q.name IN (SELECT name FROM ${ended}_queues)
     )`;
}

/**
 * The statement after `LOCK TABLE jobs IN SHARE MODE` that sets queue $1's settings ($2 paused or
 * null to keep, $3 whether the limit changes, $4 the limit): a limit set counts its running jobs
 * (nothing moves them meanwhile), a limit removed forgets the count.
 */
export function setQueueSql(s: string): string {
  const running = `CASE WHEN $4::int IS NULL THEN NULL
       ELSE (SELECT count(*) FROM ${s}.jobs WHERE state = 'processing' AND queue = $1) END`;
  return `INSERT INTO ${s}.queues AS q (name, paused, concurrency, running)
     VALUES ($1, coalesce($2, false), $4, ${running})
     ON CONFLICT (name) DO UPDATE SET
       paused = coalesce($2, q.paused),
       concurrency = CASE WHEN $3 THEN $4 ELSE q.concurrency END,
       running = CASE WHEN $3 THEN ${running} ELSE q.running END
     RETURNING name, paused, concurrency`;
}
