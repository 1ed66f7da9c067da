import type { Queue } from "./queue.js";
import { waitForJobs, type WaitOptions, type WaitResult } from "./wait.js";
import type { JobState } from "./types.js";

/** The states of a job that is not finished yet. */
const UNFINISHED: readonly JobState[] = ["pending", "failed", "processing"];
const PAGE = 500;

/**
 * Waits until queue `name` has no pending, failed or processing job (drained), or `timeoutMs`
 * passed. Jobs enqueued into it meanwhile are waited for too: once the jobs seen have finished,
 * the queue is read again. `finished` holds every job waited for, as it ended.
 */
export async function waitForQueue(queue: Queue, name: string, options: WaitOptions = {}): Promise<WaitResult> {
  const { timeoutMs } = options;
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  const finished: WaitResult["finished"] = [];
  for (;;) {
    const ids = await unfinishedIds(queue, name);
    if (ids.length === 0) return { finished, unfinished: [] };
    const left = deadline - Date.now();
    if (left <= 0) return { finished: [], unfinished: ids };
    const result = await waitForJobs(queue, ids, { ...options, timeoutMs: left === Infinity ? undefined : left });
    if (result.unfinished.length > 0) return result;
    finished.push(...result.finished);
  }
}

async function unfinishedIds(queue: Queue, name: string): Promise<string[]> {
  const ids: string[] = [];
  for (const state of UNFINISHED) {
    let cursor: string | undefined;
    do {
      const page = await queue.list({ queue: name, state, limit: PAGE, cursor });
      for (const job of page.jobs) ids.push(job.id);
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }
  return ids;
}
