import type { Queue } from "../core/queue.js";
import type { OutputStream } from "../core/types.js";
import { writeRaw } from "./commands/jobs.js";

const POLL_MS = 200;

/**
 * Prints an attempt's output as it grows until the attempt ends. The store keeps head + tail, so
 * new bytes are always the end of the stored data; if more arrived than the tail holds, say so.
 */
export async function followOutput(queue: Queue, id: string, stream: OutputStream, attempt?: number): Promise<void> {
  let printed = 0;
  let number = attempt;
  for (;;) {
    const job = await queue.get(id);
    const attempts = await queue.attempts(id);
    // Wait for a job that has not started yet.
    if (number === undefined && attempts.length === 0) {
      if (job.state === "dead" || job.state === "completed") return;
      await sleep(POLL_MS);
      continue;
    }
    number ??= attempts.at(-1)?.number ?? 1;
    const output = await queue.output(id, { stream, attempt: number });
    const fresh = output.total_bytes - printed;
    if (fresh > 0) {
      const available = Math.min(fresh, output.data.length);
      if (available < fresh) await writeRaw(Buffer.from(`\n[queuectl: ${fresh - available} bytes not kept]\n`));
      await writeRaw(output.data.subarray(output.data.length - available));
      printed = output.total_bytes;
    }
    const current = attempts.find((a) => a.number === number);
    // The output was read after the attempt's outcome, so a finished attempt is printed whole.
    if (current && current.outcome !== "running") return;
    await sleep(POLL_MS);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
