import { createHash } from "node:crypto";
import type { Store } from "../../core/store.js";
import { pgSettings, type PgSettings } from "./config.js";
import { Db, unavailable } from "./db.js";
import { Listener } from "./listener.js";
import { migrate } from "./migrations.js";
import { reap } from "./sql/reap.js";
import { postgresJobActions } from "./methods/job-actions.js";
import { postgresJobs } from "./methods/jobs.js";
import { postgresMetrics } from "./methods/metrics.js";
import { postgresRetention } from "./methods/retention.js";
import { postgresRuns } from "./methods/runs.js";
import { postgresSchedules } from "./methods/schedules.js";
import { postgresSettings } from "./methods/settings.js";
import { postgresWorkers } from "./methods/workers.js";

/**
 * The PostgreSQL engine: one queue shared by workers on many machines. Each method is one SQL
 * operation in its own module under sql/, wired to the pool by area in methods/ (as the contract
 * is written in core/store-*.ts); here they are put together with the listeners.
 * Reads and idempotent writes go through the idempotent view of the pool (Db.idempotent: retried
 * once after a lost connection); the others do not, since a write whose connection died may have
 * committed: their callers retry them (the worker keeps results in memory until they are written).
 */
export interface PostgresStore extends Store {
  readonly engine: "postgres";
  readonly schema: string;
  /** The NOTIFY channel: per schema, so queues sharing a database do not wake each other. */
  readonly channel: string;
  /** Finished jobs, for `wait`: another channel, so that workers do not wake for them. */
  readonly finishedChannel: string;
  /** Resolves once subscribers are really listening (a NOTIFY sent before that is not seen). */
  listening(timeoutMs?: number): Promise<void>;
}

export const PostgresStore = {
  /**
   * Opens a pool and proves the server answers, so a wrong URL or a server that is down fails here
   * with one line. Schema: `?schema=NAME` in the URL, else $QUEUECTL_SCHEMA, else "queuectl".
   */
  async connect(url: string, env: NodeJS.ProcessEnv = process.env): Promise<PostgresStore> {
    const settings = pgSettings(url, env);
    const db = new Db(settings);
    try {
      await db.pool.query("SELECT 1");
    } catch (error) {
      await db.end().catch(() => {});
      throw unavailable(settings.location, error);
    }
    return postgresStore(settings, db);
  },
};

function postgresStore(settings: PgSettings, db: Db): PostgresStore {
  const channel = channelName(settings.schema);
  const listener = new Listener(settings, channel);
  const finishedChannel = channelName(settings.schema, "queuectl-finished");
  const finishedListener = new Listener(settings, finishedChannel, { wakeOnListen: true });
  let closed = false;
  /** NOTIFYs on their way: close() lets them out first (a CLI enqueue closes right after its NOTIFY). */
  const sending = new Set<Promise<void>>();
  const send = (to: string): void => {
    if (closed) return;
    const sent: Promise<void> = db
      .query("SELECT pg_notify($1, '')", [to])
      .then(
        () => {},
        () => {},
      )
      .finally(() => sending.delete(sent));
    sending.add(sent);
  };
  return {
    engine: "postgres",
    location: settings.location,
    schema: settings.schema,
    channel,
    finishedChannel,
    migrate() {
      return migrate(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(sending);
      await listener.close();
      await finishedListener.close();
      await db.end();
    },
    ...postgresJobs(db),
    ...postgresJobActions(db),
    ...postgresRuns(db),
    reap(options) {
      return reap(db, options);
    },
    ...postgresWorkers(db),
    ...postgresSettings(db),
    ...postgresMetrics(db),
    ...postgresSchedules(db),
    ...postgresRetention(db),

    // ---- wake-ups

    /** NOTIFY through the pool, not awaited: a failed one only costs one poll interval. */
    notify() {
      send(channel);
    },
    subscribe(wake) {
      return listener.subscribe(wake);
    },
    notifyFinished() {
      send(finishedChannel);
    },
    subscribeFinished(wake) {
      return finishedListener.subscribe(wake);
    },
    listening(timeoutMs) {
      return listener.ready(timeoutMs);
    },
  };
}

/** Channel names are identifiers (at most 63 bytes): hash a schema name too long to fit. */
function channelName(schema: string, prefix = "queuectl"): string {
  const name = `${prefix}:${schema}`;
  return name.length <= 63 ? name : `${prefix}:${createHash("sha256").update(schema).digest("hex").slice(0, 32)}`;
}
