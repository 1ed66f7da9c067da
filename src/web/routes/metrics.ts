import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { metricsJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import { QueueNameSchema } from "../../core/queue-input.js";
import { parse } from "../validate.js";

const MetricsQuery = z.strictObject({
  /** Seconds per point of the throughput series. */
  bucket: z.coerce
    .number()
    .int("must be an integer")
    .min(1, "must be 1..86400")
    .max(86400, "must be 1..86400")
    .default(60),
  /** Number of points. */
  buckets: z.coerce
    .number()
    .int("must be an integer")
    .min(1, "must be 1..1440")
    .max(1440, "must be 1..1440")
    .default(60),
  /** Only the jobs and runs of this queue (absent: every queue). */
  queue: QueueNameSchema.optional(),
});

/** GET /api/metrics — the `metrics --json` figures plus a throughput series for charts, of all queues or one. */
export function registerMetrics(app: FastifyInstance, queue: Queue): void {
  app.get("/api/metrics", async (request) => {
    const query = parse(MetricsQuery, request.query, "query");
    const only = query.queue ?? null;
    const [metrics, series] = await Promise.all([
      queue.metrics(only),
      queue.throughput(query.bucket, query.buckets, only),
    ]);
    return metricsJson(metrics, series, query.bucket, only);
  });
}
