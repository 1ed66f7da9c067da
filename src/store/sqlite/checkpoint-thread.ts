/**
 * The body of the checkpoint thread (background-checkpoints.ts): a connection of its own that
 * copies the WAL into the main file every interval, until the store asks it to stop. It never
 * writes a row, so it takes no write lock; a PASSIVE checkpoint waits for no reader or writer.
 */
import Database from "better-sqlite3";
import { workerData } from "node:worker_threads";
import { CLOSED, RUN, type CheckpointThreadData } from "./checkpoint-control.js";

const { path, intervalMs, control } = workerData as CheckpointThreadData;
let db: Database.Database | null = null;
try {
  db = new Database(path, { fileMustExist: true, timeout: 0 });
  while (Atomics.load(control, 0) === RUN) {
    Atomics.wait(control, 0, RUN, intervalMs);
    if (Atomics.load(control, 0) !== RUN) break;
    try {
      db.pragma("wal_checkpoint(PASSIVE)");
    } catch {
      // Busy, or the disk refused: the store's own checkpoint at its interval still comes.
    }
  }
} catch {
  // Could not open the file: the store checkpoints by itself, as without this thread.
} finally {
  db?.close();
  Atomics.store(control, 1, CLOSED);
  Atomics.notify(control, 1);
}
