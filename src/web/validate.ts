import type { z } from "zod";
import { invalid } from "../core/errors.js";
import { describeIssues, PARSE_OPTIONS } from "../core/input-issues.js";

/**
 * Parses a query string or body at the edge with a zod schema; a failure becomes the same
 * "invalid" QueueError (message + fields) the core raises, so both map to one 400 body.
 * Only shape and types are checked here; rules the core owns (job fields, config values,
 * limits) are left to the core.
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: "query" | "body"): z.output<S> {
  const result = schema.safeParse(value ?? {}, PARSE_OPTIONS);
  if (result.success) return result.data;
  const { message, fields } = describeIssues(result.error, where, value);
  // "body count: …" for a field; "body: …" when the whole body is wrong.
  throw invalid(message.startsWith(`${where}:`) ? message : `${where} ${message}`, fields);
}
