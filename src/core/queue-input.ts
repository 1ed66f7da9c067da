import { z } from "zod";
import { invalid } from "./errors.js";
import { describeIssues, PARSE_OPTIONS } from "./input-issues.js";
import { MAX_QUEUE_CONCURRENCY, QUEUE_NAME, QUEUE_NAME_RULE, type QueueChange } from "./queues.js";

/** The zod side of queues (names in the enqueue JSON, settings changes), loaded on first use. */

const CONCURRENCY_RULE = `must be an integer 1..${MAX_QUEUE_CONCURRENCY} or none`;

/** A queue's name: typed in shells and URLs, so a plain, short word. */
export const QueueNameSchema = z.string({ error: QUEUE_NAME_RULE }).regex(QUEUE_NAME, QUEUE_NAME_RULE);

/** What a user may set on a queue; null concurrency = no limit. */
export const QueueChangeSchema = z.strictObject({
  paused: z.boolean({ error: "must be true or false" }).optional(),
  concurrency: z
    .number({ error: CONCURRENCY_RULE })
    .int(CONCURRENCY_RULE)
    .min(1, CONCURRENCY_RULE)
    .max(MAX_QUEUE_CONCURRENCY, CONCURRENCY_RULE)
    .nullable()
    .optional(),
}) satisfies z.ZodType<QueueChange>;

/** Validates a change to a queue's settings. */
export function parseQueueChange(value: unknown): QueueChange {
  const parsed = QueueChangeSchema.safeParse(value, PARSE_OPTIONS);
  if (parsed.success) return parsed.data;
  const { message, fields } = describeIssues(parsed.error, "(queue)", value);
  throw invalid(message, fields);
}

/** `none` (no limit) or an integer, as typed on a command line; validated by QueueChangeSchema. */
export function concurrencyFromText(text: string): QueueChange {
  const trimmed = text.trim();
  if (trimmed === "none") return parseQueueChange({ concurrency: null });
  const n = /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
  return parseQueueChange({ concurrency: n });
}
