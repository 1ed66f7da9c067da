import { FAILED_OUTCOMES, bucketsStart } from "../../core/metrics.js";
import { JOB_STATES, type Metrics, type StateCounts, type ThroughputPoint } from "../../core/types.js";

/** FAILED_OUTCOMES as an SQL list, for `outcome IN ${FAILED_SQL}` (constant text, no user input). */
export const FAILED_SQL = `(${FAILED_OUTCOMES.map((o) => `'${o}'`).join(", ")})`;

/** The figures each engine reads in SQL, by the definitions of core/metrics.ts. */
export interface MetricFigures {
  counts: StateCounts;
  /** Finished runs that succeeded / failed. */
  completed: number;
  failed: number;
  /** Durations of successful runs (null when there are none). */
  avg: number | null;
  p50: number | null;
  p95: number | null;
  fastest: Metrics["fastest"];
  slowest: Metrics["slowest"];
  /** Successful runs in the last minute and the last hour. */
  lastMinute: number;
  lastHour: number;
}

export function toMetrics(f: MetricFigures): Metrics {
  const finished = f.counts.completed + f.counts.dead;
  return {
    counts: f.counts,
    total_jobs: Object.values(f.counts).reduce((a, b) => a + b, 0),
    attempts_total: f.completed + f.failed,
    attempts_failed: f.failed,
    success_rate: finished === 0 ? null : f.counts.completed / finished,
    duration_ms: { avg: f.avg, p50: f.p50, p95: f.p95 },
    fastest: f.fastest,
    slowest: f.slowest,
    throughput: {
      last_minute: f.lastMinute,
      last_hour: f.lastHour / 60,
      per_second_last_minute: f.lastMinute / 60,
    },
  };
}

/** Jobs per state, every state present (0 for those without a row). */
export function stateCounts(rows: readonly { state: string; n: number }[]): StateCounts {
  const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as StateCounts;
  for (const row of rows) if (row.state in counts) counts[row.state as keyof StateCounts] = row.n;
  return counts;
}

/** Per-bucket sums from SQL over the runs finished in [start, now]: `bucket` = (finished_at - start) / bucketMs. */
export interface BucketRow {
  bucket: number;
  completed: number;
  failed: number;
}

/** Every bucket, oldest first, empty ones at zero; a run finished exactly at now joins the last. */
export function throughputPoints(
  rows: readonly BucketRow[],
  now: number,
  bucketMs: number,
  buckets: number,
): ThroughputPoint[] {
  const start = bucketsStart(now, bucketMs, buckets);
  const points = Array.from({ length: buckets }, (_, i) => ({ at: start + i * bucketMs, completed: 0, failed: 0 }));
  for (const row of rows) {
    const point = points[Math.min(Math.floor(row.bucket), buckets - 1)];
    if (point) {
      point.completed += row.completed;
      point.failed += row.failed;
    }
  }
  return points;
}

/** The sums of every pruned run (from the hourly rollups, the fewer rows). */
export interface RolledUp {
  completed: number;
  failed: number;
  duration_sum: number;
}

/** The average duration of successful runs, live (`count` runs averaging `avg`) and pruned together. */
export function averageWithRollups(avg: number | null, count: number, rolled: RolledUp): number | null {
  if (rolled.completed === 0) return avg;
  const total = count + rolled.completed;
  return total === 0 ? null : ((avg ?? 0) * count + rolled.duration_sum) / total;
}
