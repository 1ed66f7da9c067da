import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Queue } from "../../core/queue.js";
import { MAX_SLOTS } from "../../core/workers.js";
import { parse } from "../validate.js";

export type StartWorkers = (count: number) => Promise<{ pid: number; log: string }>;

const StartBody = z.strictObject({
  count: z
    .number()
    .int("must be an integer")
    .min(1, `must be 1..${MAX_SLOTS}`)
    .max(MAX_SLOTS, `must be 1..${MAX_SLOTS}`),
});

const StopBody = z.strictObject({
  /** Stop at once: running jobs go back to pending without using up a retry. */
  now: z.boolean().default(false),
  /** One worker; default every worker. */
  id: z.string().min(1).optional(),
});

/** Workers: list, start a pool (a detached worker process), ask all or one to drain or stop. */
export function registerWorkers(app: FastifyInstance, queue: Queue, startWorkers: StartWorkers): void {
  app.get("/api/workers", () => queue.workerViews());

  app.post("/api/workers/start", async (request, reply) => {
    const { count } = parse(StartBody, request.body, "body");
    const started = await startWorkers(count);
    return reply.code(202).send({ pid: started.pid, slots: count, log: started.log });
  });

  app.post("/api/workers/stop", async (request) => {
    const body = parse(StopBody, request.body, "body");
    const mode = body.now ? "now" : "drain";
    return { mode, asked: await queue.stopWorkers(mode, body.id) };
  });
}
