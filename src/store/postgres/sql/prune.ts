import { ROLLUP_SIZES } from "../../../core/metrics.js";
import type { PrunableState } from "../../../core/retention.js";
import { FINISHED_STATES_SQL } from "../../shared/columns.js";
import { FAILED_SQL } from "../../shared/metrics.js";
import type { Db } from "../db.js";

/**
 * One statement, one transaction: the oldest finished jobs of a state (range scan of jobs_finished;
 * rows another worker is pruning are skipped, not waited for), their finished runs summed into the
 * rollups in key order (so two pruners lock rollup rows in the same order), then the runs (with
 * their output) and the jobs deleted. Rollups are kept per queue.
 */
export async function pruneJobs(db: Db, state: PrunableState, before: number, limit: number): Promise<number> {
  const { s } = db;
  const { rows } = await db.query<{ n: number }>(
    `WITH victims AS (
       SELECT id FROM ${s}.jobs WHERE ${FINISHED_STATES_SQL} AND state = $1 AND finished_at < $2
       ORDER BY finished_at LIMIT $3 FOR UPDATE SKIP LOCKED
     ), runs AS (
       DELETE FROM ${s}.attempts a USING victims v WHERE a.job_id = v.id
       RETURNING a.outcome, a.finished_at, a.duration_ms, a.job_id
     ), rolled AS (
       INSERT INTO ${s}.run_rollups AS r (size, start, queue, completed, failed, duration_sum)
       SELECT z.size, runs.finished_at - runs.finished_at % z.size, j.queue,
              count(*) FILTER (WHERE runs.outcome = 'completed'), count(*) FILTER (WHERE runs.outcome IN ${FAILED_SQL}),
              coalesce(sum(runs.duration_ms) FILTER (WHERE runs.outcome = 'completed'), 0)
       FROM runs JOIN ${s}.jobs j ON j.id = runs.job_id CROSS JOIN unnest($4::bigint[]) AS z(size)
       WHERE runs.finished_at IS NOT NULL AND (runs.outcome = 'completed' OR runs.outcome IN ${FAILED_SQL})
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
       ON CONFLICT (size, start, queue) DO UPDATE SET completed = r.completed + excluded.completed,
         failed = r.failed + excluded.failed, duration_sum = r.duration_sum + excluded.duration_sum
     ), gone AS (
       DELETE FROM ${s}.jobs j USING victims v WHERE j.id = v.id RETURNING 1
     )
     SELECT count(*)::int AS n FROM gone`,
    [state, before, limit, [...ROLLUP_SIZES]],
  );
  return rows[0]?.n ?? 0;
}

interface Mark {
  at: number;
  job_id: string;
  number: number;
}

/** Finished runs after the mark, in the order of attempts_finished (which holds the whole key). */
const AFTER_MARK = (s: string) => `FROM ${s}.attempts
  WHERE finished_at >= $1 AND finished_at < $4 AND (finished_at, job_id, number) > ($1, $2, $3)`;

async function outputMark(db: Db): Promise<Mark> {
  const { rows } = await db.query<Mark>(
    `SELECT finished_at AS at, job_id, number FROM ${db.s}.prune_marks WHERE name = 'output'`,
  );
  return rows[0] ?? { at: 0, job_id: "", number: 0 };
}

/**
 * Empties the output of the next runs after the mark and moves the mark past them, in one
 * statement. The mark only moves forward, so two workers doing this at once redo a little work at
 * most (dropping output twice is harmless).
 */
export async function pruneOutput(db: Db, before: number, limit: number): Promise<{ walked: number; dropped: number }> {
  const { s } = db;
  const mark = await outputMark(db);
  const { rows } = await db.query<{ walked: number; dropped: number }>(
    `WITH batch AS (
       SELECT job_id, number, finished_at ${AFTER_MARK(s)}
       ORDER BY finished_at, job_id, number LIMIT $5
     ), dropped AS (
       UPDATE ${s}.attempts a SET stdout = ''::bytea, stderr = ''::bytea, output_pruned = true
       FROM batch b WHERE a.job_id = b.job_id AND a.number = b.number
         AND (octet_length(a.stdout) > 0 OR octet_length(a.stderr) > 0)
       RETURNING 1
     ), last AS (
       SELECT finished_at, job_id, number FROM batch ORDER BY finished_at DESC, job_id DESC, number DESC LIMIT 1
     ), marked AS (
       INSERT INTO ${s}.prune_marks AS m (name, finished_at, job_id, number)
       SELECT 'output', finished_at, job_id, number FROM last
       ON CONFLICT (name) DO UPDATE SET finished_at = excluded.finished_at, job_id = excluded.job_id,
         number = excluded.number
       WHERE (excluded.finished_at, excluded.job_id, excluded.number) > (m.finished_at, m.job_id, m.number)
     )
     SELECT (SELECT count(*)::int FROM batch) AS walked, (SELECT count(*)::int FROM dropped) AS dropped`,
    [mark.at, mark.job_id, mark.number, before, limit],
  );
  return rows[0] ?? { walked: 0, dropped: 0 };
}

export async function countPrunable(db: Db, what: PrunableState | "output", before: number): Promise<number> {
  if (what === "output") {
    const mark = await outputMark(db);
    // As pruneOutput drops: runs that have output (a quiet run is walked past, not counted).
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*) AS n ${AFTER_MARK(db.s)} AND (octet_length(stdout) > 0 OR octet_length(stderr) > 0)`,
      [mark.at, mark.job_id, mark.number, before],
    );
    return rows[0]?.n ?? 0;
  }
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*) AS n FROM ${db.s}.jobs WHERE ${FINISHED_STATES_SQL} AND state = $1 AND finished_at < $2`,
    [what, before],
  );
  return rows[0]?.n ?? 0;
}
