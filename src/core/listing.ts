import { invalid } from "./errors.js";
import type { Blocker } from "./dependencies.js";
import type { Job } from "./types.js";

/**
 * Commands longer than this many characters are cut in list views (job lists, the live feed):
 * a command may be up to 128 KiB, and 10,000 of them in one list would be over a gigabyte. The
 * job's own view (`job show`, GET /api/jobs/:id) has the whole command. Stores cut in SQL, so the
 * long text is never loaded for a list.
 */
export const LIST_COMMAND_CHARS = 4096;

/** How many jobs one list returns: this many unless asked, at most LIST_LIMIT_MAX. */
export const LIST_LIMIT_DEFAULT = 50;
export const LIST_LIMIT_MAX = 10_000;

/** The limit a list asks for, checked, or the default; throws an "invalid" QueueError. */
export function listLimit(limit = LIST_LIMIT_DEFAULT): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMIT_MAX) {
    const range = `1..${LIST_LIMIT_MAX}`;
    throw invalid(`limit: must be an integer ${range}, got ${limit}`, { limit: `must be ${range}` });
  }
  return limit;
}

/** A job as list views see it: `command` holds at most LIST_COMMAND_CHARS characters. */
export interface ListedJob extends Job {
  /** True when `command` is only the start of the job's command. */
  command_truncated: boolean;
  /**
   * A blocked job's first dependencies that have not completed, in the order of HOLDING_STATES
   * then by id, at most BLOCKERS_SHOWN (core/dependencies.ts): what its blocked reason names.
   * Absent for a job that is not blocked.
   */
  blocked_by?: Blocker[];
}

/**
 * The cursor of a page that ends at `job`: both stores page lists by seq, newest first, and
 * continue below it. A list cut short (a response's byte budget) continues from here.
 */
export function cursorAfter(job: Job): string {
  return String(job.seq);
}

/**
 * The seq a cursor of cursorAfter stands for. Only what cursorAfter makes is accepted: decimal
 * digits of a safe integer (not "1e3", "0x10", " 5" or "-1", which Number() would take).
 */
export function decodeCursor(cursor: string): number {
  const seq = Number(cursor);
  if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(seq)) {
    throw invalid(`cursor: "${cursor}" is not a cursor returned by a previous page`, { cursor: "invalid" });
  }
  return seq;
}

export interface ListedJobPage {
  jobs: ListedJob[];
  next_cursor: string | null;
}

/**
 * A position in the stream of job changes: changes are ordered by (updated_at, seq), and a page
 * continues strictly after the last change it has seen. Many jobs share an updated_at (a batch
 * is stamped once), so the time alone cannot be a cursor.
 */
export interface ChangeCursor {
  updated_at: number;
  seq: number;
}

/** Where a page of changes starts: a bare time means "after every change stamped then". */
export function changesAfter(after: number | ChangeCursor): ChangeCursor {
  return typeof after === "number" ? { updated_at: after, seq: Number.MAX_SAFE_INTEGER } : after;
}
