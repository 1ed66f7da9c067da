import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { queueJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import { parse } from "../validate.js";

type NameParams = { Params: { name: string } };

/** The body of PUT /api/queues/:name; the core validates the values (one message for every face). */
const PutBody = z.strictObject({
  concurrency: z.unknown().refine((value) => value !== undefined, "is required: an integer, or null for no limit"),
});

/** Named queues: list with counts, pause, resume, set the concurrency (writes as every other write). */
export function registerQueues(app: FastifyInstance, queue: Queue): void {
  app.get("/api/queues", async () => (await queue.queues()).map(queueJson));

  app.post<NameParams>("/api/queues/:name/pause", (request) =>
    queue.changeQueue(request.params.name, { paused: true }),
  );
  app.post<NameParams>("/api/queues/:name/resume", (request) =>
    queue.changeQueue(request.params.name, { paused: false }),
  );
  app.put<NameParams>("/api/queues/:name", (request) => {
    const body = parse(PutBody, request.body, "body");
    return queue.changeQueue(request.params.name, { concurrency: body.concurrency });
  });
}
