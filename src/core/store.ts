import type { JobsActed } from "./job-actions.js";
import type { ChangeCursor, ListedJob, ListedJobPage } from "./listing.js";
import type { QueueChange, QueueInfo, QueueSettings } from "./queues.js";
import type { NewSchedule, Schedule, ScheduleFiring } from "./schedule.js";
import type { PrunableState } from "./retention.js";
import type { DeadJobFacts } from "./on-dead.js";
import type { JobLinks } from "./dependencies.js";
import type {
  Attempt,
  AttemptOutcome,
  AttemptOutput,
  ClaimedJob,
  InsertedJob,
  Job,
  JobFilter,
  Metrics,
  NewJob,
  OutputStream,
  RunResult,
  StateCounts,
  ThroughputPoint,
  WorkerInfo,
} from "./types.js";

/**
 * Where a finished run sends its job. The core decides (retry rule, backoff); the store applies.
 * - completed: state completed.
 * - retry: state failed, due again at `run_at`.
 * - dead: state dead (the DLQ).
 * - requeue: state pending, due now, and the run is not counted (attempts - 1): `stop --now`.
 * - cancelled: state cancelled (`job cancel` stopped the run); no retry.
 */
export type NextState =
  | { state: "completed" }
  | { state: "failed"; run_at: number }
  | { state: "dead" }
  | { state: "requeue" }
  | { state: "cancelled" };

export interface FinishedRun extends RunResult {
  next: NextState;
  /**
   * With next dead: the on-dead hook's job (core/on-dead.ts), inserted in the same transaction as
   * the move to dead, and only if the run is recorded (a refused run adds no hook).
   */
  hook?: NewJob | null;
}

export interface NewWorker {
  id: string;
  host: string;
  pid: number;
  slots: number;
  started_at: number;
  /** The queues it serves; absent or null = all. */
  queues?: string[] | null;
}

/** A claim made together with finishing runs (see Store.finishAndClaim). */
export interface ClaimRequest {
  workerId: string;
  limit: number;
  now: number;
  leaseMs: number;
  /** The queues the worker serves; absent or null = all. */
  queues?: readonly string[] | null;
}

export interface ReapOptions {
  now: number;
  /**
   * Whether expired leases are judged now (default true). False when the caller has not seen the
   * store writable for a whole lease (core/lease.ts): then only `deadWorkerIds` are recovered.
   */
  judgeLeases?: boolean;
  /** Workers known to be gone (e.g. a dead pid on this host): their jobs are recovered at once. */
  deadWorkerIds: string[];
  /**
   * For each job the reap sends to dead: the on-dead hook's job to insert in the same transaction
   * (core/on-dead.ts deadHookJob), or null for none. Absent: no hooks.
   */
  deadHook?: (dead: DeadJobFacts) => NewJob | null;
  /** Worker rows whose heartbeat is older than this are removed (their jobs recover by lease). */
  staleBefore: number;
}

/** One run of a job: the job and its attempt number. */
export interface RunRef {
  job_id: string;
  attempt: number;
}

/** A heartbeat: who beats, which runs it believes it holds, and how long their leases last. */
export interface Heartbeat {
  workerId: string;
  held: RunRef[];
  leaseMs: number;
  /** Read once the write can proceed (inside the transaction): the beat and new leases date from then. */
  clock: () => number;
}

export interface HeartbeatAnswer {
  /** The worker's stop request, or "gone" if its row was removed (it was presumed dead). */
  stop: WorkerInfo["stop_requested"] | "gone";
  /** Ids of held jobs that are no longer this worker's run (recovered, finished, or re-claimed). */
  lost: string[];
  /** Held runs whose job a user asked to cancel (job cancel): the worker stops them this way. */
  cancel: (RunRef & CancelOrder)[];
}

/** How a running job is stopped by a cancel: `signal` to its process group, SIGKILL `grace_ms` later. */
export interface CancelOrder {
  signal: string;
  grace_ms: number;
}

/**
 * What Store.cancelJob did: `cancelled` (it was waiting: pending, failed or scheduled; now
 * cancelled), `requested` (it is running: the order is stored for its worker), `refused` (it is
 * finished). `job` is the job after the change, null when there is no such job.
 */
export interface CancelAnswer {
  job: Job | null;
  done: "cancelled" | "requested" | "refused";
}

export interface FinishAndClaimResult {
  claimed: ClaimedJob[];
  /** Ids of runs whose result was refused (see finishRuns). */
  refused: string[];
}

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

/**
 * The Store contract. Both engines (SQLite, PostgreSQL) pass one shared contract suite
 * (test/store/contract.ts). All times are epoch milliseconds. Every method that changes several
 * rows does it in one transaction: it happens whole or not at all.
 */
export interface Store {
  readonly engine: "sqlite" | "postgres";
  /** A short description for people: a file path or a URL without its password. */
  readonly location: string;

