import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { configJson } from "../../core/json.js";
import type { Queue } from "../../core/queue.js";
import { parse } from "../validate.js";

// The key and value rules live in core/config-input.ts (via queue.setConfig); only the shape is checked here.
const SetBody = z.strictObject({
  key: z.string(),
  value: z.union([z.string(), z.number()]),
});

/** GET /api/config — values, defaults and a line of help per key; PUT /api/config — set one. */
export function registerConfig(app: FastifyInstance, queue: Queue): void {
  app.get("/api/config", async () => configJson(await queue.config()));

  app.put("/api/config", async (request) => {
    const { key, value } = parse(SetBody, request.body, "body");
    return { key, value: await queue.setConfig(key, value) };
  });
}
