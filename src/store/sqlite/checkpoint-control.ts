/** What the store and its checkpoint thread share (background-checkpoints.ts, checkpoint-thread.ts). */
export interface CheckpointThreadData {
  path: string;
  intervalMs: number;
  /** [0]: RUN or STOP, set by the store; [1]: OPEN, then CLOSED once the thread's connection is. */
  control: Int32Array;
}

export const RUN = 0;
export const STOP = 1;
export const OPEN = 0;
export const CLOSED = 1;
