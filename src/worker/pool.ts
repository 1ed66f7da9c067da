import { randomBytes } from "node:crypto";
import { availableParallelism, hostname } from "node:os";
import type { StoreLostError } from "../core/errors.js";
import { runTimeoutMs } from "../core/job-defaults.js";
import type { Queue } from "../core/queue.js";
import type { ClaimedJob } from "../core/types.js";
import { cancelRun } from "./cancel-run.js";
import { claimLoop } from "./claim-loop.js";
import { Completer } from "./completer.js";
import { WorkerContext, type CancelRun, type RunRef, type StopMode } from "./context.js";
import type { Execution, ExecutionResult, Executor, InterruptReason } from "./executor.js";
import { LiveOutput } from "./live-output.js";
import { logsAt, silentLog, type Log } from "./log.js";
import { Maintenance } from "./maintenance.js";
import { WORKER_ID_VAR } from "./orphans.js";
import { CommandRunner } from "./runner.js";
import { endedRun, executorFailed } from "./run-ended.js";
import { RunTable, type Running } from "./runs.js";

export interface WorkerPoolOptions {
  /** Jobs run at once. */
  slots: number;
  /** Registered host name; default os.hostname(), or $QUEUECTL_HOSTNAME (for tests). */
  host?: string;
  /** Where the pool reports what it does, one event per call (a pino logger fits). Default: nowhere. */
  log?: Log;
  /** Runs the commands; default /bin/sh -c in a process group, forked by helper processes (runner.ts). */
  executor?: Executor;
  /** Serve only these queues (validated names); default all. */
  queues?: string[] | null;
}

/**
 * One worker: N slots in one process. It claims jobs atomically (claim-loop.ts), runs them,
 * records results in batches (completer.ts), copies their output as it grows (live-output.ts),
 * and keeps its leases alive and recovers the jobs of workers that vanished (maintenance.ts).
 * This class starts and stops those parts and runs each claimed job.
 */
export class WorkerPool {
  readonly id: string;
  readonly host: string;
  readonly slots: number;
  readonly done: Promise<void>;

  private readonly ctx: WorkerContext;
  private readonly executor: Executor;
  /** The helper process that forks commands, unless another executor was given. */
  private readonly runner: CommandRunner | null = null;
  private readonly table: RunTable;
  private readonly completer: Completer;
  private readonly maintenance: Maintenance;
  private started = false;
  private unsubscribe: () => void = () => {};
  private resolveDone!: () => void;
  private rejectDone!: (error: Error) => void;

  constructor(queue: Queue, options: WorkerPoolOptions) {
    if (!Number.isInteger(options.slots) || options.slots < 1) throw new RangeError("slots must be an integer >= 1");
    this.slots = options.slots;
    this.host = options.host ?? (process.env.QUEUECTL_HOSTNAME || hostname());
    const log = options.log ?? silentLog;
    if (options.executor) {
      this.executor = options.executor;
    } else {
      this.runner = new CommandRunner(Math.min(this.slots, availableParallelism()), log);
      this.executor = this.runner.execute;
    }
    this.id = `${this.host.split(".")[0]}-${process.pid}-${randomBytes(3).toString("hex")}`;
    this.ctx = new WorkerContext(queue, this.id, this.host, log);
    this.ctx.queues = options.queues ?? null;
    this.table = new RunTable(this.slots);
    this.completer = new Completer(this.ctx, this.table, (claim) => this.run(claim));
    this.maintenance = new Maintenance(this.ctx, {
      heldRuns: () => this.table.heldRuns(),
      disown: (run, why) => this.disown(run, why),
      cancel: (order) => this.cancel(order),
      register: () => this.register(),
      stopRequested: (mode) => void this.stop(mode),
      storeLost: (error) => this.storeLost(error),
    });
    this.done = new Promise((resolve, reject) => ((this.resolveDone = resolve), (this.rejectDone = reject)));
    this.done.catch(() => {}); // a caller that never awaits done must not crash on a lost store
  }

  /** Registers the worker and starts taking jobs; returns once it is registered. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { ctx } = this;
    // The helpers boot while the worker registers; no job is claimed before they are ready.
    const helpersReady = this.runner?.start();
    try {
      await ctx.refreshConfig();
      await this.register();
    } catch (error) {
      this.runner?.close();
      throw error;
    }
    this.unsubscribe = ctx.store.subscribe(() => {
      ctx.wakeup.wake();
      this.maintenance.nudge();
    });
    await helpersReady;
    const where = `on ${this.host} (pid ${process.pid}, ${this.slots} slots, store ${ctx.store.location})`;
    const fields = { event: "worker.started", worker_id: this.id, host: this.host, slots: this.slots };
    ctx.log.info({ ...fields, store: ctx.store.location }, `worker ${this.id} started ${where}`);
    await this.maintenance.start();
    void claimLoop(ctx, this.table, (claim) => this.run(claim)).then(() => this.shutdown());
  }

  /** Drain: finish running jobs, take no new ones. Now: interrupt running jobs (they re-queue). */
  stop(mode: StopMode = "drain"): Promise<void> {
    return this.halt(mode, "stop");
  }

