import type { OutputStream } from "../core/types.js";
import type { RunRef, WorkerContext } from "./context.js";
import type { Execution } from "./executor.js";

/** Live output is written to the store at most this often per running job. */
const OUTPUT_FLUSH_MS = 250;

/**
 * A running job's output, copied to the store as it grows so that `logs --follow` and the dashboard
 * see it: at most one write per stream per OUTPUT_FLUSH_MS, however fast the command prints. A
 * write the store refuses means the run is no longer this worker's (fencing): `refused` is called.
 */
export class LiveOutput {
  private timer: NodeJS.Timeout | null = null;
  private readonly dirty = new Set<OutputStream>();
  private closed = false;

  constructor(
    private readonly ctx: WorkerContext,
    private readonly run: RunRef,
    private readonly execution: () => Execution,
    private readonly refused: (run: RunRef) => void,
  ) {}

  changed(stream: OutputStream): void {
    this.dirty.add(stream);
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => this.write(), OUTPUT_FLUSH_MS);
  }

  /** The run ended or was disowned: nothing more is written for it. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private write(): void {
    this.timer = null;
    if (this.closed) return;
    const streams = [...this.dirty];
    this.dirty.clear();
    const { ctx, run } = this;
    for (const stream of streams) {
      const output = this.execution().output(stream);
      ctx
        .writing(() => ctx.store.writeOutput(run.job_id, run.attempt, ctx.id, stream, output))
        .then((written) => {
          if (!written) this.refused(run);
        })
        .catch((error: Error) =>
          ctx.log.warn(
            {
              event: "output.failed",
              job_id: run.job_id,
              attempt: run.attempt,
              worker_id: ctx.id,
              reason: error.message,
            },
            `cannot store live output of ${run.job_id}: ${error.message}`,
          ),
        );
    }
  }
}
