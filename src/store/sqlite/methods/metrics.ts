import type { MetricsStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { metrics, throughput } from "../sql/metrics.js";
import { finishedAttempts, runTotals, runTotalsByQueue } from "../sql/run-stats.js";

/** The SQLite store's figures: metrics, throughput, run totals and finished runs. */
export function sqliteMetrics(db: Db): MetricsStore {
  return {
    async metrics(now, queue = null) {
      return metrics(db, now, queue);
    },
    async throughput(now, bucketMs, buckets, queue = null) {
      return throughput(db, now, bucketMs, buckets, queue);
    },
    async runTotals() {
      return runTotals(db);
    },
    async runTotalsByQueue() {
      return runTotalsByQueue(db);
    },
    async finishedAttempts(after, until, limit) {
      return finishedAttempts(db, after, until, limit);
    },
  };
}
