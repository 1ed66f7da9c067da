import type { RetentionStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { countPrunable, pruneJobs, pruneOutput } from "../sql/prune.js";

/**
 * The PostgreSQL store's retention. A batch run twice removes other rows, never the same runs
 * twice: the idempotent view.
 */
export function postgresRetention(db: Db): RetentionStore {
  const { idempotent } = db;
  return {
    async pruneJobs(state, before, limit) {
      return pruneJobs(idempotent, state, before, limit);
    },
    async pruneOutput(before, limit) {
      return pruneOutput(idempotent, before, limit);
    },
    async countPrunable(what, before) {
      return countPrunable(idempotent, what, before);
    },
    /** PostgreSQL's autovacuum makes freed space reusable; giving it back (VACUUM FULL) would lock the tables. */
    async reclaimSpace() {
      return false;
    },
  };
}
