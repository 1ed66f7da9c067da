import type { ExecutionResult, Executor } from "./executor.js";
import { newCaptures, runShell } from "./executor.js";
import { NativeSpawner } from "./native-spawner.js";
import { killMarked, runMarks, type MarkSet } from "./orphans.js";

interface InFlight {
  spawner: NativeSpawner;
  marks: MarkSet;
  /** Fails the run: its spawner died. */
  lose: (how: string) => void;
}

/**
 * The command runner on the native spawner (native-spawner.ts): one spawner process per helper
 * slot, each starting the shells of the runs given to it, the least busy first. The runs' timers,
 * signals and output caps live here in the worker (runShell); only the fork and the pipes are the
 * spawner's. A spawner that dies fails its runs and kills their commands, as a helper's death does
 * on the Node path (runner.ts), and is replaced at the next run.
 */
export class NativeRunner {
  private readonly spawners: (NativeSpawner | null)[];
  private readonly load: number[];
  private readonly inFlight = new Set<InFlight>();

  constructor(
    helpers: number,
    private readonly log: (line: string) => void,
  ) {
    this.spawners = Array.from({ length: Math.max(1, helpers) }, () => null);
    this.load = this.spawners.map(() => 0);
  }

  start(): Promise<void> {
    return Promise.all(this.spawners.map((_, index) => this.spawner(index).ready())).then(() => {});
  }

  readonly execute: Executor = (request) => {
    const index = this.load.indexOf(Math.min(...this.load));
    const spawner = this.spawner(index);
    const started = performance.now();
    const captures = newCaptures(request.outputLimit);
    const execution = runShell(request, captures, spawner.start);
    this.load[index]!++;
    let settled = false;
    const result = new Promise<ExecutionResult>((resolve) => {
      const entry: InFlight = {
        spawner,
        marks: runMarks(request.env),
        lose: (how) => {
          if (settled) return;
          settled = true;
          resolve({
            outcome: "failed",
            exit_code: null,
            signal: null,
            error: `the worker's command runner process died (${how}); the command was killed`,
            finished_at: Date.now(),
            duration_ms: Math.round(performance.now() - started),
            stdout: captures.stdout.snapshot(),
            stderr: captures.stderr.snapshot(),
          });
        },
      };
      this.inFlight.add(entry);
      void execution.result.then((done) => {
        this.inFlight.delete(entry);
        this.load[index]!--;
        if (settled) return;
        settled = true;
        resolve(done);
      });
    });
    return { result, interrupt: execution.interrupt, output: execution.output };
  };

  /** The spawners exit once their commands are done. */
  close(): void {
    this.spawners.forEach((spawner, index) => {
      this.spawners[index] = null;
      spawner?.close();
    });
  }

  private spawner(index: number): NativeSpawner {
    const running = this.spawners[index];
    if (running) return running;
    const spawner: NativeSpawner = new NativeSpawner((how) => this.died(index, spawner, how));
    this.spawners[index] = spawner;
    return spawner;
  }

  private died(index: number, spawner: NativeSpawner, how: string): void {
    if (this.spawners[index] === spawner) this.spawners[index] = null;
    const lost = [...this.inFlight].filter((entry) => entry.spawner === spawner);
    if (lost.length === 0) return;
    killMarked(lost.map((entry) => entry.marks));
    this.log(`a command runner process died (${how}) with ${lost.length} command(s) running; they were killed`);
    for (const entry of lost) entry.lose(how);
    // Their executions end too (timers cleared); their results are already the failure above.
    spawner.abandon(new Error(`the command runner process died (${how})`));
  }
}
