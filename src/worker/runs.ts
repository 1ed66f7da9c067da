import type { ClaimedJob } from "../core/types.js";
import type { RunRef } from "./context.js";
import type { Execution } from "./executor.js";
import type { LiveOutput } from "./live-output.js";

export interface Running {
  claim: ClaimedJob;
  execution: Execution;
  output: LiveOutput;
  /** The store says this run is no longer ours: its processes are being killed, nothing is recorded. */
  foreign: boolean;
  /** The cancel order carried out for it ("SIGTERM/5000"), so that a repeated order is not re-sent. */
  cancelled: string | null;
}

/**
 * The worker's slots and runs: what runs here now, what it holds in the store, and how many slots
 * are promised to claims in flight (so two concurrent claims never overfill the pool).
 */
export class RunTable {
  readonly running = new Map<string, Running>();
  /** Runs this worker holds in the store: running, or finished but not yet recorded (job id → attempt). */
  private readonly held = new Map<string, number>();
  private reserved = 0;

  constructor(readonly slots: number) {}

  /** Slots neither running a job nor promised to a claim in flight. */
  free(): number {
    return this.slots - this.running.size - this.reserved;
  }

  /** Whether anything may still run here: a run, or a claim in flight that may bring some. */
  busy(): boolean {
    return this.running.size > 0 || this.reserved > 0;
  }

  /** Promises `n` slots to a claim in flight; `release` gives them back once it answered. */
  reserve(n: number): void {
    this.reserved += n;
  }

  release(n: number): void {
    this.reserved -= n;
  }

  add(running: Running): void {
    this.running.set(running.claim.job.id, running);
    this.held.set(running.claim.job.id, running.claim.attempt);
  }

  /** A run ended. The same job may have been claimed again by this worker meanwhile: leave that run. */
  ended(running: Running): void {
    if (this.running.get(running.claim.job.id) === running) this.running.delete(running.claim.job.id);
  }

  /** The run's attempt is current here: running, not disowned. */
  current(run: RunRef): Running | null {
    const running = this.running.get(run.job_id);
    return running && running.claim.attempt === run.attempt && !running.foreign ? running : null;
  }

  /** The store no longer counts `run` as this worker's (recorded, or recovered by another). */
  letGo(run: RunRef): void {
    if (this.held.get(run.job_id) === run.attempt) this.held.delete(run.job_id);
  }

  heldRuns(): RunRef[] {
    return [...this.held].map(([job_id, attempt]) => ({ job_id, attempt }));
  }
}
