import type { AttemptOutput, OutputStream } from "../core/types.js";
import { setLongTimeout, type LongTimer } from "./long-timer.js";
import { killMarked, runMarks, signalMarked } from "./orphans.js";
import { outcome, type ExecutionOutcome, type InterruptReason, type StopReason } from "./outcome.js";
import { OutputCapture } from "./output-capture.js";
import { nodeShell, type ShellChild, type StartShell } from "./shell-child.js";
import { startErrorMessage } from "./start-error.js";

export type { ExecutionOutcome, InterruptReason } from "./outcome.js";

export interface ExecutionRequest {
  command: string;
  /** null = no timeout. */
  timeoutMs: number | null;
  /** Bytes kept per stream. */
  outputLimit: number;
  /** Variables added to the worker's environment for this command. */
  env?: Record<string, string>;
  /** Absolute directory the command runs in (default: the worker's). */
  cwd?: string;
  /**
   * Called as a stream's output grows, with new bytes (through the command runner, only the bytes
   * the cap keeps: the middle of a long output is never passed); `Execution.output` has the capped
   * whole.
   */
  onOutput?: (stream: OutputStream, chunk: Buffer) => void;
}

export interface ExecutionResult {
  outcome: ExecutionOutcome;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  finished_at: number;
  duration_ms: number;
  stdout: AttemptOutput;
  stderr: AttemptOutput;
}

/** How an interrupt stops the command: this signal to its process group, SIGKILL `graceMs` later. */
export interface StopHow {
  signal?: NodeJS.Signals;
  graceMs?: number;
}

export interface Execution {
  readonly result: Promise<ExecutionResult>;
  /**
   * Stops the command at once (default: SIGTERM, SIGKILL after KILL_GRACE_MS); the run ends as
   * "interrupted" ("cancelled" for a cancel), its error naming why (default "stop"). A second
   * cancel sends its own signal and may shorten the grace; other second calls change nothing.
   */
  interrupt(reason?: InterruptReason, how?: StopHow): void;
  /** What a stream holds so far (for live output while the command runs). */
  output(stream: OutputStream): AttemptOutput;
}

/** Runs one command. The worker pool takes any Executor; the benchmarks use a no-op one. */
export type Executor = (request: ExecutionRequest) => Execution;

/** Grace between SIGTERM and SIGKILL when a job times out or is interrupted. */
const KILL_GRACE_MS = 2_000;
/** After the shell exits, how long to wait for pipes held open by its background children. */
const PIPE_GRACE_MS = 500;

export type Captures = Record<OutputStream, OutputCapture>;

export function newCaptures(outputLimit: number): Captures {
  return { stdout: new OutputCapture(outputLimit), stderr: new OutputCapture(outputLimit) };
}

/**
 * `/bin/sh -c COMMAND` in its own process group (detached), so a timeout or an interrupt can
 * signal the whole group and leave no orphan behind.
 */
export const shellExecutor: Executor = (request) => runShell(request, newCaptures(request.outputLimit));

/**
 * shellExecutor, capturing into `captures` (the command runner process forwards from them), the
 * shell started by `start` (Node's spawn, or the native spawner's).
 *
 * No process outlives its run. At a timeout or an interrupt the process group gets SIGTERM, then
 * SIGKILL once the shell is gone or after the grace; so does every process that carries the run's
 * marks in its environment (orphans.ts), which finds the ones that left the group. When the shell
 * exits by itself, what it left behind — processes still in its group, or still holding its output
 * pipes — is stopped the same way (TERM, KILL after the grace). A process that left the group and
 * closed its output (a real daemon) is only searched for at a timeout or an interrupt: finding it
 * means reading every process's environment, too slow to do after every run.
 */
