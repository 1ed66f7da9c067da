import { z } from "zod";
import { MAX_JOB_TIMEOUT_SECONDS, type Config } from "./config.js";
import { invalid } from "./errors.js";
import { resolveDefaults } from "./job-defaults.js";
import { describeIssues, PARSE_OPTIONS } from "./input-issues.js";
import { QueueNameSchema } from "./queue-input.js";
import { DEFAULT_QUEUE } from "./queues.js";
import { CwdSchema, EnvSchema } from "./job-env.js";
import { MAX_AFTER } from "./dependencies.js";
import { newJobId } from "./job-id.js";
import type { NewJob } from "./types.js";
import {
  isReservedKey,
  KEY_UNPRINTABLE,
  MAX_KEY_CHARS,
  MAX_NO_RETRY_CODES,
  ON_CONFLICT_MODES,
  RESERVED_KEY_PREFIX,
} from "./unique-key.js";

/**
 * Ids are typed, printed and pasted back: printable characters only. No spaces, controls (C0, DEL,
 * C1 such as U+009B, a terminal's CSI) or format characters (bidi overrides, zero-width marks), and
 * no lone surrogates (they cannot be stored as UTF-8: the stored id would no longer match).
 */
const ID_UNPRINTABLE = /[\s\p{Cc}\p{Cf}]/u;

const PRIORITY = "must be an integer 1..10";
const MAX_RETRIES = "must be an integer 0..1000";
const TIMEOUT = `must be a number of seconds from 0 (none) to ${MAX_JOB_TIMEOUT_SECONDS} (a year)`;
const RUN_AT = "must be ISO 8601 with an offset or Z, e.g. 2026-01-31T12:00:00Z";
const EXIT_CODE = "must be an integer 0..255";

/**
 * The enqueue JSON (snake_case). Unknown fields, wrong types and out-of-range values are rejected
 * with a message naming the field, what it must be and what was given. This is the one place these
 * rules live.
 */
export const JobInputSchema = z.strictObject({
  id: z
    .string({ error: "must be a string" })
    .min(1, "must not be empty")
    .max(200, "must be at most 200 characters")
    .refine((s) => !/\p{Cs}/u.test(s), "must be well-formed Unicode (a lone surrogate has no UTF-8 form)")
    .refine((s) => !ID_UNPRINTABLE.test(s), "must be printable: no spaces, control or format (e.g. bidi) characters")
    .optional(),
  command: z
    .string({ error: "must be a non-empty string" })
    .refine((s) => s.trim().length > 0, "must be a non-empty string")
    .refine((s) => !s.includes("\u0000"), "must not contain NUL bytes (no command line can carry them)")
    // Stored as UTF-8, a lone surrogate would come back as U+FFFD: a different command than given.
    .refine((s) => !/\p{Cs}/u.test(s), "must be well-formed Unicode (a lone surrogate has no UTF-8 form)")
    // Linux passes no single argument longer than MAX_ARG_STRLEN (128 KiB with its NUL): a longer
    // command could never start. Put big scripts in a file and run that.
    .refine(
      (s) => Buffer.byteLength(s) < 131_072,
      "must be shorter than 128 KiB (the longest argument Linux passes to a program)",
    ),
  priority: z.number({ error: PRIORITY }).int(PRIORITY).min(1, PRIORITY).max(10, PRIORITY).optional(),
  run_at: z.iso.datetime({ offset: true, error: RUN_AT }).optional(),
  max_retries: z.number({ error: MAX_RETRIES }).int(MAX_RETRIES).min(0, MAX_RETRIES).max(1000, MAX_RETRIES).optional(),
  timeout: z.number({ error: TIMEOUT }).min(0, TIMEOUT).max(MAX_JOB_TIMEOUT_SECONDS, TIMEOUT).optional(),
  queue: QueueNameSchema.optional(),
  cwd: CwdSchema.optional(),
  env: EnvSchema.optional(),
  key: z
    .string({ error: "must be a string" })
    .min(1, "must not be empty")
    .max(MAX_KEY_CHARS, `must be at most ${MAX_KEY_CHARS} characters`)
    .refine((s) => !/\p{Cs}/u.test(s), "must be well-formed Unicode (a lone surrogate has no UTF-8 form)")
    .refine((s) => !KEY_UNPRINTABLE.test(s), "must be printable: no control or format (e.g. bidi) characters")
    .refine((s) => !isReservedKey(s), `must not start with "${RESERVED_KEY_PREFIX}" (kept for queuectl's own jobs)`)
    .optional(),
  on_conflict: z.enum(ON_CONFLICT_MODES).optional(),
  no_retry_exit_codes: z
    .array(z.number({ error: EXIT_CODE }).int(EXIT_CODE).min(0, EXIT_CODE).max(255, EXIT_CODE), {
      error: "must be an array of exit codes (integers 0..255)",
    })
    .max(MAX_NO_RETRY_CODES, `must list at most ${MAX_NO_RETRY_CODES} exit codes`)
    .optional(),
  after: z
    .array(z.string({ error: "must be job ids (strings)" }).min(1, "must not hold an empty id"), {
      error: "must be an array of job ids",
    })
    .max(MAX_AFTER, `must list at most ${MAX_AFTER} job ids`)
    .optional(),
});

export type JobInput = z.input<typeof JobInputSchema>;

/** A job's env as stored: none given or none set is null. */
export const storedEnv = (env: Record<string, string> | undefined): Record<string, string> | null =>
  env === undefined || Object.keys(env).length === 0 ? null : env;

/** Exit codes as stored: sorted and without repeats, so the list reads the same however it was given. */
export const storedExitCodes = (codes: number[] | undefined): number[] =>
  [...new Set(codes ?? [])].sort((a, b) => a - b);

export { newJobId };

/** Validates one enqueue input and applies defaults. Throws an "invalid" QueueError. */
export function toNewJob(input: unknown, config: Config, now: number): NewJob {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw invalid("a job must be a JSON object", { "(job)": "must be an object" });
  }
  const parsed = JobInputSchema.safeParse(input, PARSE_OPTIONS);
  if (!parsed.success) {
    const { message, fields } = describeIssues(parsed.error, "(job)");
    throw invalid(message, fields);
  }
  const job = parsed.data;
  const id = job.id ?? newJobId();
  // Without repeats: each dependency is one edge, counted once.
  const after = [...new Set(job.after ?? [])];
  if (after.includes(id))
    throw invalid("after: a job cannot wait for itself", { after: "must not name the job's own id" });
  const { priority, max_retries, timeout } = resolveDefaults(job, config);
  return {
    id,
    command: job.command,
    priority,
    max_retries,
    timeout,
    run_at: job.run_at === undefined ? now : Date.parse(job.run_at),
    created_at: now,
    queue: job.queue ?? DEFAULT_QUEUE,
    cwd: job.cwd ?? null,
    env: storedEnv(job.env),
    key: job.key ?? null,
    on_conflict: job.on_conflict ?? "skip",
    no_retry_exit_codes: storedExitCodes(job.no_retry_exit_codes),
    after,
  };
}
