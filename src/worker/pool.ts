import { randomBytes } from "node:crypto";
import { availableParallelism, hostname } from "node:os";
import type { Config } from "../core/config.js";
import { StoreLostError } from "../core/errors.js";
import { beatIntervalMs, StoreWatch, wasPaused } from "../core/lease.js";
import type { Queue } from "../core/queue.js";
import { nextState } from "../core/retry.js";
import type { ClaimedJob, OutputStream } from "../core/types.js";
import type { FinishedRun, RunRef } from "../core/store.js";
import { type Execution, type ExecutionResult, type Executor } from "./executor.js";
import { killOrphanedJobs, WORKER_ID_VAR } from "./orphans.js";
import { CommandRunner } from "./runner.js";
import { Wakeup } from "./wakeup.js";

export interface WorkerPoolOptions {
  /** Jobs run at once. */
  slots: number;
  /** Registered host name; default os.hostname(), or $QUEUECTL_HOSTNAME (for tests). */
  host?: string;
  /** Where the pool reports what it does (one line each). Default: nowhere. */
  log?: (line: string) => void;
  /** Runs the commands; default /bin/sh -c in a process group, forked by helper processes (runner.ts). */
  executor?: Executor;
}

/** Live output is written to the store at most this often per running job. */
const OUTPUT_FLUSH_MS = 250;
/** A wake-up triggers an early heartbeat at most this often. */
const EAGER_BEAT_MS = 250;
/** Back-off bounds when the store cannot be reached. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;
/** How often the pool checks that it was not paused (a late tick means it was: see wasPaused). */
const PAUSE_TICK_MS = 250;

interface Running {
  claim: ClaimedJob;
  execution: Execution;
  outputTimer: NodeJS.Timeout | null;
  dirty: Set<OutputStream>;
  /** The store says this run is no longer ours: its processes are being killed, nothing is recorded. */
  foreign: boolean;
}

/**
 * One worker: N slots in one process. It claims jobs atomically, runs them, records results in
 * batches (a finish that arrives while a write is in flight joins the next write: group commit),
 * keeps its leases alive with a heartbeat, and recovers the jobs of workers that vanished.
 */
export class WorkerPool {
  readonly id: string;
  readonly host: string;
  readonly slots: number;
  readonly done: Promise<void>;

  private readonly queue: Queue;
  private readonly log: (line: string) => void;
  private readonly executor: Executor;
  /** The helper process that forks commands, unless another executor was given. */
  private readonly runner: CommandRunner | null = null;
  private readonly running = new Map<string, Running>();
  /** Runs this worker holds in the store: running, or finished but not yet recorded (job id → attempt). */
  private readonly held = new Map<string, number>();
  /** When the store last stalled for this worker: it judges others' leases only a lease after. */
  private readonly watch = new StoreWatch(Date.now());
  private pauseTimer: NodeJS.Timeout | null = null;
  private beatAgain = false;
  private readonly wakeup = new Wakeup();
  private config!: Config;
  private stopping: "drain" | "now" | null = null;
  private started = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private unsubscribe: () => void = () => {};
  private finished: FinishedRun[] = [];
  private flushing: Promise<void> | null = null;
  private flushScheduled = false;
  private resolveDone!: () => void;
  private rejectDone!: (error: Error) => void;
  /** The store was lost (its file deleted or replaced): stop at once and record nothing. */
  private lost: StoreLostError | null = null;
  private beating = false;
  /** Slots promised to claims in flight, so two concurrent claims never overfill the pool. */
  private reserved = 0;
  private lastBeat = 0;

