/** The nouns of queuectl, shared by the core, both stores, the worker and every face. */

export const JOB_STATES = ["pending", "processing", "completed", "failed", "dead", "cancelled"] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * What a list can be filtered by: a stored state (`pending` takes in the blocked and scheduled
 * ones, as the `state` field says), or `blocked`: pending jobs waiting for their `after` jobs.
 */
export const LIST_STATES = [...JOB_STATES, "blocked"] as const;
export type ListState = (typeof LIST_STATES)[number];

/** A job as stored. Times are epoch milliseconds inside; faces render them as ISO 8601. */
export interface Job {
  id: string;
  /** Monotonic insertion number: the FIFO tie-breaker within one millisecond. */
  seq: number;
  command: string;
  state: JobState;
  priority: number;
  /** Runs counted against max_retries (a run interrupted by `worker stop --now` is not counted). */
  attempts: number;
  max_retries: number;
  /**
   * Seconds, 0 = none; decided at enqueue. null only in a job an older version wrote: the
   * job-timeout setting applies to it (runTimeoutMs).
   */
  timeout: number | null;
  run_at: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  exit_code: number | null;
  duration_ms: number | null;
  last_error: string | null;
  /** The worker holding the job while it is `processing`. */
  worker_id: string | null;
  lease_until: number | null;
  /** The named queue the job belongs to (core/queues.ts). */
  queue: string;
  /**
   * Set while a running job is being cancelled (`job cancel`): the signal its process group gets
   * first, and the milliseconds before SIGKILL follows. null otherwise.
   */
  cancel_signal: string | null;
  cancel_grace_ms: number | null;
  /** Absolute directory the command runs in; null = the worker's. */
  cwd: string | null;
  /** Variables added to the worker's environment for the command; null = none. */
  env: Record<string, string> | null;
  /** The cron schedule that made this job (its name), or null. */
  schedule: string | null;
  /** Unique among active jobs (pending, failed awaiting retry, processing); null = none. */
  key: string | null;
  /** Exit codes that send the job to dead at once instead of retrying it (core/retry.ts). */
  no_retry_exit_codes: number[];
  /** Ids of the jobs this one waits for (core/dependencies.ts), as given at enqueue. */
  after: string[];
  /** How many of them have not completed yet: blocked while > 0 and pending. */
  waiting_on: number;
  /** While blocked: the job's own run_at (run_at holds BLOCKED_RUN_AT, so no claim sees it). */
  own_run_at: number | null;
}

/** What enqueue does when an active job already has the new job's key (see core/unique-key.ts). */
export type OnConflict = "skip" | "replace" | "error";

/** A fully validated new job, ready for the store (defaults already applied). */
export interface NewJob {
  id: string;
  command: string;
  priority: number;
  max_retries: number;
  /** Seconds, 0 = none (toNewJob always decides it; null is what older versions wrote). */
  timeout: number | null;
  run_at: number;
  created_at: number;
  /** Absent: the default queue (core/queues.ts). */
  queue?: string;
  /** Absent = null: the worker's directory. */
  cwd?: string | null;
  /** Absent = null: nothing added. */
  env?: Record<string, string> | null;
  /** Set by a cron schedule: its name, and the slot (epoch ms) for a slot's job (null: `schedule run`). */
  schedule?: string | null;
  schedule_slot?: number | null;
  /** Absent = null: no key. */
  key?: string | null;
  /** Absent = "skip". Used at insert only; not stored. */
  on_conflict?: OnConflict;
  /** Absent = []. */
  no_retry_exit_codes?: number[];
  /** Absent = []: ids of existing jobs (or earlier jobs of the same batch) to wait for. */
  after?: string[];
}

/** What insertJobs did with one new job: inserted it, or found (and maybe replaced) an active job with its key. */
export interface InsertedJob {
  /** The new job's id, or the id of the active job that holds its key. */
  id: string;
  /** True when `id` is an existing job (on_conflict skip, or replace of a job that had not started). */
  existing: boolean;
}

export type AttemptOutcome =
  | "running"
  | "completed"
  | "failed" // non-zero exit or death by signal
  | "timeout"
  | "start_error" // the command could not be started
  | "lost" // the worker vanished; recovered after its lease expired
  | "interrupted" // `worker stop --now`: not counted against max_retries
  | "cancelled"; // stopped by `job cancel`: the job ends cancelled, no retry

export type OutputStream = "stdout" | "stderr";

/** One run of a job. Output is kept as bytes: it may be binary or invalid UTF-8. */
export interface Attempt {
  job_id: string;
  /** 1, 2, 3, … over the whole life of the job (dlq retry keeps counting). */
  number: number;
  worker_id: string | null;
  outcome: AttemptOutcome;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  /** Bytes the command wrote, before any cut. */
  stdout_bytes: number;
  stderr_bytes: number;
}

export interface AttemptOutput {
  /** The stored bytes: all of them, or head + cut marker + tail. */
  data: Buffer;
  /** Bytes the command wrote in total. */
  total_bytes: number;
  truncated: boolean;
  /** Dropped by retention-output (read only; absent or false while the output is kept). */
  pruned?: boolean;
}

/** A job handed to a worker by a claim. */
export interface ClaimedJob {
  job: Job;
  /** The attempt number created for this run. */
  attempt: number;
}

/** What a worker reports when a run ends. */
export interface RunResult {
  job_id: string;
  attempt: number;
  worker_id: string;
  outcome: Exclude<AttemptOutcome, "running">;
  finished_at: number;
  duration_ms: number;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  stdout: AttemptOutput;
  stderr: AttemptOutput;
}

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  slots: number;
  started_at: number;
  heartbeat_at: number;
  /** null = running; "drain" = finish running jobs then exit; "now" = stop at once. */
  stop_requested: "drain" | "now" | null;
  /** Ids of the jobs this worker holds now. */
  running: string[];
  /** The queues it serves; null = all. */
  queues: string[] | null;
}

export interface JobFilter {
  state?: ListState;
  /** Substring of the id or the command. */
  q?: string;
  limit: number;
  /** Opaque: the `next_cursor` of the previous page. */
  cursor?: string;
  queue?: string;
}

export interface JobPage {
  jobs: Job[];
  next_cursor: string | null;
}

export type StateCounts = Record<JobState, number>;

/** The figures of `metrics`, by the definitions of core/metrics.ts (the same on both engines). */
export interface Metrics {
  counts: StateCounts;
  total_jobs: number;
  /** Finished runs that succeeded or failed (an interrupted run is neither), and the failed ones. */
  attempts_total: number;
  attempts_failed: number;
  /** completed / (completed + dead), null when nothing has finished. */
  success_rate: number | null;
  /** Over successful runs; p50 and p95 are nearest rank (a duration that occurred, not interpolated). */
  duration_ms: { avg: number | null; p50: number | null; p95: number | null };
  fastest: { job_id: string; duration_ms: number } | null;
  slowest: { job_id: string; duration_ms: number } | null;
  /** Successful runs per minute, averaged over the last minute / the last hour; and per second over the last minute. */
  throughput: { last_minute: number; last_hour: number; per_second_last_minute: number };
}

/** Completed runs per time bucket, for the dashboard's chart. */
export interface ThroughputPoint {
  at: number;
  completed: number;
  failed: number;
}
