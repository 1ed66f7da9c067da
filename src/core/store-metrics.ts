import type { AttemptOutcome, Metrics, ThroughputPoint } from "./types.js";

/** How a finished run ended. */
export type FinishedOutcome = Exclude<AttemptOutcome, "running">;

/**
 * Counts kept by the store as runs start and end (never recounted, so reading them costs the same at
 * any size): runs started, finished runs by outcome, and moves of a job to the DLQ.
 */
export interface RunTotals {
  started: number;
  finished: Record<FinishedOutcome, number>;
  dead: number;
}

/** The run totals of one queue (runs recorded before totals were kept per queue count in `default`). */
export interface QueueRunTotals {
  queue: string;
  totals: RunTotals;
}

/** A finished run, for metrics: when it was due, started and ended. */
export interface FinishedAttempt {
  job_id: string;
  number: number;
  outcome: FinishedOutcome;
  started_at: number;
  finished_at: number;
  duration_ms: number;
  /** The job's run_at when this run was claimed (null for runs recorded before that was kept). */
  run_at: number | null;
  created_at: number;
  /** The queue of the run's job. */
  queue: string;
}

/** Where a read of finished runs goes on: after this run, in (finished_at, job_id, number) order. */
export interface FinishedCursor {
  finished_at: number;
  job_id: string;
  number: number;
}

/** The Store's figures: metrics, throughput, run totals and the feed of finished runs. */
export interface MetricsStore {
  /**
   * The figures at `now`, as core/metrics.ts defines them (nearest-rank percentiles, windows ending
   * at now): of the jobs and runs of `queue`, or of every queue when it is absent or null. A queue
   * no job names has zeros.
   */
  metrics(now: number, queue?: string | null): Promise<Metrics>;
  /**
   * `buckets` buckets of `bucketMs` ending at now, oldest first: finished attempts per bucket
   * (core/metrics.ts), of `queue` or of every queue.
   */
  throughput(now: number, bucketMs: number, buckets: number, queue?: string | null): Promise<ThroughputPoint[]>;
  /** The run totals (see RunTotals): a few rows, whatever the number of jobs and attempts. */
  runTotals(): Promise<RunTotals>;
  /** The run totals of each queue that has any, by name; together they are runTotals(). */
  runTotalsByQueue(): Promise<QueueRunTotals[]>;
  /**
   * Runs finished strictly after `after` and at or before `until`, in (finished_at, job_id, number)
   * order, at most `limit`; walks an index, so a page costs the same at any size.
   */
  finishedAttempts(after: FinishedCursor, until: number, limit: number): Promise<FinishedAttempt[]>;
}
