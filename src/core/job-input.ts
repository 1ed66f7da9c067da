import { randomInt } from "node:crypto";
import { z } from "zod";
import type { Config } from "./config.js";
import { invalid } from "./errors.js";
import type { NewJob } from "./types.js";

/**
 * The enqueue JSON (snake_case). Unknown fields, wrong types and out-of-range values are rejected
 * with a message naming the field. This is the one place these rules live.
 */
export const JobInputSchema = z.strictObject({
  id: z
    .string()
    .min(1, "must not be empty")
    .max(200, "must be at most 200 characters")
    .regex(/^[^\s\u0000-\u001f]+$/u, "must not contain spaces or control characters")
    .optional(),
  command: z
    .string()
    .refine((s) => s.trim().length > 0, "must be a non-empty string")
    .refine((s) => !s.includes("\u0000"), "must not contain NUL bytes (no command line can carry them)")
    // Linux passes no single argument longer than MAX_ARG_STRLEN (128 KiB with its NUL): a longer
    // command could never start. Put big scripts in a file and run that.
    .refine((s) => Buffer.byteLength(s) < 131_072, "must be shorter than 128 KiB (the longest argument Linux passes to a program)"),
  priority: z.number().int("must be an integer").min(1, "must be 1..10").max(10, "must be 1..10").optional(),
  run_at: z.iso.datetime({ offset: true, message: "must be ISO 8601 with an offset or Z, e.g. 2026-01-31T12:00:00Z" }).optional(),
  max_retries: z.number().int("must be an integer").min(0, "must be >= 0").max(1000, "must be <= 1000").optional(),
  timeout: z.number().positive("must be > 0 seconds").max(365 * 86400, "must be at most a year").optional(),
});

export type JobInput = z.input<typeof JobInputSchema>;

const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case
const TIME_CHARS = 9; // 45 bits of milliseconds: good until the year 3084
const TAIL_CHARS = 7; // 35 bits, random at each new millisecond, then counted up
const TAIL_SPACE = 32 ** TAIL_CHARS;

let lastMs = 0;
let tail = 0;

/**
 * 16 base32 characters: the time in ms, then a random tail counted up within a millisecond (as
 * ULIDs do). Ids made later sort later, so the indexes keyed by job id (jobs, attempts) grow at
 * their end instead of at random pages: measured, a claim + finish cycle of 8 jobs wrote 7 random
 * pages of the attempts index with random ids. Collisions: two processes would have to draw
 * overlapping tails in the same millisecond (1 in ~34 billion); the store rejects a duplicate.
 */
export function newJobId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    tail = randomInt(TAIL_SPACE / 2); // the lower half: room to count up without overflowing
  } else if (++tail >= TAIL_SPACE) {
    lastMs++;
    tail = 0;
  }
  return base32(lastMs, TIME_CHARS) + base32(tail, TAIL_CHARS);
}

function base32(value: number, chars: number): string {
  let out = "";
  for (let i = 0; i < chars; i++) {
    out = ID_ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/** Names the first problem of a zod error as "field: what is wrong", plus every field's problem. */
export function describeIssues(error: z.ZodError): { message: string; fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) fields[key] = "unknown field";
      continue;
    }
    const field = issue.path.join(".") || "(job)";
    const message =
      issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message;
    fields[field] ??= message;
  }
  const [field, message] = Object.entries(fields)[0] ?? ["(job)", "invalid"];
  return { message: `${field}: ${message}`, fields };
}

/** Validates one enqueue input and applies defaults. Throws an "invalid" QueueError. */
export function toNewJob(input: unknown, config: Config, now: number): NewJob {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw invalid("a job must be a JSON object", { "(job)": "must be an object" });
  }
  const parsed = JobInputSchema.safeParse(input);
  if (!parsed.success) {
    const { message, fields } = describeIssues(parsed.error);
    throw invalid(message, fields);
  }
  const job = parsed.data;
  const timeout = job.timeout ?? null;
  return {
    id: job.id ?? newJobId(),
    command: job.command,
    priority: job.priority ?? 5,
    max_retries: job.max_retries ?? config["max-retries"],
    timeout,
    run_at: job.run_at === undefined ? now : Date.parse(job.run_at),
    created_at: now,
  };
}
