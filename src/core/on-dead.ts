/**
 * The on-dead hook: when a job goes dead (its last run failed, its run was lost with no retry left,
 * or it exited with one of its no_retry_exit_codes), the `on-dead` setting's command is enqueued as
 * a job of its own. The core builds that job; each engine inserts it in the same transaction that
 * moves the job to dead, so a worker crashing right after cannot lose the hook.
 *
 * The dead job's facts reach the hook in its job's `env`. Hook jobs go to the queue HOOK_QUEUE, so
 * a user can pause or limit them like any queue. A hook job is known by its key (HOOK_KEY_PREFIX + the dead job's id): a hook job
 * that goes dead fires no hook (no loops), and the key keeps one hook per death.
 */
import type { Config } from "./config.js";
import { newJobId } from "./job-id.js";
import { DEFAULT_PRIORITY } from "./job-defaults.js";
import type { Job, NewJob } from "./types.js";
import { HOOK_KEY_PREFIX } from "./unique-key.js";

/** The queue hook jobs belong to. */
export const HOOK_QUEUE = "hooks";

export { HOOK_KEY_PREFIX };

/** Bounds on what the variables carry, within a job's env limits (128 KiB in all). */
const MAX_COMMAND_BYTES = 64 * 1024;
const MAX_ERROR_BYTES = 8 * 1024;

/** What the hook is told of the dead job. */
export type DeadJobFacts = Pick<Job, "id" | "command" | "key" | "exit_code"> & { error: string | null };

/** The hook as configured: its command, and the retries and timeout its jobs get. */
export interface DeadHook {
  command: string;
  max_retries: number;
  timeout: number;
}

/** The hook of this config, or undefined when on-dead is empty. */
export function deadHook(config: Pick<Config, "on-dead" | "max-retries" | "job-timeout">): DeadHook | undefined {
  const command = config["on-dead"].trim();
  if (command === "") return undefined;
  return { command, max_retries: config["max-retries"], timeout: config["job-timeout"] };
}

export function isHookJob(job: { key?: string | null }): boolean {
  return typeof job.key === "string" && job.key.startsWith(HOOK_KEY_PREFIX);
}

/** The hook job for a job that just went dead, or null (no hook set, or the dead job is a hook). */
export function deadHookJob(dead: DeadJobFacts, hook: DeadHook | undefined, now: number): NewJob | null {
  if (!hook || isHookJob(dead)) return null;
  const vars: [string, string][] = [
    ["QUEUECTL_DEAD_JOB_ID", dead.id],
    ["QUEUECTL_DEAD_JOB_COMMAND", cut(dead.command, MAX_COMMAND_BYTES)],
    ["QUEUECTL_DEAD_JOB_EXIT_CODE", dead.exit_code === null ? "" : String(dead.exit_code)],
    ["QUEUECTL_DEAD_JOB_ERROR", cut(dead.error ?? "", MAX_ERROR_BYTES)],
  ];
  return {
    id: newJobId(now),
    command: hook.command,
    queue: HOOK_QUEUE,
    env: Object.fromEntries(vars),
    priority: DEFAULT_PRIORITY,
    max_retries: hook.max_retries,
    timeout: hook.timeout,
    run_at: now,
    created_at: now,
    key: `${HOOK_KEY_PREFIX}${dead.id}`,
    on_conflict: "skip",
    no_retry_exit_codes: [],
  };
}

/** At most `bytes` bytes of UTF-8, cut at a character boundary. */
function cut(text: string, bytes: number): string {
  const buffer = Buffer.from(text);
  if (buffer.length <= bytes) return text;
  return buffer
    .subarray(0, bytes)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
}
