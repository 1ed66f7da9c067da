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
import { countJobs } from "./read-jobs.js";

/**
 * The figures of core/metrics.ts in two statements. percentile_disc is the nearest rank of
 * core/metrics.ts (nearestRank), computed by the server. Runs of pruned jobs come from run_rollups
 * (see ROLLUP_SIZES).
 */
export async function metrics(db: Db, now: number): Promise<Metrics> {
  const { s } = db;
  const [counts, stats, extremes, rolled] = await Promise.all([
    countJobs(db),
    db.query<{
      completed: number;
      failed: number;
      avg: number | null;
      p50: number | null;
      p95: number | null;
      last_minute: number;
      last_hour: number;
    }>(
      `SELECT count(*) FILTER (WHERE outcome = 'completed') AS completed,
              count(*) FILTER (WHERE outcome IN ${FAILED_SQL}) AS failed,
              avg(duration_ms) FILTER (WHERE outcome = 'completed')::float8 AS avg,
              percentile_disc(${PERCENTILES.p50}) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE outcome = 'completed') AS p50,
              percentile_disc(${PERCENTILES.p95}) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE outcome = 'completed') AS p95,
              count(*) FILTER (WHERE outcome = 'completed' AND finished_at > $1::bigint - ${MINUTE_MS} AND finished_at <= $1) AS last_minute,
              count(*) FILTER (WHERE outcome = 'completed' AND finished_at > $1::bigint - ${HOUR_MS} AND finished_at <= $1) AS last_hour
       FROM ${s}.attempts`,
      [now],
    ),
    db.query<{ which: "fastest" | "slowest"; job_id: string; duration_ms: number }>(
      `(SELECT 'fastest' AS which, job_id, duration_ms FROM ${s}.attempts
         WHERE outcome = 'completed' ORDER BY duration_ms, finished_at, job_id LIMIT 1)
       UNION ALL
       (SELECT 'slowest', job_id, duration_ms FROM ${s}.attempts
         WHERE outcome = 'completed' ORDER BY duration_ms DESC, finished_at DESC, job_id DESC LIMIT 1)`,
    ),
    db.query<RolledUp & { last_minute: number; last_hour: number }>(
      `SELECT coalesce(sum(completed) FILTER (WHERE size = ${HOUR_MS}), 0)::bigint AS completed,
              coalesce(sum(failed) FILTER (WHERE size = ${HOUR_MS}), 0)::bigint AS failed,
              coalesce(sum(duration_sum) FILTER (WHERE size = ${HOUR_MS}), 0)::bigint AS duration_sum,
              coalesce(sum(completed) FILTER (WHERE size = ${MINUTE_MS} AND start > $1::bigint - ${MINUTE_MS}), 0)::bigint AS last_minute,
              coalesce(sum(completed) FILTER (WHERE size = ${MINUTE_MS} AND start > $1::bigint - ${HOUR_MS}), 0)::bigint AS last_hour
       FROM ${s}.run_rollups WHERE size = ${HOUR_MS} OR (size = ${MINUTE_MS} AND start > $1::bigint - ${HOUR_MS} AND start <= $1)`,
      [now],
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

export async function throughput(db: Db, now: number, bucketMs: number, buckets: number): Promise<ThroughputPoint[]> {
  const { rows } = await db.query<BucketRow>(
    `SELECT (finished_at - $1::bigint) / $2::bigint AS bucket,
            count(*) FILTER (WHERE outcome = 'completed') AS completed,
            count(*) FILTER (WHERE outcome IN ${FAILED_SQL}) AS failed
     FROM ${db.s}.attempts
     WHERE finished_at >= $1 AND finished_at <= $3
     GROUP BY 1
     UNION ALL
     SELECT (start - $1::bigint) / $2::bigint, sum(completed)::bigint, sum(failed)::bigint
     FROM ${db.s}.run_rollups WHERE size = $4 AND start >= $1 AND start <= $3
     GROUP BY 1`,
    [bucketsStart(now, bucketMs, buckets), bucketMs, now, rollupSizeFor(bucketMs)],
  );
  return throughputPoints(rows, now, bucketMs, buckets);
}
