import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { QueueError } from "../../core/errors.js";
import { BULK_IDS_MAX, jobsActedJson, type JobsActed } from "../../core/job-actions.js";
import { jobJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import type { Job } from "../../core/types.js";
import { parse } from "../validate.js";

/** What each bulk action calls: one more action is one more line here. */
const BULK_ACTIONS = {
  delete: (queue: Queue, ids: string[]) => queue.deleteJobs(ids),
  retry: (queue: Queue, ids: string[]) => queue.retryJobs(ids),
  cancel: (queue: Queue, ids: string[]) => queue.cancelJobs(ids),
} satisfies Record<string, (queue: Queue, ids: string[]) => Promise<JobsActed>>;

type BulkAction = keyof typeof BULK_ACTIONS;

const BulkBody = z.strictObject({
  action: z.enum(Object.keys(BULK_ACTIONS) as [BulkAction, ...BulkAction[]]),
  ids: z
    .array(z.string().min(1, "must not be empty"))
    .min(1, "must name at least one job")
    .max(BULK_IDS_MAX, `must name at most ${BULK_IDS_MAX} jobs`),
});

type IdParams = { Params: { id: string } };

/** The one job an action was asked for, or its refusal as the error the faces map (404, 409). */
function onlyJob(result: JobsActed): Job {
  const [refusal] = result.refused;
  if (refusal) throw new QueueError(refusal.code, refusal.error);
  return result.done[0] as Job;
}

/** Deleting and retrying jobs: one by id, or several at once with a refusal per id. */
export function registerJobActions(app: FastifyInstance, queue: Queue): void {
  app.delete<IdParams>("/api/jobs/:id", async (request, reply) => {
    onlyJob(await queue.deleteJobs([request.params.id]));
    return reply.code(204).send();
  });

  app.post<IdParams>("/api/jobs/:id/retry", async (request) => {
    return jobJson(onlyJob(await queue.retryJobs([request.params.id])));
  });

  app.post("/api/jobs/bulk", async (request) => {
    const body = parse(BulkBody, request.body, "body");
    return jobsActedJson(await BULK_ACTIONS[body.action](queue, body.ids));
  });
}
