import { HOUR_MS, MINUTE_MS, PERCENTILES, nearestRank } from "../../../core/metrics.js";
import { FAILED_SQL, type MetricFigures } from "../../shared/metrics.js";
import type { Db } from "../db.js";

/** The figures of the live runs (not yet pruned), before the rollups are added; `timed`: successful runs. */
export type LiveFigures = Omit<MetricFigures, "counts"> & { timed: number };

/**
 * One queue's jobs and, for each, its runs by their key. CROSS JOIN keeps that order: driven from
 * attempts_duration instead, SQLite looked each run's job up by id (twice as slow, 200k runs).
 */
const QUEUE_RUNS = `jobs j CROSS JOIN attempts a ON a.job_id = j.id WHERE j.queue = @queue`;

/**
 * The live runs of one queue in two passes over them (attempts keep no queue: each run is found
 * through its job). The first sums; the second ranks the successful runs in the order duration,
 * finish, job id and reads the ranks it needs: fastest (first), the percentiles (nearest rank of
 * the duration: ties share a duration, so the tie order does not change it) and slowest (last).
 */
export function queueRunFigures(db: Db, now: number, queue: string): LiveFigures {
  const sums = db
    .sql(
      `SELECT coalesce(sum(a.outcome = 'completed'), 0) AS completed,
              coalesce(sum(a.outcome IN ${FAILED_SQL}), 0) AS failed,
              avg(iif(a.outcome = 'completed', a.duration_ms, NULL)) AS avg,
              coalesce(sum(a.outcome = 'completed' AND a.finished_at > @minute AND a.finished_at <= @now), 0) AS last_minute,
              coalesce(sum(a.outcome = 'completed' AND a.finished_at > @hour AND a.finished_at <= @now), 0) AS last_hour
       FROM ${QUEUE_RUNS} AND a.finished_at IS NOT NULL`,
    )
    .get({ queue, now, minute: now - MINUTE_MS, hour: now - HOUR_MS }) as {
    completed: number;
    failed: number;
    avg: number | null;
    last_minute: number;
    last_hour: number;
  };
  const n = sums.completed;
  const figures: LiveFigures = {
    completed: sums.completed,
    failed: sums.failed,
    timed: n,
    avg: sums.avg,
    p50: null,
    p95: null,
    fastest: null,
    slowest: null,
    lastMinute: sums.last_minute,
    lastHour: sums.last_hour,
  };
  if (n === 0) return figures;
  const ranks = { p50: nearestRank(PERCENTILES.p50, n), p95: nearestRank(PERCENTILES.p95, n) };
  const rows = db
    .sql(
      `SELECT r, job_id, d FROM (
         SELECT row_number() OVER (ORDER BY a.duration_ms, a.finished_at, a.job_id) AS r, a.job_id, a.duration_ms AS d
         FROM ${QUEUE_RUNS} AND a.outcome = 'completed')
       WHERE r IN (1, @p50, @p95, @n)`,
    )
    .all({ queue, n, ...ranks }) as { r: number; job_id: string; d: number }[];
  const at = (rank: number) => rows.find((row) => row.r === rank);
  const extreme = (rank: number) => {
    const row = at(rank);
    return row ? { job_id: row.job_id, duration_ms: row.d } : null;
  };
  return {
    ...figures,
    p50: at(ranks.p50)?.d ?? null,
    p95: at(ranks.p95)?.d ?? null,
    fastest: extreme(1),
    slowest: extreme(n),
  };
}
