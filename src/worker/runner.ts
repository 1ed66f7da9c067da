import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { OutputStream } from "../core/types.js";
import {
  newCaptures,
  type Captures,
  type Execution,
  type ExecutionRequest,
  type ExecutionResult,
  type Executor,
  type InterruptReason,
  type StopHow,
} from "./executor.js";
import { NativeRunner } from "./native-runner.js";
import { NATIVE_SPAWNER, nativeUnavailable } from "./native-spawner.js";
import { killMarked, runMarks } from "./orphans.js";
import { silentLog, type Log } from "./log.js";

/** What the worker asks of its runner process (runner-process.ts). */
export type RunnerRequest =
  | ({ type: "run"; id: number } & Omit<ExecutionRequest, "onOutput">)
  | { type: "interrupt"; id: number; reason: InterruptReason; how: StopHow };

/** An OutputDelta on the channel (bytes in base64). */
export interface WireDelta {
  head: string;
  skipped: number;
  tail: string;
}

/**
 * What the runner process reports: output as it comes, as deltas of its capped captures (bytes in
 * base64: the channel speaks JSON, whose round trip measured 77 µs against 122 µs for the
 * structured-clone one), then the result (without the output).
 */
export type RunnerEvent =
  | { type: "ready" }
  | { type: "output"; id: number; output: Partial<Record<OutputStream, WireDelta>> }
  | { type: "result"; id: number; result: Omit<ExecutionResult, "stdout" | "stderr"> };

const RUNNER_SCRIPT = fileURLToPath(new URL("./runner-process.js", import.meta.url));

interface Pending {
  request: ExecutionRequest;
  captures: Captures;
  resolve: (result: ExecutionResult) => void;
  /** Which helper runs it. */
  helper: number;
  /** performance.now() when it was asked for. */
  started: number;
}

/**
 * Runs commands through small helper processes instead of forking them from the worker itself.
 * Node's spawn blocks its event loop until the child has exec'd, so one process forks one command
 * at a time and the worker's own work (SQLite, bookkeeping) waited behind every fork; helpers fork
 * in parallel, one per core. Forking from the worker also cost it more: fork() leaves the caller's
 * memory copy-on-write, so the SQLite transaction after each fork took ~180 page faults (3 ms
 * instead of 0.3 ms here), even with one slot. Each helper runs shellExecutor; output chunks and
 * the result come back over the IPC channel; the helper keeps the capped output and forwards deltas
 * of it (runner-process.ts), so that neither process's memory depends on how fast a command writes.
 *
 * When the native spawner was built (native/spawner.c), it is the helper instead (native-runner.ts):
 * a Node helper costs ~2 ms of CPU per command in spawn() and in its messages, the spawner a tenth
 * of that. QUEUECTL_SPAWNER=node keeps the Node helpers.
 */
