import { z } from "zod";
import { invalid } from "./errors.js";
import { describeIssues, PARSE_OPTIONS } from "./input-issues.js";
import { JobInputSchema, storedEnv, storedExitCodes } from "./job-input.js";
import { DEFAULT_QUEUE } from "./queues.js";
import { CATCH_UP_POLICIES, OVERLAP_POLICIES, type NewSchedule } from "./schedule.js";
import { cronOf, nextSlot } from "./schedule-slots.js";

const NAME = "must be 1 to 64 letters, digits, '.', '_' or '-'";
const CRON = "must be a cron expression of 5 fields, or 6 with seconds first";

/** Whether the runtime knows this IANA zone (Intl is what croner converts times with). */
function knownZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * The schedule JSON (snake_case, as `schedule add --json` takes it and the API): a name, when
 * (cron, tz), what to do at each slot (the job fields of enqueue) and the two policies. Rules
 * named once here; the job fields reuse the enqueue schema's rules.
 */
export const ScheduleInputSchema = z
  .strictObject({
    name: z.string({ error: NAME }).regex(/^[A-Za-z0-9._-]{1,64}$/, NAME),
    cron: z.string({ error: CRON }).max(500, "must be at most 500 characters"),
    tz: z
      .string({ error: "must be an IANA time zone, e.g. Europe/Berlin or UTC" })
      .refine(knownZone, "must be an IANA time zone, e.g. Europe/Berlin or UTC")
      .optional(),
    command: JobInputSchema.shape.command,
    priority: JobInputSchema.shape.priority,
    max_retries: JobInputSchema.shape.max_retries,
    timeout: JobInputSchema.shape.timeout,
    catch_up: z.enum(CATCH_UP_POLICIES).optional(),
    overlap: z.enum(OVERLAP_POLICIES).optional(),
    paused: z.boolean({ error: "must be true or false" }).optional(),
    queue: JobInputSchema.shape.queue,
    cwd: JobInputSchema.shape.cwd,
    env: JobInputSchema.shape.env,
    no_retry_exit_codes: JobInputSchema.shape.no_retry_exit_codes,
  })
  .superRefine((input, ctx) => {
    const tz = input.tz ?? "UTC";
    if (!knownZone(tz)) return; // named by the tz rule
    try {
      cronOf(input.cron.trim(), tz);
    } catch (error) {
      const reason = (error as Error).message.replace(/^CronPattern: /, "");
      ctx.addIssue({ code: "custom", path: ["cron"], message: `${CRON} (${reason})`, input: input.cron });
      return;
    }
    if (nextSlot({ cron: input.cron.trim(), tz }, Date.now()) === null) {
      ctx.addIssue({ code: "custom", path: ["cron"], message: "never fires (no future slot)", input: input.cron });
    }
  });

export type ScheduleInput = z.input<typeof ScheduleInputSchema>;

/** Validates a schedule input; the new schedule settles every slot up to `now`. Throws "invalid". */
export function toNewSchedule(input: unknown, now: number): NewSchedule {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw invalid("a schedule must be a JSON object", { "(schedule)": "must be an object" });
  }
  const parsed = ScheduleInputSchema.safeParse(input, PARSE_OPTIONS);
  if (!parsed.success) {
    const { message, fields } = describeIssues(parsed.error, "(schedule)");
    throw invalid(message, fields);
  }
  const s = parsed.data;
  const cron = s.cron.trim().replace(/\s+/g, " ");
  const tz = s.tz ?? "UTC";
  return {
    name: s.name,
    cron,
    tz,
    command: s.command,
    priority: s.priority ?? null,
    max_retries: s.max_retries ?? null,
    timeout: s.timeout ?? null,
    catch_up: s.catch_up ?? "last",
    overlap: s.overlap ?? "allow",
    paused: s.paused ?? false,
    last_slot: now,
    next_slot: nextSlot({ cron, tz }, now),
    last_job_id: null,
    last_run_at: null,
    created_at: now,
    updated_at: now,
    queue: s.queue ?? DEFAULT_QUEUE,
    cwd: s.cwd ?? null,
    env: storedEnv(s.env),
    no_retry_exit_codes: storedExitCodes(s.no_retry_exit_codes),
  };
}

/** A name given on its own (show, pause, remove …): the same rule as in the JSON. */
export function checkScheduleName(name: string): void {
  const parsed = ScheduleInputSchema.shape.name.safeParse(name);
  if (!parsed.success) throw invalid(`name: ${NAME}, got ${JSON.stringify(name)}`, { name: NAME });
}
