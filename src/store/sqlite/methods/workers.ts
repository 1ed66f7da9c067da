import type { WorkerStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { deregisterWorker, listWorkers, registerWorker, requestStop } from "../sql/workers.js";

/** The SQLite store's worker rows. */
export function sqliteWorkers(db: Db): WorkerStore {
  return {
    async registerWorker(worker) {
      registerWorker(db, worker);
    },
    async deregisterWorker(id) {
      deregisterWorker(db, id);
    },
    async listWorkers() {
      return listWorkers(db);
    },
    async requestStop(mode, workerId) {
      return requestStop(db, mode, workerId);
    },
  };
}
