import { HOUR_MS, MINUTE_MS, PERCENTILES, bucketsStart, rollupSizeFor } from "../../../core/metrics.js";
import type { Metrics, ThroughputPoint } from "../../../core/types.js";
import {
  FAILED_SQL,
  averageWithRollups,
  throughputPoints,
  toMetrics,
  type BucketRow,
  type RolledUp,
} from "../../shared/metrics.js";
import type { Db } from "../db.js";
import { countJobs, countQueueJobs } from "./read-jobs.js";

/**
 * Where the runs of one queue (or of all) are read: all queues read attempts alone, as before; one
 * queue joins each run to its job for the job's queue, bound as parameter `$n`.
 */
function scope(s: string, queue: string | null, n: number) {
  return queue === null
    ? { runs: `${s}.attempts a`, ofQueue: "", rolled: "" }
    : {
        runs: `${s}.attempts a JOIN ${s}.jobs j ON j.id = a.job_id`,
        ofQueue: `AND j.queue = $${n}`,
        rolled: `AND queue = $${n}`,
      };
}

/**
 * The figures of core/metrics.ts in a few statements, of one queue or of all. percentile_disc is
 * the nearest rank of core/metrics.ts (nearestRank), computed by the server. Runs of pruned jobs
 * come from run_rollups (see ROLLUP_SIZES).
 */
export async function metrics(db: Db, now: number, queue: string | null = null): Promise<Metrics> {
  // Statements that bind now ($1) and the queue ($2), and the one that binds only the queue ($1).
  const { runs: from, ofQueue, rolled: ofRolled } = scope(db.s, queue, 2);
  const withNow = queue === null ? [now] : [now, queue];
  const { runs: fromAlone, ofQueue: ofQueueAlone } = scope(db.s, queue, 1);
  const queueAlone = queue === null ? [] : [queue];
  const [counts, stats, extremes, rolled] = await Promise.all([
    queue === null ? countJobs(db) : countQueueJobs(db, queue),
    db.query<{
      completed: number;
      failed: number;
      avg: number | null;
      p50: number | null;
      p95: number | null;
      last_minute: number;
      last_hour: number;
    }>(
      `SELECT count(*) FILTER (WHERE a.outcome = 'completed') AS completed,
              count(*) FILTER (WHERE a.outcome IN ${FAILED_SQL}) AS failed,
              avg(a.duration_ms) FILTER (WHERE a.outcome = 'completed')::float8 AS avg,
              percentile_disc(${PERCENTILES.p50}) WITHIN GROUP (ORDER BY a.duration_ms) FILTER (WHERE a.outcome = 'completed') AS p50,
              percentile_disc(${PERCENTILES.p95}) WITHIN GROUP (ORDER BY a.duration_ms) FILTER (WHERE a.outcome = 'completed') AS p95,
              count(*) FILTER (WHERE a.outcome = 'completed' AND a.finished_at > $1::bigint - ${MINUTE_MS} AND a.finished_at <= $1) AS last_minute,
              count(*) FILTER (WHERE a.outcome = 'completed' AND a.finished_at > $1::bigint - ${HOUR_MS} AND a.finished_at <= $1) AS last_hour
       FROM ${from} WHERE true ${ofQueue}`,
      withNow,
    ),
    db.query<{ which: "fastest" | "slowest"; job_id: string; duration_ms: number }>(
      `(SELECT 'fastest' AS which, a.job_id, a.duration_ms FROM ${fromAlone}
         WHERE a.outcome = 'completed' ${ofQueueAlone} ORDER BY a.duration_ms, a.finished_at, a.job_id LIMIT 1)
       UNION ALL
       (SELECT 'slowest', a.job_id, a.duration_ms FROM ${fromAlone}
         WHERE a.outcome = 'completed' ${ofQueueAlone} ORDER BY a.duration_ms DESC, a.finished_at DESC, a.job_id DESC LIMIT 1)`,
      queueAlone,
    ),
    db.query<RolledUp & { last_minute: number; last_hour: number }>(
      `SELECT coalesce(sum(completed) FILTER (WHERE size = ${HOUR_MS}), 0)::bigint AS completed,
              coalesce(sum(failed) FILTER (WHERE size = ${HOUR_MS}), 0)::bigint AS failed,
              coalesce(sum(duration_sum) FILTER (WHERE size = ${HOUR_MS}), 0)::bigint AS duration_sum,
              coalesce(sum(completed) FILTER (WHERE size = ${MINUTE_MS} AND start > $1::bigint - ${MINUTE_MS}), 0)::bigint AS last_minute,
              coalesce(sum(completed) FILTER (WHERE size = ${MINUTE_MS} AND start > $1::bigint - ${HOUR_MS}), 0)::bigint AS last_hour
       FROM ${db.s}.run_rollups
       WHERE (size = ${HOUR_MS} OR (size = ${MINUTE_MS} AND start > $1::bigint - ${HOUR_MS} AND start <= $1)) ${ofRolled}`,
      withNow,
    ),
  ]);
  const pruned = rolled.rows[0] ?? { completed: 0, failed: 0, duration_sum: 0, last_minute: 0, last_hour: 0 };
  const row = stats.rows[0];
  const pick = (which: "fastest" | "slowest") => {
    const found = extremes.rows.find((r) => r.which === which);
    return found ? { job_id: found.job_id, duration_ms: found.duration_ms } : null;
  };
  return toMetrics({
    counts,
    completed: (row?.completed ?? 0) + pruned.completed,
    failed: (row?.failed ?? 0) + pruned.failed,
    avg: averageWithRollups(row?.avg ?? null, row?.completed ?? 0, pruned),
    p50: row?.p50 ?? null,
    p95: row?.p95 ?? null,
    fastest: pick("fastest"),
    slowest: pick("slowest"),
    lastMinute: (row?.last_minute ?? 0) + pruned.last_minute,
    lastHour: (row?.last_hour ?? 0) + pruned.last_hour,
  });
}

export async function throughput(
  db: Db,
  now: number,
  bucketMs: number,
  buckets: number,
  queue: string | null = null,
): Promise<ThroughputPoint[]> {
  const { runs: from, ofQueue, rolled: ofRolled } = scope(db.s, queue, 5);
  const { rows } = await db.query<BucketRow>(
    `SELECT (a.finished_at - $1::bigint) / $2::bigint AS bucket,
            count(*) FILTER (WHERE a.outcome = 'completed') AS completed,
            count(*) FILTER (WHERE a.outcome IN ${FAILED_SQL}) AS failed
     FROM ${from}
     WHERE a.finished_at >= $1 AND a.finished_at <= $3 ${ofQueue}
     GROUP BY 1
     UNION ALL
     SELECT (start - $1::bigint) / $2::bigint, sum(completed)::bigint, sum(failed)::bigint
     FROM ${db.s}.run_rollups WHERE size = $4 AND start >= $1 AND start <= $3 ${ofRolled}
     GROUP BY 1`,
    [bucketsStart(now, bucketMs, buckets), bucketMs, now, rollupSizeFor(bucketMs), ...(queue === null ? [] : [queue])],
  );
  return throughputPoints(rows, now, bucketMs, buckets);
}
