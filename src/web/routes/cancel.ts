import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { jobJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import { parse } from "../validate.js";

/** Only the shape here; the core validates the signal name and the grace's range. */
const CancelBody = z.strictObject({
  signal: z.string().max(32).optional(),
  /** Seconds, or a duration as typed on the command line ("10s", "500ms"). */
  grace: z.union([z.number(), z.string().max(32)]).optional(),
});

/**
 * POST /api/jobs/:id/cancel, body {signal?, grace?}: the job cancelled (state cancelled) or being
 * cancelled (still processing, cancel_requested set). 404 unknown, 409 finished, 400 bad options.
 */
export function registerCancel(app: FastifyInstance, queue: Queue): void {
  app.post<{ Params: { id: string } }>("/api/jobs/:id/cancel", async (request) => {
    const options = parse(CancelBody, request.body, "body");
    return jobJson(await queue.cancel(request.params.id, options));
  });
}
