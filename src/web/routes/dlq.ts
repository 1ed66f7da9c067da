import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { jobJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import { jobListBody } from "../job-list.js";
import { parse } from "../validate.js";

const DlqQuery = z.strictObject({
  q: z.string().max(500).optional(),
  limit: z.coerce.number().int("must be an integer").optional(),
  cursor: z.string().max(500).optional(),
});

/** The dead letter queue: list, retry one, retry all. */
export function registerDlq(app: FastifyInstance, queue: Queue): void {
  // As GET /api/jobs: commands cut and marked, a byte budget per response.
  app.get("/api/dlq", async (request, reply) => {
    const query = parse(DlqQuery, request.query, "query");
    const filter = { ...query, state: "dead" as const, q: query.q || undefined, cursor: query.cursor || undefined };
    return reply.type("application/json; charset=utf-8").send(await jobListBody(queue, filter));
  });

  app.post<{ Params: { id: string } }>("/api/dlq/:id/retry", async (request) => {
    return jobJson(await queue.retry(request.params.id));
  });

  app.post("/api/dlq/retry-all", async () => {
    return { retried: await queue.retryAllDead() };
  });
}
