import { setTimeout as sleep } from "node:timers/promises";
import { PRUNE_BATCH } from "./retention.js";
import type { Store } from "./store.js";

/**
 * How fast retention prunes, and when it hands space back: the rule both engines follow.
 *
 * A batch is one transaction, so claims wait for at most one batch. Its size adapts so that a
 * batch takes about TARGET_BATCH_MS: on a fast store 500 rows take a few milliseconds, and the
 * fixed per-batch costs (and the pause's floor) would cap pruning well below what a busy queue
 * finishes.
 */
const TARGET_BATCH_MS = 20;
const MAX_BATCH = 5000;
/**
 * Between two batches of a worker's pruner, four times as long as the batch took (at least
 * 50 ms): pruning holds the store (and, on SQLite, the worker's event loop) at most a fifth of the
 * time, however slow the disk, so claims keep at least four fifths of their rate.
 */
const PAUSE_PER_BATCH = 4;
const MIN_PAUSE_MS = 50;
/**
 * Space is handed back at most this often while pruning, and once at the end. Every reclaim ends
 * with a checkpoint (SQLite), which writes and syncs every page changed since the last one: done
 * after each batch, it cost more than the deletes themselves. Not much rarer, though: the pages the
 * pruner writes are then checkpointed within its paced time, rather than by a claim's commit that
 * happens to fill the WAL (with 10 s, claims ran at about half their rate while a backlog went).
 */
const RECLAIM_EVERY_MS = 1_000;
/** Steps of one reclaim at most (each frees a bounded number of pages): space freed faster comes back at the next. */
const MAX_RECLAIM_STEPS = 64;

/** How often a worker looks for work past retention (and once soon after it starts). */
export const PRUNE_EVERY_MS = 60_000;
export const FIRST_PRUNE_MS = 1_000;
/**
 * After a run that had more than a batch to do, the next starts this soon: on a busy queue the
 * jobs that aged past retention during the run are already a backlog, and waiting a whole period
 * would let it grow by a period's worth of jobs every time.
 */
export const BUSY_PRUNE_AGAIN_MS = 1_000;

/**
 * Sizes the batches of one prune and, for a worker's pruner (`paused`), spaces them; counts what
 * was freed and reclaims it on the schedule above. A pruner keeps one across its runs, so that
 * back-to-back runs on a busy queue reclaim every RECLAIM_EVERY_MS, not after every run.
 */
export class PrunePace {
  /** Rows the next batch may remove. */
  batch = PRUNE_BATCH;
  private freed = 0;
  private lastReclaim = Date.now();

  constructor(private readonly paused: boolean) {}

  /** Times one call to the store: the batch size follows its cost per row, and a pause follows it. */
  async step<T>(work: () => Promise<T>, rows: (result: T) => number): Promise<T> {
    const t0 = performance.now();
    const result = await work();
    const ms = performance.now() - t0;
    const n = rows(result);
    if (n >= this.batch && ms > 0) {
      const fit = Math.round((TARGET_BATCH_MS * n) / ms);
      this.batch = Math.min(MAX_BATCH, Math.max(PRUNE_BATCH, fit));
    }
    if (this.paused) await sleep(Math.max(MIN_PAUSE_MS, PAUSE_PER_BATCH * ms));
    return result;
  }

  /** `rows` rows (jobs, or runs' output) were deleted: their space is waiting to be reclaimed. */
  freedRows(rows: number): void {
    this.freed += rows;
  }

  /** Reclaims what was freed if the last reclaim is old enough (`now`: whatever its age). */
  async reclaim(store: Store, options: { now?: boolean; stop?: () => boolean } = {}): Promise<void> {
    if (this.freed === 0) return;
    if (!options.now && Date.now() - this.lastReclaim < RECLAIM_EVERY_MS) return;
    this.freed = 0;
    for (let i = 0; i < MAX_RECLAIM_STEPS && !options.stop?.(); i++) {
      const more = await this.step(
        () => store.reclaimSpace(),
        () => 0,
      );
      if (!more) break;
    }
    this.lastReclaim = Date.now();
  }
}

/** Whether a pruner's run found a backlog (more than a batch of some target): run again soon. */
export function hadBacklog(removed: number[]): boolean {
  return removed.some((n) => n > PRUNE_BATCH);
}
