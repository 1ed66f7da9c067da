/**
 * The command runner process (started by runner.ts): forks each job's command for its worker, so
 * that the fork happens in this small process rather than in the worker. Its module graph is kept
 * to the executor alone.
 *
 * Output is kept here, in the capped capture (head and tail in bounded buffers, the middle dropped
 * as it streams), and forwarded as deltas: at most one message per run in flight on the channel
 * and at most one per FORWARD_INTERVAL_MS. However fast a command writes, this process holds
 * O(output-limit) per run and the worker receives at most that per interval; a command that
 * writes slowly still has its output forwarded as it comes.
 */
import { newCaptures, runShell, type Captures, type Execution } from "./executor.js";
import type { OutputStream } from "../core/types.js";
import type { RunnerEvent, RunnerRequest, WireDelta } from "./runner.js";

const FORWARD_INTERVAL_MS = 100;

interface Run {
  execution: Execution;
  captures: Captures;
  /** Bytes of each stream the worker already has. */
  forwarded: Record<OutputStream, number>;
  inFlight: boolean;
  timer: NodeJS.Timeout | null;
  lastSent: number;
}

const running = new Map<number, Run>();

function report(event: RunnerEvent, done?: () => void): void {
  if (!process.connected) return;
  process.send?.(event, undefined, {}, () => done?.());
}

/** The output of `run` the worker does not have yet, or null when it has it all. */
function takeDelta(run: Run): Partial<Record<OutputStream, WireDelta>> | null {
  const deltas: Partial<Record<OutputStream, WireDelta>> = {};
  let any = false;
  for (const stream of ["stdout", "stderr"] as const) {
    const capture = run.captures[stream];
    if (capture.totalBytes === run.forwarded[stream]) continue;
    const { head, skipped, tail } = capture.delta(run.forwarded[stream]);
    run.forwarded[stream] = capture.totalBytes;
    deltas[stream] = { head: head.toString("base64"), skipped, tail: tail.toString("base64") };
    any = true;
  }
  return any ? deltas : null;
}

function forward(id: number, run: Run): void {
  run.timer = null;
  if (run.inFlight || !running.has(id)) return;
  const output = takeDelta(run);
  if (!output) return;
  run.inFlight = true;
  run.lastSent = performance.now();
  // Called once the message is written to the channel: until then nothing more is queued for it.
  report({ type: "output", id, output }, () => {
    run.inFlight = false;
    schedule(id, run);
  });
}

function schedule(id: number, run: Run): void {
  if (run.inFlight || run.timer) return;
  const wait = run.lastSent + FORWARD_INTERVAL_MS - performance.now();
  if (wait <= 0) forward(id, run);
  else run.timer = setTimeout(() => forward(id, run), wait);
}

process.on("message", (request: RunnerRequest) => {
  if (request.type === "interrupt") {
    running.get(request.id)?.execution.interrupt(request.reason, request.how);
    return;
  }
  const { id, type: _type, ...options } = request;
  const captures = newCaptures(options.outputLimit);
  const run: Run = {
    execution: undefined as unknown as Execution,
    captures,
    forwarded: { stdout: 0, stderr: 0 },
    inFlight: false,
    timer: null,
    lastSent: -Infinity,
  };
  run.execution = runShell({ ...options, onOutput: () => schedule(id, run) }, captures);
  running.set(id, run);
  void run.execution.result.then(({ stdout: _stdout, stderr: _stderr, ...result }) => {
    running.delete(id);
    if (run.timer) clearTimeout(run.timer);
    // The rest of the output, then the result: the channel keeps their order.
    const output = takeDelta(run);
    if (output) report({ type: "output", id, output });
    report({ type: "result", id, result });
  });
});

report({ type: "ready" });

// The worker decides when to stop: Ctrl-C in a terminal reaches this process too, and the worker
// drains on the first one.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});

// The worker is gone (stopped, or killed): its jobs will run again elsewhere, so these must not go
// on. TERM, then KILL after the grace; the process exits once nothing is left.
process.on("disconnect", () => {
  for (const run of running.values()) run.execution.interrupt();
});
