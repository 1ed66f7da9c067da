import type { WorkerInfo } from "./types.js";

/**
 * What a registered worker is doing, judged by one rule for every face: a worker whose heartbeat is
 * older than a lease is lost (killed, or its machine gone) and offers no capacity.
 */
/** Slots one worker process may run at once. */
export const MAX_SLOTS = 256;

export type WorkerStatus = "alive" | "draining" | "stopping" | "lost";

export function isLive(worker: WorkerInfo, leaseMs: number, now: number): boolean {
  return now - worker.heartbeat_at <= leaseMs;
}

/** alive: heartbeat within the lease; draining/stopping: asked to stop; lost: no heartbeat. */
export function workerStatus(worker: WorkerInfo, leaseMs: number, now: number): WorkerStatus {
  if (!isLive(worker, leaseMs, now)) return "lost";
  if (worker.stop_requested === "drain") return "draining";
  return worker.stop_requested === "now" ? "stopping" : "alive";
}

/** Slots of the live workers, and how many of them run a job now. */
export function capacity(workers: WorkerInfo[], leaseMs: number, now: number): { slots: number; busy: number } {
  let slots = 0;
  let busy = 0;
  for (const worker of workers) {
    if (!isLive(worker, leaseMs, now)) continue;
    slots += worker.slots;
    busy += worker.running.length;
  }
  return { slots, busy };
}
