import type { WorkerStore } from "../../../core/store.js";
import type { Db } from "../db.js";
import { deregisterWorker, listWorkers, registerWorker, requestStop } from "../sql/workers.js";

/** The PostgreSQL store's worker rows. */
export function postgresWorkers(db: Db): WorkerStore {
  const { idempotent } = db;
  return {
    registerWorker(worker) {
      return registerWorker(idempotent, worker);
    },
    deregisterWorker(id) {
      return deregisterWorker(idempotent, id);
    },
    listWorkers() {
      return listWorkers(idempotent);
    },
    requestStop(mode, workerId) {
      return requestStop(db, mode, workerId);
    },
  };
}
