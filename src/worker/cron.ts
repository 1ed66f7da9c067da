import { fireDueSchedules } from "../core/schedules.js";
import { backoff, type WorkerContext } from "./context.js";

/** With no schedule due sooner, look again this often (an added schedule also wakes us at once). */
const IDLE_MS = 60_000;
/** Wake-ups (every enqueue rings one) re-read the next slot at most this often. */
const NUDGE_MS = 250;

/**
 * Fires cron slots as they come due: sleeps until the earliest next slot of any schedule, fires
 * what is due, sleeps again. Every worker does this with no leader: the store lets one firing of a
 * slot win (core/schedules.ts). Idle, it costs one short read a minute or per schedule change.
 */
export class CronFirer {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private lastTick = 0;
  private failures = 0;

  constructor(private readonly ctx: WorkerContext) {}

  start(): void {
    void this.tick();
  }

  /** Schedules may have changed (a wake-up): look again soon. */
  nudge(): void {
    if (this.stopped) return;
    this.arm(Math.max(0, this.lastTick + NUDGE_MS - Date.now()));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private arm(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const { ctx } = this;
    // A stopping worker takes no new work: it leaves the slots to the workers that stay.
    if (ctx.stopping !== null) return this.stop();
    this.running = true;
    this.lastTick = Date.now();
    let delay: number;
    try {
      await this.fire();
      const next = await ctx.store.nextScheduleSlot();
      // +1 ms: a timer may fire a hair before the wall clock reaches the slot.
      delay = next === null ? IDLE_MS : Math.min(IDLE_MS, Math.max(0, next - Date.now()) + 1);
      this.failures = 0;
    } catch (error) {
      const reason = (error as Error).message;
      ctx.log.warn({ event: "cron.failed", worker_id: ctx.id, reason }, `firing cron schedules failed: ${reason}`);
      delay = backoff(++this.failures);
    }
    this.running = false;
    if (this.stopped) return;
    if (this.again) {
      this.again = false;
      delay = 0;
    }
    this.arm(delay);
  }

  private async fire(): Promise<void> {
    const { ctx } = this;
    const now = Date.now();
    const result = await ctx.writing(() => fireDueSchedules(ctx.store, ctx.config, now));
    for (const { name, reason } of result.broken) {
      ctx.log.warn(
        { event: "cron.broken", worker_id: ctx.id, schedule: name, reason },
        `schedule ${name} cannot be planned (retrying in a minute): ${reason}`,
      );
    }
    if (result.skipped > 0) {
      ctx.log.info(
        { event: "cron.skipped", worker_id: ctx.id, slots: result.skipped },
        `skipped ${result.skipped} cron slot(s): the schedule's previous job has not finished (overlap skip)`,
      );
    }
    if (result.jobs.length === 0) return;
    ctx.log.info(
      { event: "cron.fired", worker_id: ctx.id, jobs: result.jobs.length, job_ids: result.jobs.slice(0, 100) },
      `cron: enqueued ${result.jobs.length} job(s): ${result.jobs.slice(0, 10).join(", ")}`,
    );
    ctx.store.notify();
    ctx.wakeup.wake();
  }
}
