import type { AttemptOutcome } from "./types.js";

/**
 * The definitions behind Metrics and ThroughputPoint, one for both engines (each computes the raw
 * figures in SQL; src/store/shared/metrics.ts assembles them).
 *
 * - A finished run succeeded (outcome completed) or failed (FAILED_OUTCOMES). An interrupted run
 *   (`worker stop --now`) or a cancelled one (`job cancel`) is neither and is not counted; a running
 *   one is not finished. A cancelled job is not in the success rate either.
 * - Durations (avg, percentiles, fastest, slowest) are over successful runs: a timeout or a crash
 *   says nothing about how long the work takes. Runs are ordered by (duration, finish time, job
 *   id): fastest is the first, slowest the last (of equally slow runs, the one finished last).
 * - Percentiles are nearest rank (see nearestRank): always a duration that occurred.
 * - A window of `ms` at `now` holds the runs finished in (now - ms, now].
 */
export const FAILED_OUTCOMES = [
  "failed",
  "timeout",
  "start_error",
  "lost",
] as const satisfies readonly AttemptOutcome[];

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

export const PERCENTILES = { p50: 0.5, p95: 0.95 } as const;

/**
 * The 1-based rank of the `fraction` percentile among `count` sorted values: ceil(fraction × count),
 * at least 1 (nearest rank). It is PostgreSQL's percentile_disc, double arithmetic included, so an
 * engine may compute it in SQL that way or read the value at this rank. With 10, 20, 30, 40 ms:
 * p50 = 20, p95 = 40.
 */
export function nearestRank(fraction: number, count: number): number {
  return Math.min(count, Math.max(1, Math.ceil(fraction * count)));
}

/**
 * Throughput buckets: `buckets` of `bucketMs` ending at now, oldest first. Bucket i covers
 * [start + i × bucketMs, start + (i + 1) × bucketMs) with start = now - buckets × bucketMs; a run
 * finished exactly at now counts in the last one.
 */
export function bucketsStart(now: number, bucketMs: number, buckets: number): number {
  return now - buckets * bucketMs;
}

/**
 * Runs of pruned jobs are kept as sums per minute and per hour (completed, failed, duration sum of
 * the completed), placed by the start of the minute or hour they finished in. Counts, the average
 * and throughput add these sums to the live rows; percentiles, fastest and slowest are over the live
 * rows only (a sum cannot give them back).
 */
export const ROLLUP_SIZES = [MINUTE_MS, HOUR_MS] as const;

/** The rollup a throughput bucket of `bucketMs` reads: hours for buckets of whole hours, else minutes. */
export function rollupSizeFor(bucketMs: number): number {
  return bucketMs >= HOUR_MS && bucketMs % HOUR_MS === 0 ? HOUR_MS : MINUTE_MS;
}
