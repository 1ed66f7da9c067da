import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { enqueuedJson, jobDetailJson, outputJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import { QueueNameSchema } from "../../core/queue-input.js";
import { LIST_STATES } from "../../core/types.js";
import { jobListBody } from "../job-list.js";
import { parse } from "../validate.js";

const ListQuery = z.strictObject({
  state: z.enum(LIST_STATES).optional(),
  q: z.string().max(500).optional(),
  // Only the type here; the core owns the range (1..10000).
  limit: z.coerce.number().int("must be an integer").optional(),
  cursor: z.string().max(500).optional(),
  queue: QueueNameSchema.optional(),
});

const OutputQuery = z.strictObject({
  stream: z.enum(["stdout", "stderr"]).default("stdout"),
  attempt: z.coerce.number().int("must be an integer").min(1, "must be >= 1").optional(),
  format: z.enum(["json", "text"]).default("json"),
});

type IdParams = { Params: { id: string } };

/** The job routes: list (cursor pages, commands cut), enqueue, one job with its attempts, an attempt's output. */
export function registerJobs(app: FastifyInstance, queue: Queue): void {
  // Commands longer than LIST_COMMAND_CHARS come cut (`command_truncated`); GET /api/jobs/:id has
  // them whole. The response has a byte budget: `truncated` says it ended early, at next_cursor.
  app.get("/api/jobs", async (request, reply) => {
    const query = parse(ListQuery, request.query, "query");
    const body = await jobListBody(queue, { ...query, q: query.q || undefined, cursor: query.cursor || undefined });
    return reply.type("application/json; charset=utf-8").send(body);
  });

  // The body is the enqueue JSON of the CLI; an array enqueues all or none.
  app.post("/api/jobs", async (request, reply) => {
    const body: unknown = request.body;
    const now = Date.now();
    if (Array.isArray(body)) {
      const jobs = await queue.enqueueMany(body);
      return reply.code(201).send(jobs.map((job) => enqueuedJson(job, now)));
    }
    const job = await queue.enqueue(body);
    // An existing job (its key was held) was not created: 200 rather than 201.
    return reply.code(job.existing ? 200 : 201).send(enqueuedJson(job, now));
  });

  app.get<IdParams>("/api/jobs/:id", async (request) => {
    const job = await queue.get(request.params.id);
    return jobDetailJson(job, await queue.attempts(job.id), Date.now(), await queue.links(job.id));
  });

  app.get<IdParams>("/api/jobs/:id/output", async (request, reply) => {
    const query = parse(OutputQuery, request.query, "query");
    const output = await queue.output(request.params.id, { stream: query.stream, attempt: query.attempt });
    if (query.format === "text") {
      // The bytes as written (they may not be UTF-8); nosniff keeps a browser from running them.
      return reply.type("text/plain; charset=utf-8").send(output.data);
    }
    return outputJson(request.params.id, query.stream, output);
  });
}
