import { prune, type PruneResult } from "../core/prune.js";
import { BUSY_PRUNE_AGAIN_MS, FIRST_PRUNE_MS, PRUNE_EVERY_MS, PrunePace, hadBacklog } from "../core/prune-pace.js";
import { pruneTargets } from "../core/retention.js";
import type { WorkerContext } from "./context.js";

/**
 * Retention, applied by every worker at a low rate: no leader is needed, since two workers pruning
 * at once delete different rows (or the same rows once). Batches are bounded and spaced out
 * (core/prune-pace.ts), so a large backlog never stalls claims; a run that found a backlog is
 * followed by another soon, so that pruning keeps up with a busy queue.
 */
export class Pruner {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;
  /** Kept across runs: the batch size it learnt, and when it last gave space back. */
  private readonly pace = new PrunePace(true);
  /** Removed since the last log line: back-to-back runs on a busy queue log once a period. */
  private readonly unlogged = new Map<PruneResult["what"], number>();
  private loggedAt = Date.now();

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
    const { ctx, pace } = this;
    let again = PRUNE_EVERY_MS;
    try {
      const targets = pruneTargets(ctx.config, Date.now());
      const stop = () => this.stopped || ctx.stopping !== null;
      const results = await prune(ctx.store, targets, { pace, stop });
      if (hadBacklog(results.map((r) => r.removed))) again = BUSY_PRUNE_AGAIN_MS;
      // Caught up: what this and the runs before freed goes back now, not a period later.
      await pace.reclaim(ctx.store, { now: again === PRUNE_EVERY_MS, stop });
      for (const { what, removed } of results) this.unlogged.set(what, (this.unlogged.get(what) ?? 0) + removed);
      if (again === PRUNE_EVERY_MS || stop() || Date.now() - this.loggedAt >= PRUNE_EVERY_MS) this.log();
    } catch (error) {
      const reason = (error as Error).message;
      ctx.log.warn(
        { event: "prune.failed", worker_id: ctx.id, reason },
        `pruning failed (tried again later): ${reason}`,
      );
    }
    this.running = false;
    this.schedule(again);
  }

  private log(): void {
    const { ctx } = this;
    for (const [what, removed] of this.unlogged) {
      if (removed === 0) continue;
      const fields = { event: "prune.done", worker_id: ctx.id, what, removed };
      ctx.log.info(
        fields,
        what === "output" ? `dropped output past retention of ${removed} run(s)` : `pruned ${removed} ${what} job(s)`,
      );
    }
    this.unlogged.clear();
    this.loggedAt = Date.now();
  }
}
