/**
 * The command runner process (started by runner.ts): forks each job's command for its worker, so
 * that the fork happens in this small process rather than in the worker. Its module graph is kept
 * to the executor alone.
 */
import { shellExecutor, type Execution } from "./executor.js";
import type { RunnerEvent, RunnerRequest } from "./runner.js";

const running = new Map<number, Execution>();

function report(event: RunnerEvent): void {
  if (process.connected) process.send?.(event);
}

process.on("message", (request: RunnerRequest) => {
  if (request.type === "interrupt") {
    running.get(request.id)?.interrupt();
    return;
  }
  const { id, type: _type, ...run } = request;
  const execution = shellExecutor({ ...run, onOutput: (stream, chunk) => report({ type: "output", id, stream, chunk: chunk.toString("base64") }) });
  running.set(id, execution);
  void execution.result.then(({ stdout: _stdout, stderr: _stderr, ...result }) => {
    running.delete(id);
    // The worker rebuilt the output from the chunks; the bytes are not sent twice.
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
  for (const execution of running.values()) execution.interrupt();
});