export class CommandRunner {
  /** The native spawners' runner, or null: why not, for the log. */
  private readonly native: NativeRunner | null;
  private readonly whyNotNative: string | null = nativeUnavailable();
  private readonly helpers: (ChildProcess | null)[];
  /** Runs in flight per helper; a new run goes to the least busy one. */
  private readonly load: number[];
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    helpers: number,
    private readonly log: Log = silentLog,
  ) {
    this.native = this.whyNotNative === null ? new NativeRunner(helpers, (line) => this.trouble(line)) : null;
    this.helpers = Array.from({ length: this.native ? 0 : Math.max(1, helpers) }, () => null);
    this.load = this.helpers.map(() => 0);
  }

  /** Something went wrong with a helper process (the jobs it held were failed and killed). */
  private trouble(message: string): void {
    this.log.warn({ event: "runner.trouble" }, message);
  }

  /**
   * Starts the helpers; resolves once each is ready (or gone), so that no claimed job waits for a
   * helper's Node to boot (up to seconds on a loaded machine).
   */
  start(): Promise<void> {
    if (this.native) {
      const message = `commands start through the native spawner (${NATIVE_SPAWNER})`;
      this.log.info({ event: "runner.started", spawner: "native" }, message);
      return this.native.start();
    }
    const message = `commands start through Node's spawn (no native spawner: ${this.whyNotNative})`;
    this.log.info({ event: "runner.started", spawner: "node" }, message);
    return Promise.all(
      this.helpers.map(
        (_, index) =>
          new Promise<void>((resolve) => {
            const child = this.helper(index);
            child.once("exit", () => resolve());
            child.on("message", function ready(event: RunnerEvent) {
              if (event.type !== "ready") return;
              child.off("message", ready);
              resolve();
            });
          }),
      ),
    ).then(() => {});
  }

  readonly execute: Executor = (request) => {
    if (this.native) return this.native.execute(request);
    const id = this.nextId++;
    const helper = this.load.indexOf(Math.min(...this.load));
    const captures = newCaptures(request.outputLimit);
    const result = new Promise<ExecutionResult>((resolve) =>
      this.pending.set(id, { request, captures, resolve, helper, started: performance.now() }),
    );
    this.load[helper]!++;
    const { onOutput: _onOutput, ...run } = request;
    this.send(helper, { type: "run", id, ...run });
    const execution: Execution = {
      result,
      interrupt: (reason = "stop", how = {}) => {
        if (this.pending.has(id)) this.send(helper, { type: "interrupt", id, reason, how });
      },
      output: (stream) => captures[stream].snapshot(),
    };
    return execution;
  };

  /** Lets the helpers exit once their commands are done (they exit on disconnect). */
  close(): void {
    this.native?.close();
    this.helpers.forEach((child, index) => {
      this.helpers[index] = null;
      if (child?.connected) child.disconnect();
    });
  }

  private send(index: number, request: RunnerRequest): void {
    // A helper that died meanwhile fails its pending runs in its exit handler, this one included.
    this.helper(index).send(request, (error) => {
      if (error) this.trouble(`cannot reach the command runner: ${error.message}`);
    });
  }

  private helper(index: number): ChildProcess {
    const running = this.helpers[index];
    if (running?.connected) return running;
    const child = fork(RUNNER_SCRIPT, [], {
      // The helper allocates little; a small young generation keeps its memory small.
      execArgv: ["--max-semi-space-size=1"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child.on("message", (event: RunnerEvent) => this.receive(event));
    child.on("error", (error) => this.trouble(`command runner: ${error.message}`));
    child.once("exit", (code, signal) => {
      if (this.helpers[index] === child) this.helpers[index] = null;
      this.abandon(index, signal ? `signal ${signal}` : `exit code ${code}`);
    });
    this.helpers[index] = child;
    return child;
  }

  private receive(event: RunnerEvent): void {
    if (event.type === "ready") return;
    const pending = this.pending.get(event.id);
    if (!pending) return;
    if (event.type === "output") {
      for (const stream of ["stdout", "stderr"] as const) {
        const wire = event.output[stream];
        if (!wire) continue;
        const head = Buffer.from(wire.head, "base64");
        const tail = Buffer.from(wire.tail, "base64");
        const delta = { head, skipped: wire.skipped, tail };
        pending.captures[stream].apply(delta);
        for (const bytes of [head, tail]) if (bytes.length > 0) pending.request.onOutput?.(stream, bytes);
      }
      return;
    }
    this.pending.delete(event.id);
    this.load[pending.helper]!--;
    pending.resolve({
      ...event.result,
      stdout: pending.captures.stdout.snapshot(),
      stderr: pending.captures.stderr.snapshot(),
    });
  }

  /**
   * A helper died with runs in flight: their commands are killed (found by their runs' marks: the
   * other helpers' runs of this worker go on) and the runs fail.
   */
  private abandon(index: number, how: string): void {
    const lost = [...this.pending].filter(([, pending]) => pending.helper === index);
    if (lost.length === 0) return;
    killMarked(lost.map(([, pending]) => runMarks(pending.request.env)));
    this.trouble(`a command runner process died (${how}) with ${lost.length} command(s) running; they were killed`);
    const now = Date.now();
    const nowMono = performance.now();
    for (const [id, pending] of lost) {
      this.pending.delete(id);
      this.load[index]!--;
      pending.resolve({
        outcome: "failed",
        exit_code: null,
        signal: null,
        error: `the worker's command runner process died (${how}); the command was killed`,
        finished_at: now,
        duration_ms: Math.round(nowMono - pending.started),
        stdout: pending.captures.stdout.snapshot(),
        stderr: pending.captures.stderr.snapshot(),
      });
    }
  }
}
