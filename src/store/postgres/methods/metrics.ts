import type { MetricsStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { metrics, throughput } from "../sql/metrics.js";
import { finishedAttempts, runTotals, runTotalsByQueue } from "../sql/run-stats.js";

/** The PostgreSQL store's figures: metrics, throughput, run totals and finished runs. */
export function postgresMetrics(db: Db): MetricsStore {
  const { idempotent } = db;
  return {
    metrics(now, queue = null) {
      return metrics(idempotent, now, queue);
    },
    throughput(now, bucketMs, buckets, queue = null) {
      return throughput(idempotent, now, bucketMs, buckets, queue);
    },
    runTotals() {
      return runTotals(idempotent);
    },
    runTotalsByQueue() {
      return runTotalsByQueue(idempotent);
    },
    finishedAttempts(after, until, limit) {
      return finishedAttempts(idempotent, after, until, limit);
    },
  };
}
