import type { FastifyInstance } from "fastify";
import { workerJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** GET /api/status — counts per state, workers, queue health (the shape of `status --json`). */
export function registerStatus(app: FastifyInstance, queue: Queue): void {
  app.get("/api/status", async () => {
    const now = Date.now();
    const [status, config] = await Promise.all([queue.status(now), queue.config()]);
    const leaseMs = config["lease-seconds"] * 1000;
    return {
      counts: status.counts,
      workers: status.workers.map((worker) => workerJson(worker, leaseMs, now)),
      health: { ...status.health, next_run_at: iso(status.health.next_run_at) },
    };
  });
}