  private halt(mode: StopMode, reason: InterruptReason): Promise<void> {
    const { ctx } = this;
    if (!this.started) {
      this.resolveDone();
      return this.done;
    }
    if (ctx.stopping !== "now") {
      ctx.stopping = mode;
      const running = this.table.running.size;
      const draining = `draining: waiting for ${running} running job(s)`;
      const fields = { event: "worker.stopping", worker_id: this.id, mode, running };
      ctx.log.info(fields, mode === "now" ? "stopping now: interrupting running jobs" : draining);
    }
    if (mode === "now") for (const run of this.table.running.values()) run.execution.interrupt(reason);
    ctx.wakeup.wake();
    return this.done;
  }

  private storeLost(error: StoreLostError): void {
    if (this.ctx.lost) return;
    this.ctx.lost = error;
    this.halt("now", "store-lost").catch(() => {}); // done carries the error to whoever waits for the worker
  }

  private run(claim: ClaimedJob): void {
    const { ctx } = this;
    const { job, attempt } = claim;
    const ref = { job_id: job.id, attempt };
    const refused = (run: RunRef) => this.disown(run, "its live output was refused");
    const running: Running = {
      claim,
      execution: undefined as unknown as Execution,
      output: new LiveOutput(ctx, ref, () => running.execution, refused),
      foreign: false,
      cancelled: null,
    };
    running.execution = this.executor({
      command: job.command,
      timeoutMs: runTimeoutMs(job.timeout, ctx.config),
      outputLimit: ctx.config["output-limit"],
      // The job can tell who it is; a worker that finds this one dead can find its processes. The
      // job's own variables cannot override these (validated at enqueue, and they come last here).
      env: { ...job.env, QUEUECTL_JOB_ID: job.id, QUEUECTL_ATTEMPT: String(attempt), [WORKER_ID_VAR]: this.id },
      ...(job.cwd === null ? {} : { cwd: job.cwd }),
      onOutput: (stream) => running.output.changed(stream),
    });
    this.table.add(running);
    if (logsAt(ctx.log, "info")) {
      ctx.log.info(
        { event: "job.started", job_id: job.id, attempt, worker_id: this.id, command: job.command.slice(0, 1000) },
        `job ${job.id} started (attempt ${attempt}): ${job.command.slice(0, 200)}`,
      );
    }
    const settled = running.execution.result.catch((error: unknown) => executorFailed(error, running.execution));
    void settled.then(async (result) => {
      if (result.outcome !== "completed" && !running.foreign) await ctx.refreshConfigForFailure();
      this.ended(running, result);
    });
  }

  private ended(running: Running, result: ExecutionResult): void {
    const { ctx } = this;
    running.output.close();
    this.table.ended(running);
    if (running.foreign) {
      // Fencing: another worker runs this job now; its record is the one that counts.
      ctx.wakeup.wake();
      return;
    }
    this.completer.add(endedRun(ctx, running.claim, result, this.id));
  }

  /**
   * Fencing: the store says run `run` is no longer this worker's. Kill its processes at once (the
   * overlap with the new owner's run ends here) and record nothing for it.
   */
  private disown(run: RunRef, why: string): void {
    this.table.letGo(run);
    const what = `job ${run.job_id} attempt ${run.attempt}`;
    const running = this.table.current(run);
    if (running) {
      running.foreign = true;
      running.output.close();
      running.execution.interrupt("disowned");
      this.ctx.log.warn(
        { event: "job.disowned", job_id: run.job_id, attempt: run.attempt, worker_id: this.id, reason: why },
        `${what} is no longer this worker's (${why}): killed it, recording nothing`,
      );
      return;
    }
    // Finished but not yet recorded: its result would be refused; drop it here.
    if (this.completer.drop(run)) {
      this.ctx.log.warn(
        { event: "job.result_dropped", job_id: run.job_id, attempt: run.attempt, worker_id: this.id, reason: why },
        `${what} is no longer this worker's (${why}): its result is dropped`,
      );
    }
  }

  /** A user cancelled the job of a run held here (see cancelRun). */
  private cancel(order: CancelRun): void {
    const running = this.table.current(order);
    if (running) cancelRun(running, order, this.ctx.log, this.id);
  }

  private register(): Promise<void> {
    const { ctx } = this;
    const { id, host, slots } = this;
    const worker = { id, host, pid: process.pid, slots, started_at: Date.now(), queues: ctx.queues };
    return ctx.writing(() => ctx.store.registerWorker(worker));
  }

  /** After the claim loop ends: wait for the last runs, record them, deregister. */
  private async shutdown(): Promise<void> {
    const { ctx } = this;
    // A finish-and-claim under way when the stop came may still bring jobs (on PostgreSQL it
    // answers later): wait for those runs too, and record them, before saying stopped.
    do {
      while (this.table.busy()) await ctx.wakeup.wait(1_000);
      await this.completer.flush();
    } while (this.table.busy());
    this.maintenance.stop();
    this.runner?.close();
    this.unsubscribe();
    try {
      if (!ctx.lost) await ctx.store.deregisterWorker(this.id);
    } catch (error) {
      const reason = (error as Error).message;
      ctx.log.warn({ event: "worker.deregister_failed", worker_id: this.id, reason }, `cannot deregister: ${reason}`);
    }
    ctx.log.info({ event: "worker.stopped", worker_id: this.id }, `worker ${this.id} stopped`);
    if (ctx.lost) this.rejectDone(ctx.lost);
    else this.resolveDone();
  }
}