  /** Creates or upgrades the schema (versioned migrations). Safe from several processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // ---- jobs

  /**
   * Inserts all jobs or none, in the order given. A duplicate id (existing or within the batch)
   * throws a "conflict" QueueError naming the id. A job with a `key` held by an active job (pending,
   * failed or processing; core/unique-key.ts) is inserted with ON CONFLICT on the key's partial
   * unique index, never by reading first, and follows its `on_conflict`: skip answers the active
   * job's id (existing); replace updates that job if it is pending or failed (existing), or, if it
   * is processing, takes the key and its retries from it and inserts the new job; error throws a
   * "conflict" QueueError naming the key (and nothing of the batch is written). Keys within one
   * batch are distinct (the core checks). Returns, per job in order, the id it answers with.
   *
   * Dependencies (`after`, core/dependencies.ts): every id must name an existing job or an earlier
   * job of the batch, else not_found (unknownDependency) and nothing is written; a cancelled one is
   * refused (cancelledDependency). A completed one does not count. A job with dependencies left is
   * stored pending with run_at = BLOCKED_RUN_AT (its own in own_run_at) and waiting_on = their
   * number, so the claim never sees it, race-free against a dependency finishing meanwhile.
   */
  insertJobs(jobs: NewJob[]): Promise<InsertedJob[]>;
  getJob(id: string): Promise<Job | null>;
  /**
   * The job's dependencies (jobs of its `after` that still exist) and dependents, at most `limit`
   * of each (by id), with their totals. Unknown job: empty lists.
   */
  jobLinks(id: string, limit: number): Promise<JobLinks>;
  /** Newest first (seq descending), filtered by state and by a substring of id or command (the
   * whole command is searched). Commands are cut to LIST_COMMAND_CHARS in SQL and marked. */
  listJobs(filter: JobFilter): Promise<ListedJobPage>;
  /**
   * Changed jobs, oldest change first by (updated_at, seq), at most `limit` (for live views), with
   * commands cut as in listJobs. `after` a time: updated_at > after; `after` a cursor: strictly
   * after that (updated_at, seq), so jobs sharing a timestamp are never skipped between pages.
   */
  jobsUpdatedSince(after: number | ChangeCursor, limit: number): Promise<ListedJob[]>;
  countJobs(): Promise<StateCounts>;
  /** Ids that start with `prefix` (case and every character literal), ascending, at most `limit`:
   * a range scan of the id index (core/id-prefix.ts), for shell completion. */
  jobIdsByPrefix(prefix: string, limit: number): Promise<string[]>;

  /**
   * Atomically takes up to `limit` ready jobs — state pending or failed, run_at <= now — in the
   * order priority descending, created_at, seq. Each becomes processing with worker_id, attempts+1,
   * started_at = now, lease_until = now + leaseMs, finished_at/exit_code/duration_ms cleared; an
   * attempt row (outcome "running") is created with number = previous highest number + 1 and the
   * job's run_at as it was when claimed.
   * Two concurrent callers never get the same job. A worker that has been asked to stop (see
   * requestStop) gets nothing: no job enqueued after a stop request can start on a draining worker.
   * Queues (core/queues.ts): only jobs of `queues` (absent or null: any queue); none of a paused
   * queue; of a queue with a concurrency, no more than bring its processing jobs (all workers) to
   * it, even against concurrent claimers. Queues that give nothing do not hold back the others.
   */
  claimJobs(
    workerId: string,
    limit: number,
    now: number,
    leaseMs: number,
    queues?: readonly string[] | null,
  ): Promise<ClaimedJob[]>;
  /** Earliest run_at among pending and failed jobs, or null when there are none. */
  nextRunAt(): Promise<number | null>;

  /**
   * Fencing. A run is *held* by a worker while its job is processing, job.worker_id is that worker
   * and the job's current attempt is that run's number. Every write about a run below takes effect
   * only while the run is held; otherwise it writes nothing (the run was recovered and may be
   * running again elsewhere: what happened meanwhile is not overwritten).
   */

  /** Replaces the stored output of a held run with a newer snapshot (streaming). Returns false
   * (and writes nothing) if the run is no longer held by `workerId`. */
  writeOutput(
    jobId: string,
    attempt: number,
    workerId: string,
    stream: OutputStream,
    output: AttemptOutput,
  ): Promise<boolean>;

