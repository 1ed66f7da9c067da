import { setTimeout as sleep } from "node:timers/promises";
import { workerJson } from "../core/json.js";
import type { Queue } from "../core/queue.js";
import { printable } from "../core/printable.js";
import { ExitWith } from "./exit.js";

/** Workers notice a stop request at their next heartbeat; a look twice a second is plenty. */
const POLL_MS = 500;

/** The exit code of a wait that timed out, as timeout(1) has it. */
export const TIMED_OUT = 124;

/**
 * Returns once none of the workers asked to stop (`only` one, or every one asked) is running:
 * each has deregistered, or its heartbeat is older than the lease (lost). After `timeoutMs`,
 * throws exit 124 naming those still running.
 */
export async function waitForStopped(queue: Queue, only: string | undefined, timeoutMs: number | null): Promise<void> {
  const deadline = timeoutMs === null ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    const now = Date.now();
    const leaseMs = (await queue.config())["lease-seconds"] * 1000;
    const running = (await queue.workers())
      .filter((w) => w.stop_requested !== null && (only === undefined || w.id === only))
      .filter((w) => workerJson(w, leaseMs, now).status !== "lost");
    if (running.length === 0) return;
    if (now >= deadline) {
      const names = running.map((w) => `${w.id} (${w.host} pid ${w.pid}, ${w.running.length} job(s))`);
      throw new ExitWith(
        TIMED_OUT,
        `timed out after ${(timeoutMs ?? 0) / 1000} s; still running: ${printable(names.join(", "))}`,
      );
    }
    await sleep(Math.min(POLL_MS, deadline - now));
  }
}
