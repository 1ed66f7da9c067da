import { jobJson, workerJson, type JobJson } from "../core/json.js";
import type { Queue } from "../core/queue.js";
import type { StateCounts } from "../core/types.js";

/** What the live stream tells browsers: changed jobs, the worker list when it changes, counts. */
export type FeedEvent =
  | { type: "jobs"; data: JobJson[] }
  | { type: "counts"; data: StateCounts }
  | { type: "workers"; data: ReturnType<typeof workerJson>[] };

type Listener = (event: FeedEvent) => void;

const INTERVAL_MS = 300;
/** Re-read this much of the past on each poll: another process may commit a change stamped a
 * little before our last look (its clock read came before its commit). Duplicates are dropped. */
const LOOKBACK_MS = 1500;
const BATCH = 500;

/**
 * One poller shared by every connected browser: it reads `jobsUpdatedSince` and the worker list
 * every ~300 ms while at least one listener is subscribed, and stops when the last one leaves.
 * A store-agnostic poll (rather than SQLite hooks or LISTEN) works for both engines and for
 * changes made by other processes and machines.
 */
export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | null = null;
  private since = 0;
  /** `id@updated_at` of changes already sent, for the overlap the lookback re-reads. */
  private readonly sent = new Map<string, number>();
  private lastWorkers = "";
  private polling = false;

  constructor(
    private readonly queue: Queue,
    private readonly log: (line: string) => void = () => {},
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.timer === null) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private start(): void {
    this.since = Date.now() - LOOKBACK_MS;
    this.sent.clear();
    this.lastWorkers = "";
    this.timer = setInterval(() => void this.poll(), INTERVAL_MS);
    this.timer.unref();
  }

  /** One round; skipped if the previous one is still running (a slow store must not pile up). */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.pollJobs();
      await this.pollWorkers();
    } catch (error) {
      this.log(`live feed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.polling = false;
    }
  }

  private async pollJobs(): Promise<void> {
    const now = Date.now();
    const rows = await this.queue.store.jobsUpdatedSince(this.since, BATCH);
    const fresh = rows.filter((job) => !this.sent.has(`${job.id}@${job.updated_at}`));
    for (const job of fresh) this.sent.set(`${job.id}@${job.updated_at}`, job.updated_at);

    // A full batch means more changes wait: page forward. Otherwise look back again next time.
    const full = rows.length === BATCH;
    const newest = rows.at(-1)?.updated_at ?? this.since;
    this.since = full ? newest : Math.min(newest, now - LOOKBACK_MS);
    for (const [key, at] of this.sent) if (at <= this.since) this.sent.delete(key);

    if (fresh.length === 0) return;
    this.emit({ type: "jobs", data: fresh.map((job) => jobJson(job, now)) });
    this.emit({ type: "counts", data: await this.queue.counts() });
  }

  private async pollWorkers(): Promise<void> {
    const [workers, config] = await Promise.all([this.queue.workers(), this.queue.config()]);
    const leaseMs = config["lease-seconds"] * 1000;
    const now = Date.now();
    const data = workers.map((worker) => workerJson(worker, leaseMs, now));
    const key = JSON.stringify(data);
    if (key === this.lastWorkers) return;
    this.lastWorkers = key;
    this.emit({ type: "workers", data });
  }

  private emit(event: FeedEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
