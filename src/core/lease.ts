/**
 * Lease rules, decided once here and applied by the worker pool and both engines.
 *
 * A claimed job carries a lease (lease_until) that its worker's heartbeat renews. A lease that ran
 * out means the worker is lost — but only if the store could have taken the heartbeat: time the
 * store was busy (SQLite's write lock held by a big insert) or unreachable is not a missed beat.
 * Three rules keep that fair:
 * - a heartbeat dates the new lease from the moment its write can proceed (the engine reads the
 *   clock inside the transaction), not from when the worker asked;
 * - a worker judges other workers' leases only after it has itself seen the store writable without
 *   a stall for a whole lease (StoreWatch): a reaper that just waited for the lock has no evidence
 *   that the others could beat meanwhile;
 * - a store with one write lock (SQLite) remembers its last long hold, and a lease that ran out
 *   during it is excused for a lease after it ended (leaseExcused): a reaper that reached the lock
 *   just as the hold ended saw no stall, while the holder may still be waiting its turn.
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
 * A write transaction that held the store's one write lock this long is recorded by the store:
 * shorter than the beat interval of the shortest lease (1 s / 3), so every hold that could have
 * kept a heartbeat out is seen, and long enough that claims and finishes never pay for it.
 */
export const LONG_HOLD_MS = 200;

/** The last long hold of a store's write lock: when it began and ended (ms). */
export interface StoreHold {
  from: number;
  until: number;
}

/**
 * Whether a lease that ran out at `leaseUntil` is excused by the store's last long hold: the hold
 * began before the lease ran out, so the holder's heartbeat may have been waiting behind it, and
 * less than a lease has passed since it ended, so the holder may not have had its turn yet.
 */
export function leaseExcused(leaseUntil: number, hold: StoreHold | null, now: number, leaseMs: number): boolean {
  return hold !== null && hold.from <= leaseUntil && now < hold.until + leaseMs;
}

/**
 * A timer that fires this much later than asked means the process was not running (SIGSTOP, a
 * suspended machine, an event loop blocked by a synchronous lock wait): more than a beat interval.
 * The worker then beats at once (its runs may have been recovered meanwhile) and judges no lease
 * for a lease (StoreWatch).
 */
export function wasPaused(scheduledAt: number, firedAt: number, leaseMs: number): boolean {
  return firedAt - scheduledAt > beatIntervalMs(leaseMs);
}

/**
 * What one worker has seen of the store: when its writes last stalled, or it was itself paused. A
 * stall is a write that waited longer than a beat interval, or one that failed; a pause is this
 * process not running for longer than a beat interval (wasPaused). Either way the worker cannot
 * tell whether the others could beat meanwhile (a suspended machine pauses them all, a lock that
 * blocked this process blocked them too), so it holds off judging their leases until a full lease
 * has passed since.
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

  /** This process was paused (not running) until `at`. */
  paused(at: number): void {
    this.stalled(at);
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
