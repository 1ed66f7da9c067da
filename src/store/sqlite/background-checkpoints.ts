import { Worker } from "node:worker_threads";
import { OPEN, STOP, type CheckpointThreadData } from "./checkpoint-control.js";

/**
 * Copies the WAL into the main file on a thread of its own, so that a busy store's commits stop
 * paying for it. Without it, the commit that crosses the checkpoint interval (disk-space.ts) copies
 * ~30,000 pages' worth of changes there and then: a pause of ~0.2 s in the claim loop every few
 * seconds on a million-job store, which halved the claim rate of the runs it fell in. The thread
 * checkpoints a little every interval; the commit that crosses the interval then finds almost
 * everything copied already, and restarts the WAL as before.
 */
const INTERVAL_MS = 250;
/** How long close waits for the thread's connection to close (its checkpoint to finish). */
const STOP_WAIT_MS = 2_000;
/** Commits before a store starts its thread: a short command never does, a worker soon. */
export const THREAD_AFTER_COMMITS = 100;

export class BackgroundCheckpoints {
  /** Zeroed: RUN, OPEN. */
  private readonly control = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  private exited = false;

  constructor(path: string) {
    const data: CheckpointThreadData = { path, intervalMs: INTERVAL_MS, control: this.control };
    // Not the process's flags (`--input-type` made the thread fail to start): it needs none.
    const thread = new Worker(new URL("./checkpoint-thread.js", import.meta.url), { workerData: data, execArgv: [] });
    thread.unref();
    // A thread that failed leaves the store checkpointing by itself, as before.
    thread.on("error", () => {});
    thread.on("exit", () => (this.exited = true));
  }

  /**
   * Stops the thread and waits (briefly) for its connection to close, so that the store's own
   * connection is the last one and its close checkpoints and removes the WAL.
   */
  stop(): void {
    Atomics.store(this.control, 0, STOP);
    Atomics.notify(this.control, 0);
    if (!this.exited) Atomics.wait(this.control, 1, OPEN, STOP_WAIT_MS);
  }
}
