import type { Store } from "../../core/store.js";
import { Db } from "./db.js";
import { FileWake } from "./file-wake.js";
import { migrate } from "./migrations.js";
import { reap } from "./sql/reap.js";
import { sqliteJobActions } from "./methods/job-actions.js";
import { sqliteJobs } from "./methods/jobs.js";
import { sqliteMetrics } from "./methods/metrics.js";
import { sqliteRetention } from "./methods/retention.js";
import { sqliteRuns } from "./methods/runs.js";
import { sqliteSchedules } from "./methods/schedules.js";
import { sqliteSettings } from "./methods/settings.js";
import { sqliteWorkers } from "./methods/workers.js";

/**
 * The embedded engine: one SQLite file in WAL mode, shared by every local process. Each method is
 * one SQL operation in its own module under sql/ (the same operations as the PostgreSQL engine's),
 * wired to the connection by area in methods/ (as the contract is written in core/store-*.ts);
 * here they are put together with the file wake-ups. better-sqlite3 is synchronous: the methods
 * are async only to keep the Store contract.
 */
export interface SqliteStore extends Store {
  readonly engine: "sqlite";
}

export const SqliteStore = {
  open(path: string): SqliteStore {
    const db = new Db(path);
    const wake = new FileWake(path === ":memory:" ? null : `${path}-wake`);
    /** Finished jobs, for `wait`: another file, so that workers do not wake for them. */
    const finishedWake = new FileWake(path === ":memory:" ? null : `${path}-finished`);
    return {
      engine: "sqlite",
      location: path,
      async migrate() {
        migrate(db.raw);
      },
      async close() {
        wake.close();
        finishedWake.close();
        db.close();
      },
      ...sqliteJobs(db),
      ...sqliteJobActions(db),
      ...sqliteRuns(db, wake),
      async reap(options) {
        return reap(db, options);
      },
      ...sqliteWorkers(db),
      ...sqliteSettings(db),
      ...sqliteMetrics(db),
      ...sqliteSchedules(db),
      ...sqliteRetention(db),

      // ---- wake-ups
      notify() {
        wake.notify();
      },
      subscribe(listener) {
        return wake.subscribe(listener);
      },
      notifyFinished() {
        finishedWake.notify();
      },
      subscribeFinished(listener) {
        return finishedWake.subscribe(listener);
      },
    };
  },
};
