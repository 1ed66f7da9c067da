import type { FastifyInstance } from "fastify";
import type { Queue } from "../../core/queue.js";

/** GET /api/status — counts per state, workers, queue health (the shape of `status --json`). */
export function registerStatus(app: FastifyInstance, queue: Queue): void {
  app.get("/api/status", () => queue.statusView());
}