export function runShell(request: ExecutionRequest, captures: Captures, start: StartShell = nodeShell): Execution {
  const started = performance.now();
  const marks = runMarks(request.env);
  let stopReason: StopReason | null = null;
  let interrupt: (reason: InterruptReason, how: StopHow) => void = () => {};

  const result = new Promise<ExecutionResult>((resolve) => {
    let timer: LongTimer | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (
      outcome: ExecutionOutcome,
      fields: { exit_code?: number | null; signal?: string | null; error?: string | null },
    ) => {
      timer?.clear();
      clearTimeout(killTimer);
      resolve({
        outcome,
        exit_code: fields.exit_code ?? null,
        signal: fields.signal ?? null,
        error: fields.error ?? null,
        finished_at: Date.now(),
        duration_ms: Math.round(performance.now() - started),
        stdout: captures.stdout.snapshot(),
        stderr: captures.stderr.snapshot(),
      });
    };

    const open: Record<OutputStream, boolean> = { stdout: true, stderr: true };
    /** Set once the shell exited: called as each pipe closes. */
    let onClosed: (() => void) | null = null;
    let child: ShellChild;
    try {
      child = start(request.command, request.env, request.cwd, {
        output: (stream, chunk) => {
          captures[stream].write(chunk);
          request.onOutput?.(stream, chunk);
        },
        closed: (stream) => {
          open[stream] = false;
          onClosed?.();
        },
        error: (error) => finish("start_error", { error: startErrorMessage(error, request.cwd) }),
        exit: (code, signal) => exited(code, signal),
      });
    } catch (error) {
      // Refused before any process exists, e.g. a NUL byte, which no command line can carry.
      finish("start_error", { error: startErrorMessage(error as Error, request.cwd) });
      return;
    }
    const killAll = () => {
      child.signalGroup("SIGKILL");
      killMarked([marks]);
    };
    let killAt = Infinity;
    const stop = (reason: StopReason, how: StopHow = {}) => {
      // Only a cancel may follow a cancel (a user who asked for SIGTERM may now ask for SIGKILL).
      if (stopReason && !(stopReason === "cancel" && reason === "cancel")) return;
      stopReason = reason;
      const signal = how.signal ?? "SIGTERM";
      child.signalGroup(signal);
      signalMarked([marks], signal, child.groupId());
      const at = performance.now() + (how.graceMs ?? KILL_GRACE_MS);
      if (at >= killAt) return;
      killAt = at;
      clearTimeout(killTimer);
      killTimer = setTimeout(killAll, Math.max(0, at - performance.now()));
      killTimer.unref();
    };
    interrupt = stop;
    if (request.timeoutMs !== null) timer = setLongTimeout(() => stop("timeout"), request.timeoutMs);

    /** After a normal exit: TERM what the job left running, KILL it after the grace. */
    let leftoversStopped = false;
    const stopLeftovers = () => {
      if (leftoversStopped) return;
      leftoversStopped = true;
      child.signalGroup("SIGTERM");
      const termed = signalMarked([marks], "SIGTERM");
      // Without marks the group is all there is to find. With them, the second round goes by
      // marks rather than by group id, which another run may have been given by now.
      if (marks.length === 0 || termed.length > 0) {
        setTimeout(() => (marks.length === 0 ? child.signalGroup("SIGKILL") : killMarked([marks])), KILL_GRACE_MS);
      }
    };

    function exited(code: number | null, signal: NodeJS.Signals | null): void {
      clearTimeout(killTimer);
      // A timed-out or interrupted run must not outlive its job; nor may what a finished one left.
      if (stopReason) killAll();
      else if (child.signalGroup(0)) stopLeftovers();
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        clearTimeout(grace);
        // Only a plain failure's message reads stderr: don't copy it for every run that succeeds.
        const failed = !stopReason && !signal && code !== 0;
        const stderrTail = failed ? captures.stderr.snapshot().data : "";
        const { timeoutMs } = request;
        const { outcome: how, ...fields } = outcome({ code, signal, stopReason, timeoutMs, stderrTail });
        finish(how, fields);
      };
      // Let the pipes drain, but don't wait for background children that keep them open.
      const grace = setTimeout(() => {
        // Whoever still holds the pipes was started by the job (and may have left its group).
        if (!stopReason) stopLeftovers();
        child.closePipes();
        settle();
      }, PIPE_GRACE_MS);
      onClosed = () => {
        if (!open.stdout && !open.stderr) settle();
      };
      onClosed();
    }
  });

  return {
    result,
    interrupt: (reason = "stop", how = {}) => interrupt(reason, how),
    output: (stream) => captures[stream].snapshot(),
  };
}
