import { StoreLostError } from "../core/errors.js";
import { deadHook, deadHookJob, type DeadJobFacts } from "../core/on-dead.js";
import { beatIntervalMs, wasPaused } from "../core/lease.js";
import type { CancelRun, RunRef, StopMode, WorkerContext } from "./context.js";
import { CronFirer } from "./cron.js";
import { killOrphanedJobs } from "./orphans.js";
import { Pruner } from "./pruner.js";

/** A wake-up triggers an early heartbeat at most this often. */
const EAGER_BEAT_MS = 250;
/** How often the worker checks that it was not paused (a late tick means it was: see wasPaused). */
const PAUSE_TICK_MS = 250;

/** What maintenance asks of the rest of the worker. */
export interface MaintenanceHooks {
  /** The runs this worker holds in the store (running, or finished and not yet recorded). */
  heldRuns(): RunRef[];
  /** The store gave `run` to another worker: kill it, record nothing. */
  disown(run: RunRef, why: string): void;
  /** A user cancelled the job of a run this worker holds: stop it as ordered. */
  cancel(order: CancelRun): void;
  /** Registers the worker again (its registration was removed while it was presumed lost). */
  register(): Promise<void>;
  /** A stop asked for through the store (`worker stop`). */
  stopRequested(mode: StopMode): void;
  /** The store file was deleted or replaced: the worker must stop at once. */
  storeLost(error: StoreLostError): void;
}

/**
 * The worker's upkeep, on a timer of its own: the heartbeat (renews its leases, refreshes the
 * config, learns of stop requests and of runs recovered from it), recovery of lost workers' jobs
 * with their leftover processes, detection of pauses of this process, firing cron slots, and pruning by
 * retention.
 */
export class Maintenance {
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private pauseTimer: NodeJS.Timeout | null = null;
  /** When the pause tick is due: a tick (or a beat) much later than this means a pause. */
  private tickDue = 0;
  private beating = false;
  private beatAgain = false;
  private lastBeat = 0;
  private stopped = false;
  private readonly cron: CronFirer;
  private readonly pruner: Pruner;

  constructor(
    private readonly ctx: WorkerContext,
    private readonly hooks: MaintenanceHooks,
  ) {
    this.cron = new CronFirer(ctx);
    this.pruner = new Pruner(ctx);
  }

  /** Beats once (the first beat is awaited), then keeps beating and watching for pauses. */
  async start(): Promise<void> {
    this.tickDue = Date.now();
    await this.beat();
    this.watchForPauses();
    this.cron.start();
    this.pruner.start();
  }

  private nudgeTimer: NodeJS.Timeout | null = null;

  /**
   * A wake-up may carry a stop request, a cancel or a config change: look soon, not at the next
   * beat. One that comes too soon after a beat brings the next one forward rather than being lost.
   */
  nudge(): void {
    const wait = this.lastBeat + EAGER_BEAT_MS - Date.now();
    if (wait < 0) {
      void this.beat();
    } else if (!this.nudgeTimer && !this.stopped) {
      this.nudgeTimer = setTimeout(() => {
        this.nudgeTimer = null;
        void this.beat();
      }, wait + 1);
      this.nudgeTimer.unref();
    }
    this.cron.nudge();
  }

  stop(): void {
    this.stopped = true;
    this.cron.stop();
    this.pruner.stop();
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    if (this.nudgeTimer) clearTimeout(this.nudgeTimer);
  }

