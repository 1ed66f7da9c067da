import { constants } from "node:os";
import type { CancelRun } from "./context.js";
import type { Log } from "./log.js";
import type { Running } from "./runs.js";

/**
 * Carries out a cancel order on a run held here: its process group gets the order's signal, then
 * SIGKILL after the grace, and the run ends "cancelled". Heartbeats repeat the order until the run
 * is recorded: each distinct order is carried out once. (A run that ended before the order came is
 * left to its finish, which the store turns into cancelled unless it completed.)
 */
export function cancelRun(running: Running, order: CancelRun, log: Log, workerId: string): void {
  const key = `${order.signal}/${order.grace_ms}`;
  if (running.cancelled === key) return;
  running.cancelled = key;
  const signal = signalOrTerm(order.signal);
  running.execution.interrupt("cancel", { signal, graceMs: order.grace_ms });
  const fields = { event: "job.cancelling", job_id: order.job_id, attempt: order.attempt, worker_id: workerId };
  log.info(
    { ...fields, signal, grace_ms: order.grace_ms },
    `job ${order.job_id} cancelled: ${signal} sent to its process group, SIGKILL after ${order.grace_ms} ms`,
  );
}

/** The order's signal if this system has it (the core validated it, perhaps on another machine). */
function signalOrTerm(name: string): NodeJS.Signals {
  return Object.hasOwn(constants.signals, name) ? (name as NodeJS.Signals) : "SIGTERM";
}