  constructor(queue: Queue, options: WorkerPoolOptions) {
    if (!Number.isInteger(options.slots) || options.slots < 1) throw new RangeError("slots must be an integer >= 1");
    this.queue = queue;
    this.slots = options.slots;
    this.host = options.host ?? (process.env.QUEUECTL_HOSTNAME || hostname());
    this.log = options.log ?? (() => {});
    if (options.executor) {
      this.executor = options.executor;
    } else {
      this.runner = new CommandRunner(Math.min(this.slots, availableParallelism()), this.log);
      this.executor = this.runner.execute;
    }
    this.id = `${this.host.split(".")[0]}-${process.pid}-${randomBytes(3).toString("hex")}`;
    this.done = new Promise((resolve, reject) => ((this.resolveDone = resolve), (this.rejectDone = reject)));
    this.done.catch(() => {}); // a caller that never awaits done must not crash on a lost store
  }

  private get store() {
    return this.queue.store;
  }

  private get leaseMs(): number {
    return this.config["lease-seconds"] * 1000;
  }

  /** Registers the worker and starts taking jobs; returns once it is registered. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // The helpers boot while the worker registers; no job is claimed before they are ready.
    const helpersReady = this.runner?.start();
    try {
      this.config = await this.queue.config();
      await this.register();
    } catch (error) {
      this.runner?.close();
      throw error;
    }
    this.unsubscribe = this.store.subscribe(() => {
      this.wakeup.wake();
      // A wake-up may carry a stop request or a config change: look soon, not at the next beat.
      if (Date.now() - this.lastBeat > EAGER_BEAT_MS) void this.beat();
    });
    await helpersReady;
    this.log(`worker ${this.id} started on ${this.host} (pid ${process.pid}, ${this.slots} slots, store ${this.store.location})`);
    await this.beat();
    this.watchForPauses(Date.now());
    void this.claimLoop();
  }

  /** Drain: finish running jobs, take no new ones. Now: interrupt running jobs (they re-queue). */
  async stop(mode: "drain" | "now" = "drain"): Promise<void> {
    if (!this.started) {
      this.resolveDone();
      return this.done;
    }
    if (this.stopping !== "now") {
      this.stopping = mode;
      this.log(mode === "now" ? "stopping now: interrupting running jobs" : `draining: waiting for ${this.running.size} running job(s)`);
    }
    if (mode === "now") for (const run of this.running.values()) run.execution.interrupt();
    this.wakeup.wake();
    return this.done;
  }

  // ---- claiming