  /**
   * Records finished runs, in one transaction. A run still held by its worker gets its attempt row
   * (result and output) and its job moves to `next` (started_at kept; finished_at, exit_code,
   * duration_ms, last_error = error; worker_id, lease_until and any cancel order cleared). If a
   * cancel was requested for the run (cancelJob), a `next` other than completed becomes cancelled:
   * a cancel racing the run's own end records that one end, and no retry follows. A run no longer held —
   * recovered meanwhile, its attempt recorded "lost" — is refused: nothing of it is written.
   * Returns the job ids of refused runs.
   *
   * A job that ends completed unblocks its dependents: each waits for one job less, and one waiting
   * for none is due at max(its own run_at, now) and idle workers are woken. Touches only the direct
   * dependents (an index), so each unblock along a chain costs the same. A job that ends cancelled
   * cancels its waiting dependents (see cancelJob).
   */
  finishRuns(runs: FinishedRun[]): Promise<string[]>;

  /**
   * finishRuns(runs), then claimJobs(claim) — the worker's hot path, when a slot frees up. Same
   * semantics as the two calls in that order; an engine may do both in one transaction (SQLite:
   * one commit per cycle instead of two). `runs` may be empty.
   */
  finishAndClaim(runs: FinishedRun[], claim: ClaimRequest): Promise<FinishAndClaimResult>;

  /**
   * Sets the worker's heartbeat and extends the lease of each run in `held` that it still holds to
   * clock() + leaseMs, clock() read once the write can proceed (time spent waiting for the store is
   * not taken off the lease). Jobs of this worker not in `held` keep their lease (a claim whose
   * answer was lost expires and is recovered). Returns the stop request and the held runs it no
   * longer holds.
   */
  heartbeat(beat: Heartbeat): Promise<HeartbeatAnswer>;

  /**
   * Recovers jobs of lost workers: processing jobs whose lease_until < now (if `judgeLeases`), or
   * held by one of `deadWorkerIds`. What becomes of each is decided by core/rescue.ts (failed and
   * due now while retries are left, else dead) and applied here: the job moves there with the
   * decided error as last_error, and its running attempt gets outcome "lost" with the same error.
   * A job whose cancel was requested ends cancelled (rescue.ts is told so through LostJob).
   * Removes the rows of dead and stale workers.
   * Returns the ids of recovered jobs.
   */
  reap(options: ReapOptions): Promise<string[]>;

  /**
   * Cancels one job, atomically: pending or failed (waiting, scheduled or not) → cancelled at once
   * (finished_at = updated_at = now); processing → the order is stored on the job (cancel_signal,
   * cancel_grace_ms; a later order replaces it) for the worker holding it, which learns of it from
   * its heartbeat answer; finished → nothing written. Does not notify: the caller does.
   * A waiting job cancelled here cancels, in the same transaction, its dependents still waiting for
   * it, transitively, each with last_error cascadeCause(its dependency, "cancelled").
   */
  cancelJob(id: string, order: CancelOrder, now: number): Promise<CancelAnswer>;

  // ---- attempts and output

  /** Every attempt of a job, number ascending. Unknown job: []. */
  listAttempts(jobId: string): Promise<Attempt[]>;
  /**
   * Stored output of one attempt, or null if there is no such attempt. With `from` (a count of
   * bytes the command wrote, e.g. those already shown), `data` holds only the end of the stored
   * bytes that were written after them: the last min(total_bytes - from, stored length) bytes
   * (from 0: all of them). As long as nothing was cut that is exactly the new bytes; once the
   * middle was cut, fewer than total_bytes - from means the rest is not kept.
   */
  getOutput(jobId: string, attempt: number, stream: OutputStream, from?: number): Promise<AttemptOutput | null>;

  // ---- dead letter queue

  /** dead → pending, attempts 0, run_at = now, last_error kept, history kept. Throws not_found for
   * an unknown id and conflict if the job is not dead. */
  retryDead(id: string, now: number): Promise<Job>;
  /** Every dead job back to pending as above; returns how many. */
  retryAllDead(now: number): Promise<number>;

  // ---- chosen jobs: delete, retry (each id on its own; core/job-actions.ts words the refusals)

  /**
   * Deletes each job that is not processing, with its attempts and output, in one transaction per
   * id. The delete is conditional (state <> 'processing'), so a job a worker claims meanwhile is
   * either claimed first (and refused here: "running") or gone before the claim sees it — never
   * deleted with a run going on, never leaving an attempt without its job. Unknown ids are refused
   * not_found. `done` holds the deleted jobs as they were, in the order given. Run totals (counters)
   * are not decreased: they count what happened, whatever is deleted later. Dependents still waiting
   * for a deleted job are cancelled as by cancelJob, the first ones with cascadeCause(id, "deleted"),
   * and no longer count it.
   */
  deleteJobs(ids: string[]): Promise<JobsActed>;
  /**
   * Each finished job (RETRYABLE_STATES) → pending, attempts 0, run_at = now, updated_at = now;
   * last_error, attempt rows and output kept, and attempt numbers go on counting from the last.
   * One conditional update per id; any other state is refused conflict, an unknown id not_found.
   * `done` holds the jobs as they are now, in the order given. A job whose dependencies have not all
   * completed (e.g. one cancelled with its dependency) goes back to blocked, not due.
   */
  retryJobs(ids: string[], now: number): Promise<JobsActed>;

