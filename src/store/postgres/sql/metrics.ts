import type { Metrics, ThroughputPoint } from "../../../core/types.js";
import type { Db } from "../db.js";
import { countJobs } from "./read-jobs.js";

/** Outcomes that count as a failed run (interrupted runs are neither success nor failure). */
const FAILED = `('failed', 'timeout', 'start_error', 'lost')`;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Durations, fastest and slowest are over successful runs (attempts with outcome completed);
 * throughput counts successful runs: last_minute per minute, last_hour averaged per minute.
 */
export async function metrics(db: Db, now: number): Promise<Metrics> {
  const { s } = db;
  const [counts, stats, extremes] = await Promise.all([
    countJobs(db),
    db.query<{
      attempts_total: number;
      attempts_failed: number;
      avg: number | null;
      p50: number | null;
      p95: number | null;
      last_minute: number;
      last_hour: number;
    }>(
      `SELECT count(*) FILTER (WHERE outcome <> 'running') AS attempts_total,
              count(*) FILTER (WHERE outcome IN ${FAILED}) AS attempts_failed,
              avg(duration_ms) FILTER (WHERE outcome = 'completed')::float8 AS avg,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE outcome = 'completed') AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE outcome = 'completed') AS p95,
              count(*) FILTER (WHERE outcome = 'completed' AND finished_at > $1::bigint - ${MINUTE} AND finished_at <= $1) AS last_minute,
              count(*) FILTER (WHERE outcome = 'completed' AND finished_at > $1::bigint - ${HOUR} AND finished_at <= $1) AS last_hour
       FROM ${s}.attempts`,
      [now],
    ),
    db.query<{ which: "fastest" | "slowest"; job_id: string; duration_ms: number }>(
      `(SELECT 'fastest' AS which, job_id, duration_ms FROM ${s}.attempts
         WHERE outcome = 'completed' ORDER BY duration_ms, finished_at, job_id LIMIT 1)
       UNION ALL
       (SELECT 'slowest', job_id, duration_ms FROM ${s}.attempts
         WHERE outcome = 'completed' ORDER BY duration_ms DESC, finished_at, job_id LIMIT 1)`,
    ),
  ]);
  const row = stats.rows[0];
  const pick = (which: "fastest" | "slowest") => {
    const found = extremes.rows.find((r) => r.which === which);
    return found ? { job_id: found.job_id, duration_ms: found.duration_ms } : null;
  };
  const finished = counts.completed + counts.dead;
  const lastMinute = row?.last_minute ?? 0;
  return {
    counts,
    total_jobs: Object.values(counts).reduce((a, b) => a + b, 0),
    attempts_total: row?.attempts_total ?? 0,
    attempts_failed: row?.attempts_failed ?? 0,
    success_rate: finished > 0 ? counts.completed / finished : null,
    duration_ms: { avg: row?.avg ?? null, p50: row?.p50 ?? null, p95: row?.p95 ?? null },
    fastest: pick("fastest"),
    slowest: pick("slowest"),
    throughput: {
      last_minute: lastMinute,
      last_hour: (row?.last_hour ?? 0) / 60,
      per_second_last_minute: lastMinute / 60,
    },
  };
}

/**
 * `buckets` buckets of `bucketMs` ending at now, oldest first. Bucket i starts at
 * now - (buckets - i) * bucketMs (that start is its `at`) and covers [at, at + bucketMs); an
 * attempt finished exactly at `now` counts in the last bucket.
 */
export async function throughput(db: Db, now: number, bucketMs: number, buckets: number): Promise<ThroughputPoint[]> {
  const start = now - buckets * bucketMs;
  const { rows } = await db.query<{ bucket: number; completed: number; failed: number }>(
    `SELECT least(((finished_at - $1::bigint) / $2::bigint)::int, $3::int - 1) AS bucket,
            count(*) FILTER (WHERE outcome = 'completed') AS completed,
            count(*) FILTER (WHERE outcome IN ${FAILED}) AS failed
     FROM ${db.s}.attempts
     WHERE finished_at >= $1 AND finished_at <= $4
     GROUP BY 1`,
    [start, bucketMs, buckets, now],
  );
  const points: ThroughputPoint[] = Array.from({ length: buckets }, (_, i) => ({
    at: start + i * bucketMs,
    completed: 0,
    failed: 0,
  }));
  for (const row of rows) {
    const point = points[row.bucket];
    if (point) {
      point.completed = row.completed;
      point.failed = row.failed;
    }
  }
  return points;
}
