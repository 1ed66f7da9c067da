import { deadHook, deadHookJob } from "../core/on-dead.js";
import { afterRun } from "../core/retry.js";
import type { ClaimedJob } from "../core/types.js";
import type { FinishedRun, WorkerContext } from "./context.js";
import { logsAt } from "./log.js";
import type { Execution, ExecutionResult } from "./executor.js";

/**
 * What a run that ended on this worker records: where its job goes next (core/retry.ts) and, when
 * it goes dead, the on-dead hook's job. Logs the end, one event.
 */
export function endedRun(
  ctx: WorkerContext,
  claim: ClaimedJob,
  result: ExecutionResult,
  workerId: string,
): FinishedRun {
  const { job, attempt } = claim;
  const { next, error } = afterRun(job, result, result.finished_at, ctx.config);
  const { outcome, exit_code, signal, duration_ms } = result;
  const level = outcome === "completed" || outcome === "interrupted" || outcome === "cancelled" ? "info" : "warn";
  if (logsAt(ctx.log, level)) {
    const retryAt = next.state === "failed" ? new Date(next.run_at).toISOString() : undefined;
    const fields = { event: "job.finished", job_id: job.id, attempt, worker_id: workerId, outcome, exit_code, signal };
    const more = {
      duration_ms,
      next_state: next.state,
      ...(error ? { error } : {}),
      ...(retryAt ? { retry_at: retryAt } : {}),
    };
    const what = `job ${job.id} ${outcome}${error ? ` (${error})` : ""} in ${duration_ms} ms (attempt ${attempt})`;
    ctx.log[level]({ ...fields, ...more }, `${what} → ${retryAt ? `retry at ${retryAt}` : next.state}`);
  }
  const hook =
    next.state === "dead" ? deadHookJob({ ...job, exit_code, error }, deadHook(ctx.config), result.finished_at) : null;
  return { ...result, error, job_id: job.id, attempt, worker_id: workerId, next, hook };
}

/** An executor that throws must not take the worker down; the run fails like one that could not start. */
export function executorFailed(error: unknown, execution: Execution): ExecutionResult {
  return {
    outcome: "start_error",
    exit_code: null,
    signal: null,
    error: `the executor failed: ${(error as Error)?.message ?? String(error)}`,
    finished_at: Date.now(),
    duration_ms: 0,
    stdout: execution.output("stdout"),
    stderr: execution.output("stderr"),
  };
}
