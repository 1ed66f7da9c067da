import type { ClaimedJob, AttemptOutput, NewJob, OutputStream, RunResult, WorkerInfo } from "./types.js";

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

/** A claim made together with finishing runs (see Store.finishAndClaim). */
export interface ClaimRequest {
  workerId: string;
  limit: number;
  now: number;
  leaseMs: number;
  /** The queues the worker serves; absent or null = all. */
  queues?: readonly string[] | null;
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

export interface FinishAndClaimResult {
  claimed: ClaimedJob[];
  /** Ids of runs whose result was refused (see finishRuns). */
  refused: string[];
}

/** The Store's runs: claims, and the writes of a worker about the runs it holds. */
export interface RunStore {
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
}
