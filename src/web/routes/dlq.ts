import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { jobJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import { parse } from "../validate.js";

const DlqQuery = z.strictObject({
  q: z.string().max(500).optional(),
  limit: z.coerce.number().int("must be an integer").optional(),
  cursor: z.string().max(500).optional(),
});

/** The dead letter queue: list, retry one, retry all. */
export function registerDlq(app: FastifyInstance, queue: Queue): void {
  app.get("/api/dlq", async (request) => {
    const query = parse(DlqQuery, request.query, "query");
    const page = await queue.list({ ...query, state: "dead", q: query.q || undefined, cursor: query.cursor || undefined });
    const now = Date.now();
    return { jobs: page.jobs.map((job) => jobJson(job, now)), next_cursor: page.next_cursor };
  });

  app.post<{ Params: { id: string } }>("/api/dlq/:id/retry", async (request) => {
    return jobJson(await queue.retry(request.params.id));
  });

  app.post("/api/dlq/retry-all", async () => {
    return { retried: await queue.retryAllDead() };
  });
}