  // ---- workers

  registerWorker(worker: NewWorker): Promise<void>;
  deregisterWorker(id: string): Promise<void>;
  listWorkers(): Promise<WorkerInfo[]>;
  /** Asks one worker (by id) or all to stop; returns how many were asked. */
  requestStop(mode: "drain" | "now", workerId?: string): Promise<number>;

  // ---- queues

  /** Every queue a job or a setting names, by name, with its settings and jobs per state. */
  listQueues(): Promise<QueueInfo[]>;
  /** Applies a validated change to a queue's settings (creating its row); returns the settings. */
  setQueue(name: string, change: QueueChange): Promise<QueueSettings>;

  // ---- settings (raw strings; the core validates)

  getSettings(): Promise<Record<string, string>>;
  setSetting(key: string, value: string): Promise<void>;

  // ---- metrics

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

  // ---- cron schedules (the rule is core/schedule.ts; the store keeps and applies)

  /** Adds a schedule. A taken name throws a "conflict" QueueError, unless `replace`: then the
   * definition is replaced and its last job, creation time and settled slots (at least) are kept. */
  insertSchedule(schedule: NewSchedule, replace: boolean): Promise<void>;
  /** One schedule with its last job's state, or null. */
  getSchedule(name: string): Promise<Schedule | null>;
  /** Every schedule, by name. */
  listSchedules(): Promise<Schedule[]>;
  /** Schedules not paused whose next_slot <= now. */
  dueSchedules(now: number): Promise<Schedule[]>;
  /** The earliest next_slot of the schedules not paused, or null. */
  nextScheduleSlot(): Promise<number | null>;
  /** Pauses, or resumes: then last_slot = max(last_slot, now) (slots while paused never fire) and
   * next_slot = `nextSlot`. False for an unknown name. */
  setSchedulePaused(name: string, paused: boolean, now: number, nextSlot: number | null): Promise<boolean>;
  /** Removes a schedule (its jobs stay); false for an unknown name. */
  removeSchedule(name: string): Promise<boolean>;
  /**
   * Applies one fire attempt in one transaction (see ScheduleFiring): the compare-and-set on
   * last_slot, then, unless the previous job is active and `skip_if_active`, the jobs, and the
   * schedule's last job. A (schedule, schedule_slot) pair is unique: a slot never makes two jobs.
   * Returns the ids of the jobs inserted ([] when skipped), or null when nothing applied (unknown
   * name, or a slot firing that lost the compare-and-set or found the schedule paused).
   */
  fireSchedule(firing: ScheduleFiring): Promise<string[] | null>;
  // ---- retention (core/retention.ts decides what; these apply it in batches)

  /**
   * Deletes at most `limit` jobs in `state` whose finished_at < `before`, oldest first, with their
   * attempts and output, in one transaction. Their finished runs are first added to the per-minute
   * and per-hour rollups that metrics and throughput read with the live rows, so history survives;
   * run totals do not change. Never touches jobs in other states. Returns how many were deleted.
   */
  pruneJobs(state: PrunableState, before: number, limit: number): Promise<number>;
  /**
   * Drops the stored output of at most `limit` finished runs whose finished_at < `before`, oldest
   * first; their attempt rows stay, and getOutput says `pruned`. Walks on from where the last call
   * stopped (a mark kept in the store), so a call costs the same however much was pruned before.
   * Returns how many runs it walked (fewer than `limit`: nothing left) and how many of them had
   * output that it dropped.
   */
  pruneOutput(before: number, limit: number): Promise<{ walked: number; dropped: number }>;
  /** How many jobs pruneJobs(state, before) would delete, and runs pruneOutput(before) would walk. */
  countPrunable(what: PrunableState | "output", before: number): Promise<number>;
  /** Gives freed pages back to the file system where the engine keeps them (SQLite), a bounded
   * number per call; true when more are left for another call. `full` rewrites the whole file
   * (SQLite VACUUM, which also turns incremental vacuum on). */
  reclaimSpace(full?: boolean): Promise<boolean>;

  // ---- wake-ups

  /** Tells idle workers (in any process) that work may be ready. Cheap; fire-and-forget. */
  notify(): void;
  /** Calls `listener` on every notify from any process; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * Tells waiters (in any process) that jobs may have finished: a channel of its own, so that
   * idle workers are not woken by finishes. Cheap; fire-and-forget.
   */
  notifyFinished(): void;
  /**
   * Calls `listener` on every notifyFinished from any process, and once more when the
   * subscription is in place if that takes a while (a finish meanwhile would go unseen);
   * returns the unsubscribe function.
   */
  subscribeFinished(listener: () => void): () => void;
}
