import { jobJson } from "../core/json.js";
import type { ChangeCursor, ListedJob } from "../core/listing.js";
import type { Queue } from "../core/queue.js";
import { silentLog, type Log } from "../worker/log.js";

/**
 * What the live stream tells browsers: `jobs` (changed jobs, commands cut as in lists), `counts`
 * (per state, after a change) and `workers` (the list, when it changes). Listeners get each event
 * as a ready SSE frame: it is serialized once, however many browsers are connected.
 */
type Listener = (frame: string) => void;

const INTERVAL_MS = 300;
/**
 * How late a change may become visible and still be sent. A writer stamps updated_at before its
 * commit (SQLite: before it waits up to 10 s for the write lock), so a change can appear after
 * later-stamped ones; a sweep re-reads this much of the past, a page per round, and sends what it
 * had not seen.
 */
const LOOKBACK_MS = 12_000;
/**
 * Changes read per store call. Small: SQLite reads a row by walking its command's overflow pages
 * (a 60 KB command: ~0.2 ms, far more on a busy machine), synchronously; between pages the event loop runs, so sockets drain
 * and other requests are answered.
 */
const BATCH = 25;
/** Pages the head reads in one round at most (2,000 changes per 300 ms). */
const HEAD_PAGES = 80;
/** The sweep runs every this many rounds (3 s), re-reading at most SWEEP_PAGES pages: late commits
 * are rare, and re-reading rows costs as much as reading them the first time. */
const SWEEP_EVERY = 10;
const SWEEP_PAGES = 40;
/** A `jobs` event carries at most about this many bytes of JSON; a page is split across events. */
export const MAX_EVENT_BYTES = 256 * 1024;

/** An SSE frame: one event, its JSON on one data line. */
export function frame(type: string, json: string): string {
  return `event: ${type}\ndata: ${json}\n\n`;
}

/** SQLite answers without I/O: let sockets flush and other requests run between store calls. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lexicographic order of change cursors. */
const before = (a: ChangeCursor, b: ChangeCursor): boolean =>
  a.updated_at < b.updated_at || (a.updated_at === b.updated_at && a.seq < b.seq);

/**
 * One poller shared by every connected browser: every ~300 ms, while at least one listener is
 * subscribed, it pages through `jobsUpdatedSince` by the (updated_at, seq) cursor, sweeps the
 * lookback window for late commits and reads the worker list; it stops when the last one leaves. A store-agnostic poll (rather than SQLite hooks
 * or LISTEN) works for both engines and for changes made by other processes and machines.
 */
export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | null = null;
  /** The newest change read: new changes are read from here, so they go out at once. */
  private head: ChangeCursor = { updated_at: 0, seq: 0 };
  /** Where the sweep of the lookback window (changes that became visible late) goes on. */
  private sweep: ChangeCursor = { updated_at: 0, seq: 0 };
  /** `id@updated_at` of changes already sent, so that the sweep sends only what was missed. */
  private readonly sent = new Map<string, number>();
  private lastWorkers = "";
  private polling = false;
  private rounds = 0;

  constructor(
    private readonly queue: Queue,
    private readonly log: Log = silentLog,
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
    // Recent changes first: a browser that just (re)connected reloads its view anyway.
    this.head = { updated_at: Date.now() - INTERVAL_MS * 5, seq: -1 };
    // The sweep covers the whole window from the start: a change committed late may still be
    // missing from what a browser loads on connecting.
    this.sweep = this.head;
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
      const sweep = this.rounds++ % SWEEP_EVERY === 0;
      const changed = (await this.pollHead()) + (sweep ? await this.pollSweep() : 0);
      if (changed > 0) this.emit(frame("counts", JSON.stringify(await this.queue.counts())));
      await this.pollWorkers();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log.warn({ event: "feed.failed", reason }, `live feed: ${reason}`);
    } finally {
      this.polling = false;
    }
  }

  /** Pages on from the head while pages are full; returns how many changes were sent. */
  private async pollHead(): Promise<number> {
    let sent = 0;
    for (let page = 0; page < HEAD_PAGES && this.listeners.size > 0; page++) {
      const rows = await this.queue.changesSince(this.head, BATCH);
      sent += this.sendFresh(rows);
      const last = rows.at(-1);
      if (last) this.head = { updated_at: last.updated_at, seq: last.seq };
      if (rows.length < BATCH) break;
      await yieldToEventLoop();
    }
    return sent;
  }

  /** Re-reads the lookback window up to the head, a few pages per round; returns how many changes
   * were sent (those that became visible after the head had passed them). */
  private async pollSweep(): Promise<number> {
    const horizon = { updated_at: Date.now() - LOOKBACK_MS, seq: -1 };
    if (before(this.sweep, horizon)) this.sweep = horizon;
    for (const [key, at] of this.sent) if (at < horizon.updated_at) this.sent.delete(key);
    let sent = 0;
    for (let page = 0; page < SWEEP_PAGES && this.listeners.size > 0; page++) {
      if (!before(this.sweep, this.head)) {
        // Reached the head: start over from the horizon next round.
        this.sweep = horizon;
        break;
      }
      await yieldToEventLoop();
      const rows = await this.queue.changesSince(this.sweep, BATCH);
      // Past the head is the head's to read (next round), in order.
      const upToHead = rows.filter((job) => !before(this.head, { updated_at: job.updated_at, seq: job.seq }));
      sent += this.sendFresh(upToHead);
      const last = upToHead.at(-1);
      if (!last || upToHead.length < BATCH) {
        this.sweep = horizon;
        break;
      }
      this.sweep = { updated_at: last.updated_at, seq: last.seq };
    }
    return sent;
  }

  /** Sends the changes not sent before, in events of at most about MAX_EVENT_BYTES each. */
  private sendFresh(rows: ListedJob[]): number {
    const now = Date.now();
    const fresh = rows.filter((job) => !this.sent.has(`${job.id}@${job.updated_at}`));
    for (const job of fresh) this.sent.set(`${job.id}@${job.updated_at}`, job.updated_at);
    let parts: string[] = [];
    let bytes = 0;
    for (const job of fresh) {
      const json = JSON.stringify(jobJson(job, now));
      if (parts.length > 0 && bytes + json.length > MAX_EVENT_BYTES) {
        this.emit(frame("jobs", `[${parts.join(",")}]`));
        parts = [];
        bytes = 0;
      }
      parts.push(json);
      bytes += json.length + 1;
    }
    if (parts.length > 0) this.emit(frame("jobs", `[${parts.join(",")}]`));
    return fresh.length;
  }

  private async pollWorkers(): Promise<void> {
    const key = JSON.stringify(await this.queue.workerViews());
    if (key === this.lastWorkers) return;
    this.lastWorkers = key;
    this.emit(frame("workers", key));
  }

  private emit(text: string): void {
    for (const listener of this.listeners) listener(text);
  }
}
