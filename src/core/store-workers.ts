import type { WorkerInfo } from "./types.js";

export interface NewWorker {
  id: string;
  host: string;
  pid: number;
  slots: number;
  started_at: number;
  /** The queues it serves; absent or null = all. */
  queues?: string[] | null;
}

/** The Store's worker rows: who runs, and the stop requests they read. */
export interface WorkerStore {
  registerWorker(worker: NewWorker): Promise<void>;
  deregisterWorker(id: string): Promise<void>;
  listWorkers(): Promise<WorkerInfo[]>;
  /** Asks one worker (by id) or all to stop; returns how many were asked. */
  requestStop(mode: "drain" | "now", workerId?: string): Promise<number>;
}
