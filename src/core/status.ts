import { configFromStored } from "./config.js";
import { BLOCKED_RUN_AT } from "./job-state.js";
import { leaseMs } from "./lease.js";
import type { Store } from "./store.js";
import { capacity, isLive } from "./workers.js";
import type { StateCounts, WorkerInfo } from "./types.js";

export interface QueueStatus {
  counts: StateCounts;
  workers: WorkerInfo[];
  /** Who can run jobs, and whether ready jobs wait for them. */
  health: {
    live_workers: number;
    lost_workers: number;
    /** Slots of the live workers, and how many of them run a job. */
    slots: number;
    busy_slots: number;
    /** How long the longest-waiting ready job has been due, or null when none is due. */
    oldest_ready_ms: number | null;
    /** When the next pending or failed job is due (epoch ms), or null. */
    next_run_at: number | null;
  };
}

/** The queue's health at `now`, from what the store holds (`nextRunAt`: the earliest due time). */
export function queueStatus(
  counts: StateCounts,
  workers: WorkerInfo[],
  nextRunAt: number | null,
  leaseMs: number,
  now: number,
): QueueStatus {
  const live = workers.filter((worker) => isLive(worker, leaseMs, now)).length;
  const { slots, busy } = capacity(workers, leaseMs, now);
  return {
    counts,
    workers,
    health: {
      live_workers: live,
      lost_workers: workers.length - live,
      slots,
      busy_slots: busy,
      oldest_ready_ms: nextRunAt !== null && nextRunAt <= now ? now - nextRunAt : null,
      // Jobs blocked by dependencies wait at BLOCKED_RUN_AT: not a time anything is due.
      next_run_at: nextRunAt !== null && nextRunAt < BLOCKED_RUN_AT ? nextRunAt : null,
    },
  };
}

/** The status read from the store at `now`, with the lease its worker statuses are judged by. */
export async function readStatus(store: Store, now: number): Promise<{ status: QueueStatus; lease: number }> {
  const [counts, workers, settings, next] = await Promise.all([
    store.countJobs(),
    store.listWorkers(),
    store.getSettings(),
    store.nextRunAt(),
  ]);
  const lease = leaseMs(configFromStored(settings));
  return { status: queueStatus(counts, workers, next, lease, now), lease };
}
