import type { PrunableState } from "./retention.js";

/** The Store's retention (core/retention.ts decides what; these apply it in batches). */
export interface RetentionStore {
  /**
   * Deletes at most `limit` jobs in `state` whose finished_at < `before`, oldest first, with their
   * attempts and output, in one transaction. Their finished runs are first added to the per-minute
   * and per-hour rollups that metrics and throughput read with the live rows, so history survives;
   * run totals do not change. Never touches jobs in other states. Returns how many were deleted.
   */
  pruneJobs(state: PrunableState, before: number, limit: number): Promise<number>;
  /**
   * Drops the stored output of at most `limit` finished runs whose finished_at < `before`, oldest
   * first; their attempt rows stay, and getOutput says `pruned`. Walks on from where the last call
   * stopped (a mark kept in the store), so a call costs the same however much was pruned before.
   * Returns how many runs it walked (fewer than `limit`: nothing left) and how many of them had
   * output that it dropped.
   */
  pruneOutput(before: number, limit: number): Promise<{ walked: number; dropped: number }>;
  /** How many jobs pruneJobs(state, before) would delete, and runs whose output pruneOutput(before) would drop. */
  countPrunable(what: PrunableState | "output", before: number): Promise<number>;
  /** Gives freed pages back to the file system where the engine keeps them (SQLite), a bounded
   * number per call; true when more are left for another call. `full` rewrites the whole file
   * (SQLite VACUUM, which also turns incremental vacuum on). */
  reclaimSpace(full?: boolean): Promise<boolean>;
}