  private scheduleBeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => void this.beat(), beatIntervalMs(this.ctx.leaseMs));
    this.heartbeatTimer.unref();
  }

  /**
   * A tick that fires far later than asked means this process was paused (SIGSTOP, a suspended
   * machine, an event loop blocked by a lock wait): its runs may have been recovered meanwhile, so
   * it beats at once to learn which and kill them, rather than at its next scheduled beat.
   */
  private watchForPauses(): void {
    this.tickDue = Date.now() + PAUSE_TICK_MS;
    this.pauseTimer = setTimeout(() => {
      if (this.noticePause(Date.now())) void this.beat();
      if (!this.stopped) this.watchForPauses();
    }, PAUSE_TICK_MS);
    this.pauseTimer.unref();
  }

  /**
   * Whether this process was paused since the last tick was due. A paused worker saw nothing of the
   * others meanwhile (they may have been paused too), so it judges no lease for a lease. Asked by
   * the tick and by each beat: after a pause the beat's timer may fire before the tick's.
   */
  private noticePause(now: number): boolean {
    const due = this.tickDue;
    if (!wasPaused(due, now, this.ctx.leaseMs)) return false;
    this.tickDue = now;
    this.ctx.sawPause(now);
    const late = now - due;
    if (late > this.ctx.leaseMs) {
      const fields = { event: "worker.paused", worker_id: this.ctx.id, paused_ms: late };
      this.ctx.log.warn(fields, `this worker was paused for ${late} ms; beating now`);
    }
    return true;
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    if (this.beating) {
      this.beatAgain = true;
      return;
    }
    this.beating = true;
    this.lastBeat = Date.now();
    this.noticePause(this.lastBeat);
    try {
      await this.heartbeat();
      await this.reap(Date.now());
    } catch (error) {
      const reason = (error as Error).message;
      this.ctx.log.warn({ event: "heartbeat.failed", worker_id: this.ctx.id, reason }, `heartbeat failed: ${reason}`);
      if (error instanceof StoreLostError) this.hooks.storeLost(error);
    }
    this.beating = false;
    if (this.stopped) return;
    if (this.beatAgain) {
      this.beatAgain = false;
      void this.beat();
    } else {
      this.scheduleBeat();
    }
  }

  private async heartbeat(): Promise<void> {
    const { ctx, hooks } = this;
    await ctx.refreshConfig();
    const held = hooks.heldRuns();
    const answer = await ctx.writing(() =>
      ctx.store.heartbeat({ workerId: ctx.id, held, leaseMs: ctx.leaseMs, clock: Date.now }),
    );
    for (const id of answer.lost) {
      const run = held.find((h) => h.job_id === id);
      if (run) hooks.disown(run, "recovered by another worker while this one was paused or cut off");
    }
    for (const order of answer.cancel) hooks.cancel(order);
    const request = answer.stop;
    if (request === "gone") {
      // We were presumed dead (e.g. the machine slept); our jobs were recovered. Come back.
      ctx.log.warn(
        { event: "worker.reregistered", worker_id: ctx.id },
        "this worker's registration was removed (presumed lost); registering again",
      );
      await hooks.register();
    } else if (request && ctx.stopping !== "now" && request !== ctx.stopping) {
      hooks.stopRequested(request);
    }
  }

  /** Recovers jobs of lost workers: expired leases anywhere, and dead pids on this host at once. */
  private async reap(now: number): Promise<void> {
    const { ctx } = this;
    const workers = await ctx.store.listWorkers();
    const deadWorkerIds = workers
      .filter((w) => w.host === ctx.host && w.id !== ctx.id && w.pid !== process.pid && !pidAlive(w.pid))
      .map((w) => w.id);
    // Leases (and stale worker rows) are judged only by a worker that saw the store work all along.
    const judgeLeases = ctx.mayJudgeLeases(now);
    const staleBefore = judgeLeases ? now - 5 * ctx.leaseMs : 0;
    if (!judgeLeases && deadWorkerIds.length === 0) return;
    const hook = deadHook(ctx.config);
    const onDead = (dead: DeadJobFacts) => deadHookJob(dead, hook, now);
    const recovered = await ctx.writing(() =>
      ctx.store.reap({ now, deadWorkerIds, staleBefore, judgeLeases, deadHook: onDead, leaseMs: ctx.leaseMs }),
    );
    const killed = killOrphanedJobs(deadWorkerIds);
    if (killed > 0) {
      ctx.log.warn(
        { event: "recovery.killed", worker_id: ctx.id, processes: killed, dead_workers: deadWorkerIds },
        `killed ${killed} leftover process(es) of dead worker(s) ${deadWorkerIds.join(", ")}`,
      );
    }
    if (recovered.length > 0) {
      ctx.log.warn(
        { event: "recovery.recovered", worker_id: ctx.id, jobs: recovered.length, job_ids: recovered.slice(0, 100) },
        `recovered ${recovered.length} job(s) of lost workers: ${recovered.slice(0, 10).join(", ")}`,
      );
      ctx.store.notify();
      // Some may have gone to the DLQ: a wait for them must hear it.
      ctx.store.notifyFinished();
      ctx.wakeup.wake();
    }
  }
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
