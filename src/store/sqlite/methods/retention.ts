import type { RetentionStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { countPrunable, pruneJobs, pruneOutput, reclaimSpace } from "../sql/prune.js";

/** The SQLite store's retention: prunes in batches, and gives freed pages back to the disk. */
export function sqliteRetention(db: Db): RetentionStore {
  return {
    async pruneJobs(state, before, limit) {
      return pruneJobs(db, state, before, limit);
    },
    async pruneOutput(before, limit) {
      return pruneOutput(db, before, limit);
    },
    async countPrunable(what, before) {
      return countPrunable(db, what, before);
    },
    async reclaimSpace(full = false) {
      return reclaimSpace(db, full);
    },
  };
}