  private async claimLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      const free = this.freeSlots();
      let claimed = 0;
      try {
        if (free > 0) {
          this.reserved += free;
          try {
            const claims = await this.writing(() => this.store.claimJobs(this.id, free, Date.now(), this.leaseMs));
            claimed = claims.length;
            for (const claim of claims) this.run(claim);
          } finally {
            this.reserved -= free;
          }
        }
        failures = 0;
      } catch (error) {
        failures++;
        this.log(`cannot claim jobs: ${(error as Error).message}; retrying`);
        await this.wakeup.wait(backoff(failures));
        continue;
      }
      if (this.stopping) break;
      // Full: sleep until a slot frees (finished runs also claim for their slots, see flush).
      // Nothing ready: sleep until a wake-up, the next due job or the poll interval.
      if (free <= 0 || claimed === free) await this.wakeup.wait(this.config["worker-poll-interval"] * 1000);
      else if (claimed === 0) await this.wakeup.wait(await this.idleMs());
    }
    await this.shutdown();
  }

  /** Slots neither running a job nor promised to a claim in flight. */
  private freeSlots(): number {
    return this.slots - this.running.size - this.reserved;
  }

  /** How long to sleep when idle: until the next scheduled job, at most the poll interval. */
  private async idleMs(): Promise<number> {
    const poll = this.config["worker-poll-interval"] * 1000;
    if (this.freeSlots() <= 0) return poll;
    try {
      const next = await this.store.nextRunAt();
      if (next === null) return poll;
      return Math.max(0, Math.min(poll, next - Date.now()));
    } catch {
      return poll;
    }
  }

  // ---- running

  private run(claim: ClaimedJob): void {
    const { job } = claim;
    const timeoutSeconds = job.timeout ?? this.config["job-timeout"];
    const running: Running = {
      claim,
      execution: undefined as unknown as Execution,
      outputTimer: null,
      dirty: new Set(),
      foreign: false,
    };
    running.execution = this.executor({
      command: job.command,
      timeoutMs: timeoutSeconds > 0 ? timeoutSeconds * 1000 : null,
      outputLimit: this.config["output-limit"],
      // The job can tell who it is; a worker that finds this one dead can find its processes.
      env: { QUEUECTL_JOB_ID: job.id, QUEUECTL_ATTEMPT: String(claim.attempt), [WORKER_ID_VAR]: this.id },
      onOutput: (stream) => this.outputChanged(running, stream),
    });
    this.running.set(job.id, running);
    this.held.set(job.id, claim.attempt);
    this.log(`job ${job.id} started (attempt ${claim.attempt}): ${job.command.slice(0, 200)}`);
    const settled = running.execution.result.catch(
      (error: unknown): ExecutionResult => ({
        // An executor that throws must not take the worker down; the run fails like one that could not start.
        outcome: "start_error",
        exit_code: null,
        signal: null,
        error: `the executor failed: ${(error as Error)?.message ?? String(error)}`,
        finished_at: Date.now(),
        duration_ms: 0,
        stdout: running.execution.output("stdout"),
        stderr: running.execution.output("stderr"),
      }),
    );
    void settled.then((result) => {
      if (running.outputTimer) clearTimeout(running.outputTimer);
      // The same job may have been claimed again by this worker meanwhile: leave that run's entries.
      if (this.running.get(job.id) === running) this.running.delete(job.id);
      if (running.foreign) {
        // Fencing: another worker runs this job now; its record is the one that counts.
        this.wakeup.wake();
        return;
      }
      const next = nextState(job, result.outcome, result.finished_at, this.config);
      this.log(
        `job ${job.id} ${result.outcome}${result.error ? ` (${result.error})` : ""} in ${result.duration_ms} ms → ${
          next.state === "failed" ? `retry at ${new Date(next.run_at).toISOString()}` : next.state
        }`,
      );
      this.finished.push({ ...result, job_id: job.id, attempt: claim.attempt, worker_id: this.id, next });
      this.scheduleFlush();
    });
  }

  /** Throttled live output: one store write per job per OUTPUT_FLUSH_MS at most. */
  private outputChanged(running: Running, stream: OutputStream): void {
    running.dirty.add(stream);
    if (running.outputTimer) return;
    running.outputTimer = setTimeout(() => {
      running.outputTimer = null;
      if (this.running.get(running.claim.job.id) !== running || running.foreign) return;
      const streams = [...running.dirty];
      running.dirty.clear();
      const { job, attempt } = running.claim;
      for (const s of streams) {
        this.writing(() => this.store.writeOutput(job.id, attempt, this.id, s, running.execution.output(s)))
          .then((written) => {
            if (!written) this.disown({ job_id: job.id, attempt }, "its live output was refused");
          })
          .catch((error: Error) => this.log(`cannot store live output of ${job.id}: ${error.message}`));
      }
    }, OUTPUT_FLUSH_MS);
  }

  /**
   * Flushes on the next turn of the event loop rather than at once: every run that ends in this
   * turn then shares one write (SQLite answers synchronously, so an immediate flush would commit
   * each finished run alone).
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  /**
   * Writes finished runs in batches and, in the same call, claims jobs for the slots they freed
   * (one commit per cycle on SQLite). Never drops a result: on a store error it keeps them and
   * retries with back-off until the store answers again.
   */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      let failures = 0;
      while (this.finished.length > 0 && !this.lost) {
        const batch = this.finished;
        this.finished = [];
        const free = this.stopping ? 0 : this.freeSlots();
        this.reserved += free;
        try {
          const { claimed: claims, refused } = await this.writing(async () =>
            free > 0
              ? this.store.finishAndClaim(batch, {
                  workerId: this.id,
                  limit: free,
                  now: Date.now(),
                  leaseMs: this.leaseMs,
                })
              : { claimed: [], refused: await this.store.finishRuns(batch) },
          );
          this.reserved -= free;
          this.recorded(batch, refused);
          for (const claim of claims) this.run(claim);
          // The claim loop is needed only if this claim left slots free (nothing more ready: it
          // works out how long to sleep) or the pool is stopping (it waits for the last run).
          if (free === 0 || claims.length < free) this.wakeup.wake();
          failures = 0;
        } catch (error) {
          this.reserved -= free;
          this.finished = [...batch, ...this.finished];
          failures++;
          this.log(`cannot record ${batch.length} finished job(s): ${(error as Error).message}; retrying`);
          await sleep(backoff(failures));
        }
      }
      this.flushing = null;
    })();
    return this.flushing;
  }

  // ---- heartbeat, leases, recovery

  private scheduleBeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => void this.beat(), beatIntervalMs(this.leaseMs));
    this.heartbeatTimer.unref();
  }

  /**
   * A tick that fires far later than asked means this process was paused (SIGSTOP, a suspended
   * machine): its runs may have been recovered meanwhile, so it beats at once to learn which and
   * kill them, rather than at its next scheduled beat. (A pause is not a store stall: the other
   * workers beat meanwhile, so their leases are still judged fairly.)
   */
  private watchForPauses(scheduledAt: number): void {
    this.pauseTimer = setTimeout(() => {
      const now = Date.now();
      if (wasPaused(scheduledAt, now, this.leaseMs)) {
        if (now - scheduledAt > this.leaseMs) this.log(`this worker was paused for ${now - scheduledAt} ms; beating now`);
        void this.beat();
      }
      if (!this.isShutDown) this.watchForPauses(now + PAUSE_TICK_MS);
    }, PAUSE_TICK_MS);
    this.pauseTimer.unref();
  }

  private async beat(): Promise<void> {
    if (this.isShutDown) return;
    if (this.beating) {
      this.beatAgain = true;
      return;
    }
    this.beating = true;
    this.lastBeat = Date.now();
    try {
      this.config = await this.queue.config();
      const held: RunRef[] = [...this.held].map(([job_id, attempt]) => ({ job_id, attempt }));
      const answer = await this.writing(() =>
        this.store.heartbeat({ workerId: this.id, held, leaseMs: this.leaseMs, clock: Date.now }),
      );
      for (const id of answer.lost) {
        const run = held.find((h) => h.job_id === id);
        if (run) this.disown(run, "recovered by another worker while this one was paused or cut off");
      }
      const request = answer.stop;
      if (request === "gone") {
        // We were presumed dead (e.g. the machine slept); our jobs were recovered. Come back.
        this.log("this worker's registration was removed (presumed lost); registering again");
        await this.register();
      } else if (request && this.stopping !== "now" && request !== this.stopping) {
        void this.stop(request);
      }
      await this.reap(Date.now());
    } catch (error) {
      this.log(`heartbeat failed: ${(error as Error).message}`);
      if (error instanceof StoreLostError && !this.lost) {
        this.lost = error;
        this.stop("now").catch(() => {}); // done carries the error to whoever waits for the worker
      }
    }
    this.beating = false;
    if (this.isShutDown) return;
    if (this.beatAgain) {
      this.beatAgain = false;
      void this.beat();
    } else {
      this.scheduleBeat();
    }
  }

  /**
   * Fencing: the store says run `run` is no longer this worker's. Kill its processes at once (the
   * overlap with the new owner's run ends here) and record nothing for it.
   */
  private disown(run: RunRef, why: string): void {
    if (this.held.get(run.job_id) === run.attempt) this.held.delete(run.job_id);
    const running = this.running.get(run.job_id);
    if (running && running.claim.attempt === run.attempt && !running.foreign) {
      running.foreign = true;
      if (running.outputTimer) clearTimeout(running.outputTimer);
      running.execution.interrupt();
      const what = `job ${run.job_id} attempt ${run.attempt}`;
      this.log(`${what} is no longer this worker's (${why}): killed it, recording nothing`);
      return;
    }
    // Finished but not yet recorded: its result would be refused; drop it here.
    const before = this.finished.length;
    this.finished = this.finished.filter((f) => !(f.job_id === run.job_id && f.attempt === run.attempt));
    if (this.finished.length < before) {
      this.log(`job ${run.job_id} attempt ${run.attempt} is no longer this worker's (${why}): its result is dropped`);
    }
  }

  /** After a finish was written: the runs are no longer held; refused ones were recorded by no one. */
  private recorded(batch: FinishedRun[], refused: string[]): void {
    for (const run of batch) {
      if (this.held.get(run.job_id) === run.attempt) this.held.delete(run.job_id);
      if (refused.includes(run.job_id)) {
        const what = `job ${run.job_id} attempt ${run.attempt}`;
        this.log(`${what}: result refused (the run was recovered meanwhile); nothing recorded`);
      }
    }
  }

  private register(): Promise<void> {
    const worker = { id: this.id, host: this.host, pid: process.pid, slots: this.slots, started_at: Date.now() };
    return this.writing(() => this.store.registerWorker(worker));
  }

  /**
   * One write to the store, timed: a write that waited longer than a beat interval, or failed,
   * tells this worker the store stalled (core/lease.ts).
   */
  private async writing<T>(write: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const result = await write();
      const ended = Date.now();
      this.watch.wrote(started, ended, true, this.leaseMs);
      if (ended - started > this.leaseMs) {
        this.log(`the store was busy for ${ended - started} ms; judging no lease until it has worked for a lease`);
      }
      return result;
    } catch (error) {
      this.watch.wrote(started, Date.now(), false, this.leaseMs);
      throw error;
    }
  }

  /** Recovers jobs of lost workers: expired leases anywhere, and dead pids on this host at once. */
  private async reap(now: number): Promise<void> {
    const workers = await this.store.listWorkers();
    const deadWorkerIds = workers
      .filter((w) => w.host === this.host && w.id !== this.id && w.pid !== process.pid && !pidAlive(w.pid))
      .map((w) => w.id);
    // Leases (and stale worker rows) are judged only by a worker that saw the store work all along.
    const judgeLeases = this.watch.mayJudgeLeases(now, this.leaseMs);
    const staleBefore = judgeLeases ? now - 5 * this.leaseMs : 0;
    if (!judgeLeases && deadWorkerIds.length === 0) return;
    const recovered = await this.writing(() => this.store.reap({ now, deadWorkerIds, staleBefore, judgeLeases }));
    const killed = killOrphanedJobs(deadWorkerIds);
    if (killed > 0) this.log(`killed ${killed} leftover process(es) of dead worker(s) ${deadWorkerIds.join(", ")}`);
    if (recovered.length > 0) {
      this.log(`recovered ${recovered.length} job(s) of lost workers: ${recovered.slice(0, 10).join(", ")}`);
      this.store.notify();
      this.wakeup.wake();
    }
  }

  // ---- shutdown

  private isShutDown = false;

  private async shutdown(): Promise<void> {
    while (this.running.size > 0) await this.wakeup.wait(1_000);
    await this.flush();
    this.isShutDown = true;
    this.runner?.close();
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.unsubscribe();
    try {
      if (!this.lost) await this.store.deregisterWorker(this.id);
    } catch (error) {
      this.log(`cannot deregister: ${(error as Error).message}`);
    }
    this.log(`worker ${this.id} stopped`);
    if (this.lost) this.rejectDone(this.lost);
    else this.resolveDone();
  }
}

function backoff(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (failures - 1));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
