/**
 * Lease rules, decided once here and applied by the worker pool and both engines.
 *
 * A claimed job carries a lease (lease_until) that its worker's heartbeat renews. A lease that ran
 * out means the worker is lost — but only if the store could have taken the heartbeat: time the
 * store was busy (SQLite's write lock held by a big insert) or unreachable is not a missed beat.
 * Two rules keep that fair:
 * - a heartbeat dates the new lease from the moment its write can proceed (the engine reads the
 *   clock inside the transaction), not from when the worker asked;
 * - a worker judges other workers' leases only after it has itself seen the store writable without
 *   a stall for a whole lease (StoreWatch): a reaper that just waited for the lock has no evidence
 *   that the others could beat meanwhile.
 */

import type { Config } from "./config.js";

/** How long a lease lasts, in ms: the lease-seconds setting. */
export function leaseMs(config: Config): number {
  return config["lease-seconds"] * 1000;
}

/** Heartbeats per lease: one late beat never costs a job. */
export const BEATS_PER_LEASE = 3;

export function beatIntervalMs(leaseMs: number): number {
  return leaseMs / BEATS_PER_LEASE;
}

/** Whether a lease that ends at `leaseUntil` has run out at `now` (the engines' SQL says the same). */
export function leaseExpired(leaseUntil: number, now: number): boolean {
  return leaseUntil < now;
}

/**
 * A timer that fires this much later than asked means the process was not running (SIGSTOP, a
 * suspended machine, an event loop blocked by a synchronous lock wait): more than a beat interval.
 * The worker then beats at once: its runs may have been recovered meanwhile.
 */
export function wasPaused(scheduledAt: number, firedAt: number, leaseMs: number): boolean {
  return firedAt - scheduledAt > beatIntervalMs(leaseMs);
}

/**
 * What one worker has seen of the store: when its writes last stalled. A stall is a write that
 * waited longer than a beat interval, or one that failed; either way the worker cannot tell whether
 * the others could beat meanwhile, so it holds off judging their leases until a full lease has
 * passed since.
 */
export class StoreWatch {
  private lastStall: number;

  /** A worker that has just started has seen nothing yet: it starts as if it had just stalled. */
  constructor(startedAt: number) {
    this.lastStall = startedAt;
  }

  /** Records one write that ran from `startedAt` to `endedAt`; `ok` false if it failed. */
  wrote(startedAt: number, endedAt: number, ok: boolean, leaseMs: number): void {
    if (!ok || endedAt - startedAt > beatIntervalMs(leaseMs)) this.stalled(endedAt);
  }

  /** The store was not seen working until `at`. */
  private stalled(at: number): void {
    this.lastStall = Math.max(this.lastStall, at);
  }

  /** Whether this worker may recover jobs because their lease expired. */
  mayJudgeLeases(now: number, leaseMs: number): boolean {
    return now - this.lastStall >= leaseMs;
  }
}
