import { listLimit, type ListedJobPage } from "./listing.js";
import type { Store } from "./store.js";
import type { JobFilter } from "./types.js";

/**
 * The list `filter` asks for, read in pages of at most `pageSize` jobs (see Queue.listPages): a
 * caller that streams or budgets its output never holds `limit` jobs at once.
 */
export async function* listPages(
  store: Store,
  filter: Partial<JobFilter>,
  pageSize: number,
): AsyncGenerator<ListedJobPage> {
  let remaining = listLimit(filter.limit);
  let cursor = filter.cursor;
  while (remaining > 0) {
    const page = await store.listJobs({ ...filter, cursor, limit: Math.min(remaining, pageSize) });
    yield page;
    remaining -= page.jobs.length;
    if (page.next_cursor === null) return;
    cursor = page.next_cursor;
  }
}
