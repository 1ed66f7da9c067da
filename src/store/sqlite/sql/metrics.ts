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
import { queueRunFigures, type LiveFigures } from "./queue-metrics.js";
import { countJobs, countQueueJobs } from "./read-jobs.js";

type Extreme = Metrics["fastest"];

/**
 * The live runs of every queue. Durations walk attempts_duration (successful runs in the order
 * duration, finish, job id): fastest and slowest are its two ends, a percentile is the row at its
 * nearest rank, found by OFFSET.
 */
function allRunFigures(db: Db, now: number): LiveFigures {
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
          `SELECT count(*) AS n FROM attempts WHERE finished_at > @from AND finished_at <= @now AND outcome = 'completed'`,
        )
        .get({ from: now - ms, now }) as { n: number }
    ).n;
  return {
    completed: runs.completed,
    failed: runs.failed,
    timed: timed.n,
    avg: timed.avg,
    p50: percentile(PERCENTILES.p50),
    p95: percentile(PERCENTILES.p95),
    fastest: extreme("ASC"),
    slowest: extreme("DESC"),
    lastMinute: completedWithin(MINUTE_MS),
    lastHour: completedWithin(HOUR_MS),
  };
}

/** The rollups of pruned runs (see ROLLUP_SIZES), of one queue or of all. */
function rolledUp(db: Db, now: number, queue: string | null): RolledUp & { lastMinute: number; lastHour: number } {
  const ofQueue = queue === null ? "" : "AND queue = @queue";
  const bound = queue === null ? {} : { queue };
  const completedWithin = (ms: number): number =>
    (
      db
        .sql(
          `SELECT coalesce(sum(completed), 0) AS n FROM run_rollups
           WHERE size = @minute AND start > @from AND start <= @now ${ofQueue}`,
        )
        .get({ ...bound, from: now - ms, now, minute: MINUTE_MS }) as { n: number }
    ).n;
  const rolled = db
    .sql(
      `SELECT coalesce(sum(completed), 0) AS completed, coalesce(sum(failed), 0) AS failed,
              coalesce(sum(duration_sum), 0) AS duration_sum FROM run_rollups WHERE size = @hour ${ofQueue}`,
    )
    .get({ ...bound, hour: HOUR_MS }) as RolledUp;
  return { ...rolled, lastMinute: completedWithin(MINUTE_MS), lastHour: completedWithin(HOUR_MS) };
}

/** The figures of core/metrics.ts, of one queue or of all: live runs plus the rollups of pruned ones. */
export function metrics(db: Db, now: number, queue: string | null = null): Metrics {
  const live = queue === null ? allRunFigures(db, now) : queueRunFigures(db, now, queue);
  const rolled = rolledUp(db, now, queue);
  return toMetrics({
    counts: queue === null ? countJobs(db) : countQueueJobs(db, queue),
    completed: live.completed + rolled.completed,
    failed: live.failed + rolled.failed,
    avg: averageWithRollups(live.avg, live.timed, rolled),
    p50: live.p50,
    p95: live.p95,
    fastest: live.fastest,
    slowest: live.slowest,
    lastMinute: live.lastMinute + rolled.lastMinute,
    lastHour: live.lastHour + rolled.lastHour,
  });
}

export function throughput(
  db: Db,
  now: number,
  bucketMs: number,
  buckets: number,
  queue: string | null = null,
): ThroughputPoint[] {
  // One queue: its jobs first (CROSS JOIN keeps that order), each job's runs by its key.
  const [from, ofQueue, ofRolled] =
    queue === null
      ? ["attempts a", "", ""]
      : ["jobs j CROSS JOIN attempts a ON a.job_id = j.id", "AND j.queue = @queue", "AND queue = @queue"];
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
