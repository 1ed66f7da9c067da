import { prune } from "../core/prune.js";
import { pruneTargets } from "../core/retention.js";
import type { WorkerContext } from "./context.js";

/** How often a worker looks for finished jobs past their retention (and once soon after it starts). */
const PRUNE_EVERY_MS = 60_000;
const FIRST_PRUNE_MS = 1_000;
/**
 * Pause between two batches, so that claims and finishes get the store between them: four times as
 * long as the batch took (at least 50 ms), so pruning holds the store (and, on SQLite, this
 * worker's event loop) at most a fifth of the time, however slow the disk.
 */
const PAUSE_PER_BATCH_MS = 4;
const MIN_PAUSE_MS = 50;

/**
 * Retention, applied by every worker at a low rate: no leader is needed, since two workers pruning
 * at once delete different rows (or the same rows once). Batches are small (core/prune.ts) and
 * spaced out, so a large backlog never stalls claims.
 */
export class Pruner {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;

  constructor(private readonly ctx: WorkerContext) {}

  start(): void {
    this.schedule(FIRST_PRUNE_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    const { ctx } = this;
    try {
      const targets = pruneTargets(ctx.config, Date.now());
      let resumed = Date.now();
      const between = async (): Promise<void> => {
        const pause = Math.max(MIN_PAUSE_MS, PAUSE_PER_BATCH_MS * (Date.now() - resumed));
        await new Promise((resolve) => setTimeout(resolve, pause));
        resumed = Date.now();
      };
      const results = await prune(ctx.store, targets, {
        between,
        stop: () => this.stopped || ctx.stopping !== null,
      });
      for (const { what, removed } of results) {
        if (removed === 0) continue;
        const fields = { event: "prune.done", worker_id: ctx.id, what, removed };
        ctx.log.info(
          fields,
          what === "output" ? `dropped output past retention of ${removed} run(s)` : `pruned ${removed} ${what} job(s)`,
        );
      }
    } catch (error) {
      const reason = (error as Error).message;
      ctx.log.warn(
        { event: "prune.failed", worker_id: ctx.id, reason },
        `pruning failed (tried again later): ${reason}`,
      );
    }
    this.running = false;
    this.schedule(PRUNE_EVERY_MS);
  }
}
