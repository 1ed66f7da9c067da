import type { DeadJobFacts } from "./on-dead.js";
import type { JobStore } from "./store-jobs.js";
import type { JobActionStore } from "./store-job-actions.js";
import type { MetricsStore } from "./store-metrics.js";
import type { RetentionStore } from "./store-retention.js";
import type { RunStore } from "./store-runs.js";
import type { ScheduleStore } from "./store-schedules.js";
import type { SettingsStore } from "./store-settings.js";
import type { WakeUpStore } from "./store-wake-ups.js";
import type { WorkerStore } from "./store-workers.js";
import type { NewJob } from "./types.js";

// The contract is written by area, one module each (store-*.ts); importers reach it all from here.
export type * from "./store-jobs.js";
export type * from "./store-job-actions.js";
export type * from "./store-metrics.js";
export type * from "./store-retention.js";
export type * from "./store-runs.js";
export type * from "./store-schedules.js";
export type * from "./store-settings.js";
export type * from "./store-wake-ups.js";
export type * from "./store-workers.js";

export interface ReapOptions {
  now: number;
  /**
   * Whether expired leases are judged now (default true). False when the caller has not seen the
   * store writable for a whole lease (core/lease.ts): then only `deadWorkerIds` are recovered.
   */
  judgeLeases?: boolean;
  /** Workers known to be gone (e.g. a dead pid on this host): their jobs are recovered at once. */
  deadWorkerIds: string[];
  /**
   * The lease length. Given, an engine with one write lock (SQLite) excuses a lease that ran out
   * during its last long hold, for a lease after the hold (core/lease.ts leaseExcused).
   */
  leaseMs?: number;
  /**
   * For each job the reap sends to dead: the on-dead hook's job to insert in the same transaction
   * (core/on-dead.ts deadHookJob), or null for none. Absent: no hooks.
   */
  deadHook?: (dead: DeadJobFacts) => NewJob | null;
  /** Worker rows whose heartbeat is older than this are removed (their jobs recover by lease). */
  staleBefore: number;
}

/**
 * The Store contract. Both engines (SQLite, PostgreSQL) pass one shared contract suite
 * (test/store/contract.ts). All times are epoch milliseconds. Every method that changes several
 * rows does it in one transaction: it happens whole or not at all.
 */
export interface Store
  extends
    JobStore,
    JobActionStore,
    RunStore,
    WorkerStore,
    SettingsStore,
    MetricsStore,
    ScheduleStore,
    RetentionStore,
    WakeUpStore {
  readonly engine: "sqlite" | "postgres";
  /** A short description for people: a file path or a URL without its password. */
  readonly location: string;

  /** Creates or upgrades the schema (versioned migrations). Safe from several processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Recovers jobs of lost workers: processing jobs whose lease_until < now (if `judgeLeases`), or
   * held by one of `deadWorkerIds`. What becomes of each is decided by core/rescue.ts (failed and
   * due now while retries are left, else dead) and applied here: the job moves there with the
   * decided error as last_error, and its running attempt gets outcome "lost" with the same error.
   * A job whose cancel was requested ends cancelled (rescue.ts is told so through LostJob).
   * Removes the rows of dead and stale workers.
   * Returns the ids of recovered jobs.
   */
  reap(options: ReapOptions): Promise<string[]>;
}
