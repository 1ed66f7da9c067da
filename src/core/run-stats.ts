import { FAILED_OUTCOMES } from "./metrics.js";
import type { FinishedAttempt, FinishedCursor, FinishedOutcome, RunTotals } from "./store.js";

/** Outcomes of a failed run. An interrupted run (`worker stop --now`) is neither success nor failure. */
export type FailedOutcome = (typeof FAILED_OUTCOMES)[number];

/** Whether a finished run succeeded, failed, or neither (interrupted, or cancelled by a user). */
export function runResult(outcome: FinishedOutcome): "completed" | "failed" | null {
  if (outcome === "completed") return "completed";
  return outcome === "interrupted" || outcome === "cancelled" ? null : "failed";
}

/** Run totals as the faces show them: failures by outcome, interrupted runs apart. */
export interface RunCounts {
  started: number;
  completed: number;
  failed: Record<FailedOutcome, number>;
  interrupted: number;
  /** Runs stopped by `job cancel` (neither success nor failure). */
  cancelled: number;
  /** Moves of a job to the DLQ (a job retried from it and dead again counts twice). */
  dead: number;
}

export function runCounts(totals: RunTotals): RunCounts {
  const failed = Object.fromEntries(FAILED_OUTCOMES.map((o) => [o, totals.finished[o]])) as RunCounts["failed"];
  return {
    started: totals.started,
    completed: totals.finished.completed,
    failed,
    interrupted: totals.finished.interrupted,
    cancelled: totals.finished.cancelled,
    dead: totals.dead,
  };
}

/**
 * How long a run waited for a worker: from when it was due (its run_at, or its enqueue if that came
 * later) to its start. Null for runs recorded before run_at was kept with them.
 */
export function pickupLatencyMs(run: FinishedAttempt): number | null {
  if (run.run_at === null) return null;
  return Math.max(0, run.started_at - Math.max(run.run_at, run.created_at));
}

/**
 * How long after its end a run is read. A worker stamps finished_at before its write commits
 * (SQLite: before it waits up to 10 s for the write lock), so runs can appear out of finished_at
 * order; reading only runs older than this keeps a cursor from passing one that is still on its way.
 */
export const FINISHED_SETTLE_MS = 12_000;

export type ReadFinished = (after: FinishedCursor, until: number, limit: number) => Promise<FinishedAttempt[]>;

/**
 * Walks the runs that finish from `since` on, each once, by a cursor: what a metrics scrape feeds
 * its histograms with. Each read takes at most `max` runs (later ones wait for the next read), so a
 * scrape after a burst of a million runs costs no more than any other.
 */
export class FinishedRunFeed {
  private cursor: FinishedCursor;
  private reading: Promise<number> | null = null;

  constructor(
    private readonly readFinished: ReadFinished,
    since: number,
    private readonly pageSize = 1000,
  ) {
    this.cursor = { finished_at: since, job_id: "", number: 0 };
  }

  /** Calls `onRun` for each run not yet seen, at most `max`; returns how many. One read at a time. */
  read(max: number, onRun: (run: FinishedAttempt) => void, now = Date.now()): Promise<number> {
    // Two scrapes at once must not both take the same page.
    const previous = this.reading ?? Promise.resolve(0);
    const next = previous.then(() => this.readPages(max, onRun, now - FINISHED_SETTLE_MS));
    this.reading = next.catch(() => 0);
    return next;
  }

  private async readPages(max: number, onRun: (run: FinishedAttempt) => void, until: number): Promise<number> {
    let read = 0;
    while (read < max) {
      const page = await this.readFinished(this.cursor, until, Math.min(this.pageSize, max - read));
      for (const run of page) onRun(run);
      read += page.length;
      const last = page.at(-1);
      if (last) this.cursor = { finished_at: last.finished_at, job_id: last.job_id, number: last.number };
      if (page.length < this.pageSize) break;
      // SQLite answers synchronously: let other requests run between pages.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return read;
  }
}
