import { isFinished } from "../core/job-state.js";
import type { Queue } from "../core/queue.js";
import type { OutputStream } from "../core/types.js";
import { writeRaw } from "./output.js";

const POLL_MS = 200;

/**
 * Prints a job's output as it grows, like tail -f, until the job ends (completed or dead): a retry
 * is followed into its next attempt. With `attempt`, only that attempt is followed. The store keeps
 * head + tail, so new bytes are always the end of the stored data; if more arrived than the tail
 * holds, a marker says so.
 */
export async function followOutput(queue: Queue, id: string, stream: OutputStream, attempt?: number): Promise<void> {
  let printed = 0;
  let number = attempt;
  for (;;) {
    const job = await queue.get(id);
    const attempts = await queue.attempts(id);
    const latest = attempts.at(-1)?.number;
    if (number === undefined) {
      if (latest === undefined) {
        if (isFinished(job.state)) return;
        await sleep(POLL_MS);
        continue;
      }
      number = latest;
    }
    const output = await queue.output(id, { stream, attempt: number });
    const fresh = output.total_bytes - printed;
    if (fresh > 0) {
      const available = Math.min(fresh, output.data.length);
      if (available < fresh) await writeRaw(Buffer.from(`\n[queuectl: ${fresh - available} bytes not kept]\n`));
      await writeRaw(output.data.subarray(output.data.length - available));
      printed = output.total_bytes;
    }
    // The output was read after the attempt's outcome, so a finished attempt is printed whole.
    const current = attempts.find((a) => a.number === number);
    if (current && current.outcome !== "running") {
      if (attempt !== undefined || isFinished(job.state)) return;
      // It will run again: wait for the next attempt and follow that one.
      const retryAt = new Date(job.run_at).toISOString();
      process.stderr.write(
        `[queuectl: attempt ${number} ${current.outcome}; following the next attempt, due ${retryAt}]\n`,
      );
      const previous = number;
      for (;;) {
        await sleep(POLL_MS);
        const next = (await queue.attempts(id)).at(-1)?.number ?? previous;
        const state = (await queue.get(id)).state;
        if (next > previous) {
          number = next;
          break;
        }
        if (isFinished(state)) return;
      }
      printed = 0;
      continue;
    }
    await sleep(POLL_MS);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
