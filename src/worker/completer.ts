import { isUnavailable } from "../core/errors.js";
import { isFinished } from "../core/job-state.js";
import type { ClaimedJob } from "../core/types.js";
import { backoff, type FinishedRun, type RunRef, type WorkerContext } from "./context.js";
import { FinishNotice } from "./finish-notice.js";
import type { RunTable } from "./runs.js";

/** How often a run the store refuses (for a reason other than being unavailable) is tried. */
const REFUSED_TRIES = 5;

/**
 * Records finished runs. Runs that end while a write is in flight join the next one (group commit),
 * and that same write claims jobs for the slots they freed (one commit per cycle on SQLite). A result
 * is never dropped while the store is unreachable: the batch is kept and retried with back-off. A run
 * the store reports as not held was recovered by another worker meanwhile; its result is not
 * recorded. A run whose write fails for another reason is tried alone a few times, then given up.
 */
export class Completer {
  private finished: FinishedRun[] = [];
  /** How often the store refused each run held here (for a reason other than being unavailable). */
  private readonly refusals = new WeakMap<FinishedRun, number>();
  private flushing: Promise<void> | null = null;
  private flushScheduled = false;
  private readonly notice: FinishNotice;

  constructor(
    private readonly ctx: WorkerContext,
    private readonly table: RunTable,
    /** Starts the jobs claimed along with a write. */
    private readonly start: (claim: ClaimedJob) => void,
  ) {
    this.notice = new FinishNotice(() => ctx.store.notifyFinished());
  }

  add(run: FinishedRun): void {
    this.finished.push(run);
    this.scheduleFlush();
  }

  /** A run that is no longer this worker's: if its result waits here, it would be refused; drop it. */
  drop(run: RunRef): boolean {
    const before = this.finished.length;
    this.finished = this.finished.filter((f) => !(f.job_id === run.job_id && f.attempt === run.attempt));
    return this.finished.length < before;
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

  /** Writes until nothing waits (or the store is lost); resolves then. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      let failures = 0;
      while (this.finished.length > 0 && !this.ctx.lost) {
        const batch = this.finished;
        this.finished = [];
        try {
          await this.write(batch);
          failures = 0;
        } catch (error) {
          if (isUnavailable(error)) {
            this.finished = [...batch, ...this.finished];
            failures++;
            const reason = (error as Error).message;
            this.ctx.log.warn(
              { event: "finish.failed", worker_id: this.ctx.id, jobs: batch.length, reason },
              `cannot record ${batch.length} finished job(s): ${reason}; retrying`,
            );
            await sleep(backoff(failures));
          } else if (!this.ctx.lost) {
            await this.writeEach(batch);
          }
        }
      }
      this.flushing = null;
    })();
    return this.flushing;
  }

  /**
   * The store refused a batch for a reason of its own (not for being unavailable): records its runs
   * one at a time, so that one run it refuses keeps none of the others waiting. A refused run is
   * tried again after a back-off, and given up after REFUSED_TRIES: no longer held, its lease runs
   * out and it is recovered like any lost run (its job retried by the policy).
   */
  private async writeEach(batch: FinishedRun[]): Promise<void> {
    const { ctx } = this;
    const again: FinishedRun[] = [];
    for (const [i, run] of batch.entries()) {
      try {
        this.recorded([run], await ctx.writing(() => ctx.store.finishRuns([run])));
        if (run.next.state !== "requeue" && isFinished(run.next.state)) this.notice.recorded();
      } catch (error) {
        if (isUnavailable(error) || ctx.lost) {
          this.finished = [...again, ...batch.slice(i), ...this.finished];
          return;
        }
        const reason = (error as Error).message;
        const what = `job ${run.job_id} attempt ${run.attempt}`;
        const refusals = (this.refusals.get(run) ?? 0) + 1;
        const fields = { worker_id: ctx.id, job_id: run.job_id, attempt: run.attempt, reason };
        if (refusals < REFUSED_TRIES) {
          this.refusals.set(run, refusals);
          again.push(run);
          ctx.log.warn(
            { event: "finish.refused", ...fields, tries: refusals },
            `cannot record ${what}: ${reason}; trying again (${refusals} of ${REFUSED_TRIES})`,
          );
        } else {
          this.table.letGo(run);
          ctx.log.error(
            { event: "finish.abandoned", ...fields, tries: refusals },
            `gave up recording ${what}: the store refused it ${refusals} times (${reason}); ` +
              "it is recovered like a lost run once its lease runs out",
          );
        }
      }
    }
    // The slots these runs held may be free now: the claim loop looks for work.
    ctx.wakeup.wake();
    if (again.length === 0) return;
    await sleep(backoff(Math.max(...again.map((run) => this.refusals.get(run) ?? 1))));
    this.finished = [...again, ...this.finished];
  }

  private async write(batch: FinishedRun[]): Promise<void> {
    const { ctx, table } = this;
    const free = ctx.stopping ? 0 : table.free();
    table.reserve(free);
    let answer: { claimed: ClaimedJob[]; refused: string[] };
    try {
      answer = await ctx.writing(async () =>
        free > 0
          ? ctx.store.finishAndClaim(batch, {
              workerId: ctx.id,
              limit: free,
              now: Date.now(),
              leaseMs: ctx.leaseMs,
              queues: ctx.queues,
            })
          : { claimed: [], refused: await ctx.store.finishRuns(batch) },
      );
    } finally {
      table.release(free);
    }
    this.recorded(batch, answer.refused);
    // Waiters care about jobs that reached an end, not about runs that will be retried.
    if (batch.some((run) => run.next.state !== "requeue" && isFinished(run.next.state))) this.notice.recorded();
    for (const claim of answer.claimed) this.start(claim);
    // The claim loop is needed only if this claim left slots free (nothing more ready: it works
    // out how long to sleep) or the pool is stopping (it waits for the last run).
    if (free === 0 || answer.claimed.length < free) ctx.wakeup.wake();
  }

  /** After a finish was written: the runs are no longer held; refused ones were recorded by no one. */
  private recorded(batch: FinishedRun[], refused: string[]): void {
    for (const run of batch) {
      this.table.letGo(run);
      if (refused.includes(run.job_id)) {
        const what = `job ${run.job_id} attempt ${run.attempt}`;
        this.ctx.log.warn(
          { event: "job.result_refused", job_id: run.job_id, attempt: run.attempt, worker_id: this.ctx.id },
          `${what}: result refused (the run was recovered meanwhile); nothing recorded`,
        );
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
