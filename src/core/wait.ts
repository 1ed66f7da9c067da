import { FinishWakeups } from "./finish-wakeups.js";
import type { ChangeCursor } from "./listing.js";
import type { Queue } from "./queue.js";
import { isFinished } from "./job-state.js";
import type { Job } from "./types.js";

/**
 * A wait sleeps until workers say jobs finished (FinishWakeups), then reads the change feed through
 * its cursor: each read brings only what changed since the last one.
 */
/** Changes read per query while catching up. */
const PAGE = 1_000;
/**
 * The feed starts a little before the first read of the jobs: another machine's clock may stamp
 * a change a little in the past. Every RECHECK_MS the unfinished jobs are also read directly, so a
 * change stamped further back than that is late, never missed.
 */
const CLOCK_MARGIN_MS = 1_000;
const RECHECK_MS = 30_000;
/** Jobs read at once when checking them directly: a job may hold 128 KiB of command. */
const BATCH = 50;

/** What a wait keeps of a finished job: little, so that waiting for many jobs stays small. */
export type FinishedJob = Pick<Job, "id" | "state" | "last_error">;

export interface WaitResult {
  /** Each job as it ended, in the order asked (empty when the time ran out). */
  finished: FinishedJob[];
  /** Ids not finished when the time ran out, in the order asked (empty otherwise). */
  unfinished: string[];
}

export interface WaitOptions {
  /** Give up after this long (default: never). */
  timeoutMs?: number;
  /** Look at the store this often even without a wake-up (default SAFETY_POLL_MS). */
  safetyPollMs?: number;
}

/**
 * Waits until every job in `ids` is finished (completed, dead or cancelled: isFinished), or the timeout passed. Unknown ids
 * throw not_found before anything is waited for.
 */
export async function waitForJobs(
  queue: Queue,
  ids: readonly string[],
  options: WaitOptions = {},
): Promise<WaitResult> {
  // Subscribed before the first read: a finish from then on wakes this wait.
  const wakeups = new FinishWakeups(queue.store, options.safetyPollMs);
  try {
    // A wait told to look rarely (a test proving it is woken) re-reads its jobs as rarely.
    const recheckMs = Math.max(RECHECK_MS, options.safetyPollMs ?? 0);
    return await waitWoken(queue, ids, wakeups, options.timeoutMs, recheckMs);
  } finally {
    wakeups.close();
  }
}

async function waitWoken(
  queue: Queue,
  ids: readonly string[],
  wakeups: FinishWakeups,
  timeoutMs: number | undefined,
  recheckMs: number,
): Promise<WaitResult> {
  const started = Date.now();
  const deadline = timeoutMs === undefined ? Infinity : started + timeoutMs;
  const order = [...new Set(ids)];
  const ended = new Map<string, FinishedJob>();
  const end = (job: Job): void => {
    ended.set(job.id, { id: job.id, state: job.state, last_error: job.last_error });
  };
  const pending = new Set<string>();
  for await (const job of readJobs(queue, order)) {
    if (isFinished(job.state)) end(job);
    else pending.add(job.id);
  }
  let cursor: ChangeCursor = { updated_at: started - CLOCK_MARGIN_MS, seq: 0 };
  let lastCheck = Date.now();
  while (pending.size > 0) {
    const left = deadline - Date.now();
    if (left <= 0) return { finished: [], unfinished: order.filter((id) => pending.has(id)) };
    await wakeups.sleep(left);
    for (;;) {
      const changes = await queue.changesSince(cursor, PAGE);
      for (const job of changes) {
        if (pending.has(job.id) && isFinished(job.state)) {
          pending.delete(job.id);
          end(job);
        }
      }
      const last = changes.at(-1);
      if (last) cursor = { updated_at: last.updated_at, seq: last.seq };
      if (changes.length < PAGE) break;
    }
    if (Date.now() - lastCheck >= recheckMs) {
      lastCheck = Date.now();
      for await (const job of readJobs(queue, [...pending])) {
        if (isFinished(job.state)) {
          pending.delete(job.id);
          end(job);
        }
      }
    }
  }
  return { finished: order.map((id) => ended.get(id)!), unfinished: [] };
}

/** The jobs of `ids`, read BATCH at a time; an unknown id throws not_found. */
async function* readJobs(queue: Queue, ids: readonly string[]): AsyncGenerator<Job> {
  for (let i = 0; i < ids.length; i += BATCH) {
    yield* await Promise.all(ids.slice(i, i + BATCH).map((id) => queue.get(id)));
  }
}
