/**
 * The cost of a Prometheus scrape (GET /metrics) on a big store: what each scrape reads (counts,
 * run totals, workers, the oldest ready job) must not grow with the number of jobs, and feeding
 * the histograms is bounded per scrape.
 */
import { FINISHED_SETTLE_MS } from "../src/core/run-stats.js";
import { Queue } from "../src/open.js";
import { QueueMetrics, RUNS_PER_SCRAPE } from "../src/web/prometheus.js";
import { buildApp } from "../src/web/server.js";
import { median, row, type BenchRow } from "./lib.js";

export async function scrapeRows(db: string, stored: number, scrapes = 20): Promise<BenchRow[]> {
  const label = stored.toLocaleString("en-US");
  const queue = await Queue.open({ db });
  try {
    // Every finished run in the store fed at once (a cursor from the start of time, read as if 12 s
    // later so that the runs just made are due): the most one scrape does.
    const burst = new QueueMetrics(queue, queue.finishedRunFeed(0));
    let t0 = performance.now();
    const text = await burst.scrape(Date.now() + FINISHED_SETTLE_MS);
    const burstMs = performance.now() - t0;
    const fed = Number(/^queuectl_job_pickup_latency_seconds_count\{queue="default"\} (\d+)$/m.exec(text)?.[1]);

    const app = await buildApp({ queue, db });
    try {
      const scrape = async () => {
        const reply = await app.inject({ method: "GET", url: "/metrics" });
        if (reply.statusCode !== 200) throw new Error(`GET /metrics: ${reply.statusCode} ${reply.body}`);
      };
      t0 = performance.now();
      await scrape(); // makes the registry
      const firstMs = performance.now() - t0;
      const times: number[] = [];
      for (let i = 0; i < scrapes; i++) {
        t0 = performance.now();
        await scrape();
        times.push(performance.now() - t0);
      }
      const sorted = [...times].sort((a, b) => a - b);
      return [
        row(
          `GET /metrics, ${label} jobs stored`,
          median(times),
          "ms",
          "<= 50",
          `median of ${scrapes} (in-process, Fastify inject); max ${sorted.at(-1)?.toFixed(1)} ms, first ${firstMs.toFixed(1)} ms`,
        ),
        row(
          `/metrics scrape feeding ${fed.toLocaleString("en-US")} finished runs to the histograms, ${label} stored`,
          burstMs,
          "ms",
          "",
          `one scrape feeds at most ${RUNS_PER_SCRAPE.toLocaleString("en-US")} (info)`,
        ),
      ];
    } finally {
      await app.close();
    }
  } finally {
    await queue.close();
  }
}
