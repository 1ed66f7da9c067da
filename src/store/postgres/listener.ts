import pg from "pg";
import { connectionConfig } from "./db.js";
import type { PgSettings } from "./config.js";

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/**
 * One dedicated connection that LISTENs on the queue's channel for every subscriber of a store
 * (LISTEN cannot share a pooled connection: the pool would hand it to other queries and drop it).
 * Connected on the first subscribe, closed on the last unsubscribe. When the connection is lost it
 * reconnects with exponential backoff, and wakes every listener once reconnected, since
 * notifications sent while it was away are lost.
 */
export class Listener {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private backoffMs = MIN_BACKOFF_MS;
  private closed = false;

  constructor(
    private readonly settings: PgSettings,
    private readonly channel: string,
    /** Wake the listeners once the first LISTEN is in place too: what happened before is unseen. */
    private readonly options: { wakeOnListen?: boolean } = {},
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) {
      this.closed = false;
      void this.connect(false);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.close();
    };
  }

  /** Resolves once the LISTEN is in place (for tests and benchmarks that must not miss a notify). */
  async ready(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.listening) {
      if (Date.now() > deadline || this.closed) throw new Error("LISTEN connection not ready");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private listening = false;

  private async connect(isReconnect: boolean): Promise<void> {
    if (this.closed || this.client) return;
    const client = new pg.Client(connectionConfig(this.settings));
    this.client = client;
    const lost = (): void => {
      if (this.client !== client) return;
      this.client = null;
      this.listening = false;
      client.removeAllListeners("notification");
      client.end().catch(() => {});
      this.scheduleReconnect();
    };
    // Without an "error" handler a dropped connection would crash the process.
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (message) => {
      if (message.channel === this.channel) this.wake();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.channel)}`);
      if (this.client !== client) return;
      this.listening = true;
      this.backoffMs = MIN_BACKOFF_MS;
      if (isReconnect || this.options.wakeOnListen) this.wake();
    } catch {
      lost();
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect(true);
    }, delay);
    // A reconnect timer alone must not keep the process alive.
    this.timer.unref();
  }

  private wake(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A listener's own failure must not stop the others from waking.
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners("notification");
      await client.end().catch(() => {});
    }
  }
}
