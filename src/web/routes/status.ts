import type { FastifyInstance } from "fastify";
import { statusJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";

/** GET /api/status — counts per state, workers, queue health (the shape of `status --json`). */
export function registerStatus(app: FastifyInstance, queue: Queue): void {
  app.get("/api/status", async () => {
    const now = Date.now();
    const [status, config] = await Promise.all([queue.status(now), queue.config()]);
    return statusJson(status, config["lease-seconds"] * 1000, now);
  });
}
