import { setTimeout as sleep } from "node:timers/promises";
import type { Queue } from "../core/queue.js";
import { ExitStatus, TIMED_OUT } from "./exit.js";

/** Workers notice a stop request at their next heartbeat; a look twice a second is plenty. */
const POLL_MS = 500;

/**
 * Returns once none of the workers asked to stop (`only` one, or every one asked) is running:
 * each has deregistered, or its heartbeat is older than the lease (lost). After `timeoutMs`,
 * throws exit 124 naming those still running.
 */
export async function waitForStopped(queue: Queue, only: string | undefined, timeoutMs: number | null): Promise<void> {
  const deadline = timeoutMs === null ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    const now = Date.now();
    // Asked to stop and not yet gone: draining or stopping (a lost worker counts as gone).
    const running = (await queue.workerViews(now)).filter(
      (w) => (w.status === "draining" || w.status === "stopping") && (only === undefined || w.id === only),
    );
    if (running.length === 0) return;
    if (now >= deadline) {
      const names = running.map((w) => `${w.id} (${w.host} pid ${w.pid}, ${w.running.length} job(s))`);
      throw new ExitStatus(TIMED_OUT, [
        `timed out after ${(timeoutMs ?? 0) / 1000} s; still running: ${names.join(", ")}`,
      ]);
    }
    await sleep(Math.min(POLL_MS, deadline - now));
  }
}
