import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Queue } from "../../core/queue.js";
import { MAX_UPCOMING } from "../../core/schedule.js";
import { scheduleJson } from "../../core/schedule-json.js";
import { parse } from "../validate.js";

const AddQuery = z.strictObject({
  /** Replace a schedule of the same name (its history is kept), as `schedule add --replace`. */
  replace: z.enum(["true", "false"]).optional(),
});

const COUNT = `must be an integer 1..${MAX_UPCOMING}`;
const UpcomingQuery = z.strictObject({
  /** How many slots to list (default 5). */
  count: z.coerce.number().int(COUNT).min(1, COUNT).max(MAX_UPCOMING, COUNT).optional(),
});

type NameParams = { Params: { name: string } };

/**
 * Cron schedules, as `queuectl schedule …`: list, add (the schedule JSON), show, the next runs,
 * pause, resume, run now, remove.
 */
export function registerSchedules(app: FastifyInstance, queue: Queue): void {
  const { schedules } = queue;

  app.get("/api/schedules", async () => (await schedules.list()).map(scheduleJson));

  app.post("/api/schedules", async (request, reply) => {
    const query = parse(AddQuery, request.query, "query");
    const added = await schedules.add(request.body, { replace: query.replace === "true" });
    return reply.code(201).send(scheduleJson(added));
  });

  app.get<NameParams>("/api/schedules/:name", async (request) =>
    scheduleJson(await schedules.get(request.params.name)),
  );

  /** The next slots, e.g. to show a schedule just added: `{name, next_runs: [ISO 8601]}`. */
  app.get<NameParams>("/api/schedules/:name/upcoming", async (request) => {
    const { count } = parse(UpcomingQuery, request.query, "query");
    const slots = await schedules.upcoming(request.params.name, count ?? 5);
    return { name: request.params.name, next_runs: slots.map((at) => new Date(at).toISOString()) };
  });

  app.post<NameParams>("/api/schedules/:name/pause", async (request) =>
    scheduleJson(await schedules.pause(request.params.name)),
  );

  app.post<NameParams>("/api/schedules/:name/resume", async (request) =>
    scheduleJson(await schedules.resume(request.params.name)),
  );

  app.post<NameParams>("/api/schedules/:name/run", async (request, reply) => {
    const id = await schedules.run(request.params.name);
    return reply.code(201).send({ job_id: id });
  });

  app.delete<NameParams>("/api/schedules/:name", async (request) => {
    await schedules.remove(request.params.name);
    return { removed: request.params.name };
  });
}
