import { jobJson } from "../core/json.js";
import { cursorAfter, type ListedJob } from "../core/listing.js";
import type { Queue } from "../core/queue.js";
import type { JobFilter } from "../core/types.js";

/**
 * The most JSON one list response carries. Commands come cut (LIST_COMMAND_CHARS), so 10,000
 * ordinary jobs fit; a list that would not stops early and says so (`truncated`), with the cursor
 * to go on. Memory per request: this budget plus one store page, whatever `limit` asks for.
 */
export const LIST_BUDGET_BYTES = 8 * 1024 * 1024;

/**
 * The body of GET /api/jobs and /api/dlq: `{ jobs, next_cursor, truncated }`, serialized job by job
 * from pages read in turn, within LIST_BUDGET_BYTES.
 */
export async function jobListBody(
  queue: Queue,
  filter: Partial<JobFilter>,
  budget = LIST_BUDGET_BYTES,
): Promise<string> {
  const now = Date.now();
  const parts: string[] = [];
  let bytes = 0;
  let last: ListedJob | null = null;
  let next: string | null = null;
  let truncated = false;
  pages: for await (const page of queue.listPages(filter)) {
    for (const job of page.jobs) {
      const json = JSON.stringify(jobJson(job, now));
      const size = Buffer.byteLength(json) + 1;
      // At least one job, whatever its size (a cut command keeps one job far below the budget).
      if (last !== null && bytes + size > budget) {
        truncated = true;
        next = cursorAfter(last);
        break pages;
      }
      parts.push(json);
      bytes += size;
      last = job;
    }
    next = page.next_cursor;
  }
  return `{"jobs":[${parts.join(",")}],"next_cursor":${JSON.stringify(next)},"truncated":${truncated}}`;
}
