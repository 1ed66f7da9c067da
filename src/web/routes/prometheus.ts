import type { FastifyInstance } from "fastify";
import type { Queue } from "../../core/queue.js";
import { QueueMetrics } from "../prometheus.js";

/**
 * GET /metrics — the queue for Prometheus. The histograms count runs finished from now on; the
 * registry (and Node's default process metrics) is made at the first scrape, so a server nobody
 * scrapes pays nothing for it.
 */
export function registerPrometheus(app: FastifyInstance, queue: Queue): void {
  const feed = queue.finishedRunFeed();
  let metrics: QueueMetrics | null = null;
  app.get("/metrics", async (_request, reply) => {
    metrics ??= new QueueMetrics(queue, feed);
    const text = await metrics.scrape();
    return reply.type(metrics.contentType).header("cache-control", "no-store").send(text);
  });
}
