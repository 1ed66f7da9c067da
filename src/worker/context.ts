import type { Config } from "../core/config.js";
import type { StoreLostError } from "../core/errors.js";
import { leaseMs, StoreWatch } from "../core/lease.js";
import type { Queue } from "../core/queue.js";
import type { HeartbeatAnswer } from "../core/store.js";
import type { Log } from "./log.js";
import { Wakeup } from "./wakeup.js";

// The worker's one door to the store's own types: the other parts import them from here.
export type { FinishedRun, RunRef } from "../core/store.js";
/** A held run whose job a user cancelled, and how to stop it. */
export type CancelRun = HeartbeatAnswer["cancel"][number];

export type StopMode = "drain" | "now";

/** Back-off bounds when the store cannot be reached. */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 10_000;
/** How long a failed run waits for fresh settings before it is recorded with the ones held. */
const FAILURE_CONFIG_WAIT_MS = 1_000;

export function backoff(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (failures - 1));
}

/**
 * What the parts of one worker share: who it is, its store, its current config, whether it is
 * stopping, and one wake-up that any part can ring when there may be work (or an end) to see to.
 */
export class WorkerContext {
  readonly wakeup = new Wakeup();
  /** Read at start, refreshed by every heartbeat and before a failed run is recorded. */
  config!: Config;
  stopping: StopMode | null = null;
  /** The queues this worker serves; null = all. */
  queues: string[] | null = null;
  /** The store was lost (its file deleted or replaced): stop at once and record nothing. */
  lost: StoreLostError | null = null;
  /** When the store last stalled for this worker: it judges others' leases only a lease after. */
  private readonly watch = new StoreWatch(Date.now());

  constructor(
    private readonly queue: Queue,
    readonly id: string,
    readonly host: string,
    readonly log: Log,
  ) {}

  get store(): Queue["store"] {
    return this.queue.store;
  }

  get leaseMs(): number {
    return leaseMs(this.config);
  }

  async refreshConfig(): Promise<void> {
    this.config = await this.queue.config();
  }

  /**
   * Re-reads the settings before a failed run is recorded: its retry and on-dead hook follow a
   * `config set` made before the failure, not the one the last heartbeat saw. A store that does
   * not answer within a beat keeps the settings already held; recording the run matters more.
   */
  async refreshConfigForFailure(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, FAILURE_CONFIG_WAIT_MS)));
    await Promise.race([this.refreshConfig().catch(() => {}), late]);
    clearTimeout(timer);
  }

  /** This process was paused until `at`: it judges no lease for a lease (core/lease.ts). */
  sawPause(at: number): void {
    this.watch.paused(at);
  }

  /** Whether this worker has seen the store work long enough to judge others' leases. */
  mayJudgeLeases(now: number): boolean {
    return this.watch.mayJudgeLeases(now, this.leaseMs);
  }

  /**
   * One write to the store, timed: a write that waited longer than a beat interval, or failed,
   * tells this worker the store stalled (core/lease.ts).
   */
  async writing<T>(write: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const result = await write();
      const ended = Date.now();
      this.watch.wrote(started, ended, true, this.leaseMs);
      if (ended - started > this.leaseMs) {
        const busy_ms = ended - started;
        this.log.warn(
          { event: "store.busy", worker_id: this.id, busy_ms },
          `the store was busy for ${busy_ms} ms; judging no lease until it has worked for a lease`,
        );
      }
      return result;
    } catch (error) {
      this.watch.wrote(started, Date.now(), false, this.leaseMs);
      throw error;
    }
  }
}
