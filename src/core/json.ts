import { CONFIG_DEFAULTS, CONFIG_HELP, type Config } from "./config.js";
import { blockedReason, type JobLink, type JobLinks } from "./dependencies.js";
import { isBlocked, isScheduled } from "./job-state.js";
import type { ListedJob } from "./listing.js";
import type { QueueInfo } from "./queues.js";
import type { QueueStatus } from "./status.js";
import type { Attempt, AttemptOutput, Job, Metrics, OutputStream, ThroughputPoint, WorkerInfo } from "./types.js";
import { workerStatus } from "./workers.js";

/**
 * What every face prints with --json and the API sends: snake_case, times as ISO 8601 UTC, absent
 * values as null.
 */
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export interface JobJson {
  id: string;
  command: string;
  /** True in list views when `command` is only its first LIST_COMMAND_CHARS characters. */
  command_truncated: boolean;
  state: Job["state"];
  /** True while a pending or failed job waits for its run_at. */
  scheduled: boolean;
  priority: number;
  attempts: number;
  max_retries: number;
  timeout: number | null;
  run_at: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  exit_code: number | null;
  duration_ms: number | null;
  last_error: string | null;
  worker_id: string | null;
  queue: string;
  /** Set while a running job is being cancelled: the signal sent and the grace before SIGKILL. */
  cancel_requested: { signal: string; grace_ms: number } | null;
  cwd: string | null;
  env: Record<string, string> | null;
  /** The cron schedule that made the job, or null. */
  schedule: string | null;
  key: string | null;
  no_retry_exit_codes: number[];
  /** The jobs this one waits for, as given at enqueue. */
  after: string[];
  /** Pending until its `after` jobs complete (a display state, like scheduled). */
  blocked: boolean;
  blocked_reason: string | null;
}

/**
 * `dependencies`: the job's dependencies with their states when known (the blocked reason names
 * them); a listed job brings its own (`blocked_by`).
 */
export function jobJson(job: Job | ListedJob, now = Date.now(), dependencies?: readonly JobLink[]): JobJson {
  return {
    id: job.id,
    command: job.command,
    command_truncated: "command_truncated" in job && job.command_truncated,
    state: job.state,
    scheduled: isScheduled(job, now),
    priority: job.priority,
    attempts: job.attempts,
    max_retries: job.max_retries,
    timeout: job.timeout,
    // A blocked job's run_at is a sentinel; its own is shown.
    run_at: iso(job.own_run_at ?? job.run_at) as string,
    created_at: iso(job.created_at) as string,
    updated_at: iso(job.updated_at) as string,
    started_at: iso(job.started_at),
    finished_at: iso(job.finished_at),
    exit_code: job.exit_code,
    duration_ms: job.duration_ms,
    last_error: job.last_error,
    worker_id: job.worker_id,
    queue: job.queue,
    cancel_requested:
      job.cancel_signal === null ? null : { signal: job.cancel_signal, grace_ms: job.cancel_grace_ms ?? 0 },
    cwd: job.cwd,
    env: job.env,
    schedule: job.schedule,
    key: job.key,
    no_retry_exit_codes: job.no_retry_exit_codes,
    after: job.after,
    blocked: isBlocked(job),
    blocked_reason: blockedReason(job, dependencies ?? ("blocked_by" in job ? job.blocked_by : undefined)),
  };
}

/** enqueue and add: the job, and whether it is one that held the key already (not added). */
export function enqueuedJson(job: Job & { existing: boolean }, now = Date.now()): JobJson & { existing: boolean } {
  return { ...jobJson(job, now), existing: job.existing };
}

export function attemptJson(attempt: Attempt) {
  return {
    number: attempt.number,
    outcome: attempt.outcome,
    worker_id: attempt.worker_id,
    started_at: iso(attempt.started_at),
    finished_at: iso(attempt.finished_at),
    duration_ms: attempt.duration_ms,
    exit_code: attempt.exit_code,
    signal: attempt.signal,
    error: attempt.error,
    stdout_bytes: attempt.stdout_bytes,
    stderr_bytes: attempt.stderr_bytes,
  };
}

/**
 * `job show --json` and `GET /api/jobs/:id`: the job's own fields plus every run under `history`,
 * and its dependency graph: the jobs it waits for and those waiting for it, with their states.
 */
export function jobDetailJson(job: Job, attempts: Attempt[], now = Date.now(), links?: JobLinks) {
  return {
    ...jobJson(job, now, links?.dependencies),
    history: attempts.map(attemptJson),
    dependencies: links?.dependencies ?? [],
    dependencies_total: links?.dependencies_total ?? 0,
    dependents: links?.dependents ?? [],
    dependents_total: links?.dependents_total ?? 0,
  };
}

export function workerJson(worker: WorkerInfo, leaseMs: number, now = Date.now()) {
  return {
    id: worker.id,
    host: worker.host,
    pid: worker.pid,
    slots: worker.slots,
    running: worker.running,
    started_at: iso(worker.started_at),
    heartbeat_at: iso(worker.heartbeat_at),
    status: workerStatus(worker, leaseMs, now),
    queues: worker.queues,
  };
}

export type AttemptJson = ReturnType<typeof attemptJson>;
export type WorkerJson = ReturnType<typeof workerJson>;

/** `status --json` and `GET /api/status`: counts per state, workers, queue health. */
export function statusJson(status: QueueStatus, leaseMs: number, now = Date.now()) {
  return {
    counts: status.counts,
    workers: status.workers.map((worker) => workerJson(worker, leaseMs, now)),
    health: { ...status.health, next_run_at: iso(status.health.next_run_at) },
  };
}

export type StatusJson = ReturnType<typeof statusJson>;

/** `queue list --json` and `GET /api/queues`: a queue's settings, running jobs and jobs per state. */
export function queueJson(q: QueueInfo) {
  return { name: q.name, paused: q.paused, concurrency: q.concurrency, running: q.running, counts: q.counts };
}

export type QueueJson = ReturnType<typeof queueJson>;

/** `GET /api/metrics`: the `metrics --json` figures plus a throughput series for charts. */
export function metricsJson(
  metrics: Metrics,
  series: ThroughputPoint[],
  bucketSeconds: number,
  queue: string | null = null,
) {
  return {
    ...metrics,
    /** The queue these figures are of; null: every queue. */
    queue,
    series: {
      bucket_seconds: bucketSeconds,
      points: series.map((point) => ({
        at: iso(point.at) as string,
        completed: point.completed,
        failed: point.failed,
      })),
    },
  };
}

export type MetricsJson = ReturnType<typeof metricsJson>;

/** `GET /api/jobs/:id/output`: invalid UTF-8 becomes U+FFFD here (`format=text` has the bytes). */
export function outputJson(jobId: string, stream: OutputStream, output: AttemptOutput & { attempt: number }) {
  return {
    job_id: jobId,
    attempt: output.attempt,
    stream,
    text: output.data.toString("utf8"),
    total_bytes: output.total_bytes,
    truncated: output.truncated,
    /** Dropped by retention-output: the run happened, its output is no longer kept. */
    pruned: output.pruned === true,
  };
}

export type OutputJson = ReturnType<typeof outputJson>;

export interface ConfigJson {
  values: Record<string, number | string>;
  defaults: Record<string, number | string>;
  /** A line of help per key. */
  help: Record<string, string>;
}

/** `GET /api/config`: every setting with its default and what it means. */
export function configJson(values: Config): ConfigJson {
  return { values, defaults: CONFIG_DEFAULTS, help: CONFIG_HELP };
}
