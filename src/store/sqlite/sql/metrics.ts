import { HOUR_MS, MINUTE_MS, PERCENTILES, bucketsStart, nearestRank, rollupSizeFor } from "../../../core/metrics.js";
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

type Extreme = Metrics["fastest"];

/**
 * The figures of core/metrics.ts. Durations walk attempts_duration (successful runs in the order
 * duration, finish, job id): fastest and slowest are its two ends, a percentile is the row at its
 * nearest rank, found by OFFSET. Runs of pruned jobs come from run_rollups (see ROLLUP_SIZES).
 */
export function metrics(db: Db, now: number): Metrics {
  const runs = db
    .sql(
      `SELECT coalesce(sum(outcome = 'completed'), 0) AS completed, coalesce(sum(outcome IN ${FAILED_SQL}), 0) AS failed
       FROM attempts WHERE finished_at IS NOT NULL`,
    )
    .get() as { completed: number; failed: number };
  const timed = db
    .sql(`SELECT count(*) AS n, avg(duration_ms) AS avg FROM attempts WHERE outcome = 'completed'`)
    .get() as { n: number; avg: number | null };
  const percentile = (fraction: number): number | null => {
    if (timed.n === 0) return null;
    const row = db
      .sql(`SELECT duration_ms AS d FROM attempts WHERE outcome = 'completed' ORDER BY duration_ms LIMIT 1 OFFSET ?`)
      .get(nearestRank(fraction, timed.n) - 1) as { d: number };
    return row.d;
  };
  const extreme = (order: "ASC" | "DESC"): Extreme =>
    (db
      .sql(
        `SELECT job_id, duration_ms FROM attempts WHERE outcome = 'completed'
         ORDER BY duration_ms ${order}, finished_at ${order}, job_id ${order} LIMIT 1`,
      )
      .get() as Extreme | undefined) ?? null;
  const completedWithin = (ms: number): number =>
    (
      db
        .sql(
          `SELECT (SELECT count(*) FROM attempts WHERE finished_at > @from AND finished_at <= @now AND outcome = 'completed')
                + (SELECT coalesce(sum(completed), 0) FROM run_rollups WHERE size = @minute AND start > @from AND start <= @now) AS n`,
        )
        .get({ from: now - ms, now, minute: MINUTE_MS }) as { n: number }
    ).n;
  const rolled = db
    .sql(
      `SELECT coalesce(sum(completed), 0) AS completed, coalesce(sum(failed), 0) AS failed,
              coalesce(sum(duration_sum), 0) AS duration_sum FROM run_rollups WHERE size = ?`,
    )
    .get(HOUR_MS) as RolledUp;
  return toMetrics({
    counts: countJobs(db),
    completed: runs.completed + rolled.completed,
    failed: runs.failed + rolled.failed,
    avg: averageWithRollups(timed.avg, timed.n, rolled),
    p50: percentile(PERCENTILES.p50),
    p95: percentile(PERCENTILES.p95),
    fastest: extreme("ASC"),
    slowest: extreme("DESC"),
    lastMinute: completedWithin(MINUTE_MS),
    lastHour: completedWithin(HOUR_MS),
  });
}

export function throughput(db: Db, now: number, bucketMs: number, buckets: number): ThroughputPoint[] {
  const rows = db
    .sql(
      `SELECT (finished_at - @start) / @bucket AS bucket,
              sum(outcome = 'completed') AS completed, sum(outcome IN ${FAILED_SQL}) AS failed
       FROM attempts WHERE finished_at >= @start AND finished_at <= @now
       GROUP BY bucket
       UNION ALL
       SELECT (start - @start) / @bucket, sum(completed), sum(failed)
       FROM run_rollups WHERE size = @size AND start >= @start AND start <= @now
       GROUP BY 1`,
    )
    .all({
      start: bucketsStart(now, bucketMs, buckets),
      bucket: bucketMs,
      now,
      size: rollupSizeFor(bucketMs),
    }) as BucketRow[];
  return throughputPoints(rows, now, bucketMs, buckets);
}
