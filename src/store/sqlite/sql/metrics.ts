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
import { countJobs, countQueueJobs } from "./read-jobs.js";

type Extreme = Metrics["fastest"];

/**
 * Where the runs of one queue (or of all) are read: all queues walk attempts alone, as before; one
 * queue joins each run to its job for the job's queue. The text is constant: the name is bound.
 */
function scope(queue: string | null) {
  return queue === null
    ? { runs: "attempts a", ofQueue: "", rolled: "" }
    : {
        runs: "attempts a JOIN jobs j ON j.id = a.job_id",
        ofQueue: "AND j.queue = @queue",
        rolled: "AND queue = @queue",
      };
}

/**
 * The figures of core/metrics.ts, of one queue or of all. Durations walk attempts_duration
 * (successful runs in the order duration, finish, job id): fastest and slowest are its two ends, a
 * percentile is the row at its nearest rank, found by OFFSET. Runs of pruned jobs come from
 * run_rollups (see ROLLUP_SIZES).
 */
export function metrics(db: Db, now: number, queue: string | null = null): Metrics {
  const { runs: from, ofQueue, rolled: ofRolled } = scope(queue);
  const bound = queue === null ? {} : { queue };
  const runs = db
    .sql(
      `SELECT coalesce(sum(a.outcome = 'completed'), 0) AS completed, coalesce(sum(a.outcome IN ${FAILED_SQL}), 0) AS failed
       FROM ${from} WHERE a.finished_at IS NOT NULL ${ofQueue}`,
    )
    .get(bound) as { completed: number; failed: number };
  const timed = db
    .sql(`SELECT count(*) AS n, avg(a.duration_ms) AS avg FROM ${from} WHERE a.outcome = 'completed' ${ofQueue}`)
    .get(bound) as { n: number; avg: number | null };
  const percentile = (fraction: number): number | null => {
    if (timed.n === 0) return null;
    const row = db
      .sql(
        `SELECT a.duration_ms AS d FROM ${from} WHERE a.outcome = 'completed' ${ofQueue}
         ORDER BY a.duration_ms LIMIT 1 OFFSET @offset`,
      )
      .get({ ...bound, offset: nearestRank(fraction, timed.n) - 1 }) as { d: number };
    return row.d;
  };
  const extreme = (order: "ASC" | "DESC"): Extreme =>
    (db
      .sql(
        `SELECT a.job_id, a.duration_ms FROM ${from} WHERE a.outcome = 'completed' ${ofQueue}
         ORDER BY a.duration_ms ${order}, a.finished_at ${order}, a.job_id ${order} LIMIT 1`,
      )
      .get(bound) as Extreme | undefined) ?? null;
  const completedWithin = (ms: number): number =>
    (
      db
        .sql(
          `SELECT (SELECT count(*) FROM ${from} WHERE a.finished_at > @from AND a.finished_at <= @now AND a.outcome = 'completed' ${ofQueue})
                + (SELECT coalesce(sum(completed), 0) FROM run_rollups
                   WHERE size = @minute AND start > @from AND start <= @now ${ofRolled}) AS n`,
        )
        .get({ ...bound, from: now - ms, now, minute: MINUTE_MS }) as { n: number }
    ).n;
  const rolled = db
    .sql(
      `SELECT coalesce(sum(completed), 0) AS completed, coalesce(sum(failed), 0) AS failed,
              coalesce(sum(duration_sum), 0) AS duration_sum FROM run_rollups WHERE size = @hour ${ofRolled}`,
    )
    .get({ ...bound, hour: HOUR_MS }) as RolledUp;
  return toMetrics({
    counts: queue === null ? countJobs(db) : countQueueJobs(db, queue),
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

export function throughput(
  db: Db,
  now: number,
  bucketMs: number,
  buckets: number,
  queue: string | null = null,
): ThroughputPoint[] {
  const { runs: from, ofQueue, rolled: ofRolled } = scope(queue);
  const rows = db
    .sql(
      `SELECT (a.finished_at - @start) / @bucket AS bucket,
              sum(a.outcome = 'completed') AS completed, sum(a.outcome IN ${FAILED_SQL}) AS failed
       FROM ${from} WHERE a.finished_at >= @start AND a.finished_at <= @now ${ofQueue}
       GROUP BY bucket
       UNION ALL
       SELECT (start - @start) / @bucket, sum(completed), sum(failed)
       FROM run_rollups WHERE size = @size AND start >= @start AND start <= @now ${ofRolled}
       GROUP BY 1`,
    )
    .all({
      ...(queue === null ? {} : { queue }),
      start: bucketsStart(now, bucketMs, buckets),
      bucket: bucketMs,
      now,
      size: rollupSizeFor(bucketMs),
    }) as BucketRow[];
  return throughputPoints(rows, now, bucketMs, buckets);
}
