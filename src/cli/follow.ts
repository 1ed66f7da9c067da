import { exitStatus } from "../core/exit-status.js";
import type { Queue } from "../core/queue.js";
import type { Attempt, OutputStream } from "../core/types.js";
import { isFinished } from "../core/job-state.js";
import { writeRaw } from "./output.js";

const POLL_MS = 200;

/**
 * Prints a job's output as it grows, like tail -f, until the job ends (completed or dead): a retry
 * is followed into its next attempt. With `attempt`, only that attempt is followed. Each stream is
 * read on from what was already printed; the store keeps head + tail, so new bytes are the end of
 * the stored data, and if more arrived than the tail holds, a marker says so. Resolves to the exit
 * status a shell would give for the run that ended it (see exitStatus).
 */
export async function followOutput(
  queue: Queue,
  id: string,
  streams: readonly OutputStream[],
  attempt?: number,
): Promise<number> {
  let number = attempt;
  let printed = { stdout: 0, stderr: 0 };
  for (;;) {
    const attempts = await queue.attempts(id);
    if (number === undefined) {
      number = attempts.at(-1)?.number;
      if (number === undefined) {
        const job = await queue.get(id);
        if (isFinished(job.state)) return job.state === "completed" ? 0 : 1;
        await sleep(POLL_MS);
        continue;
      }
    }
    const current = attempts.find((a) => a.number === number);
    // Read after the attempt's outcome, so a finished attempt is printed whole.
    for (const stream of streams) printed[stream] = await printNew(queue, id, number, stream, printed[stream]);
    if (current && current.outcome !== "running") {
      if (attempt !== undefined) return exitStatus(current);
      const job = await queue.get(id);
      if (isFinished(job.state)) return job.state === "completed" ? 0 : exitStatus(current);
      const next = await nextAttempt(queue, id, current);
      if (typeof next !== "number") return next.status;
      number = next;
      printed = { stdout: 0, stderr: 0 };
      continue;
    }
    await sleep(POLL_MS);
  }
}

/** Prints what an attempt's stream gained since `printed` bytes; returns the new count. */
async function printNew(queue: Queue, id: string, attempt: number, stream: OutputStream, printed: number) {
  const output = await queue.output(id, { stream, attempt, from: printed });
  const fresh = output.total_bytes - printed;
  if (fresh <= 0) return printed;
  const write = stream === "stdout" ? writeRaw : writeStderr;
  if (output.data.length < fresh)
    await write(Buffer.from(`\n[queuectl: ${fresh - output.data.length} bytes not kept]\n`));
  await write(output.data);
  return output.total_bytes;
}

/** Waits for the attempt after `ended`; or, if the job ends meanwhile, gives its exit status. */
async function nextAttempt(queue: Queue, id: string, ended: Attempt): Promise<number | { status: number }> {
  const job = await queue.get(id);
  process.stderr.write(
    `[queuectl: attempt ${ended.number} ${ended.outcome}; following the next attempt, due ${new Date(job.run_at).toISOString()}]\n`,
  );
  for (;;) {
    await sleep(POLL_MS);
    const latest = (await queue.attempts(id)).at(-1);
    if (latest && latest.number > ended.number) return latest.number;
    const now = await queue.get(id);
    if (isFinished(now.state)) return { status: now.state === "completed" ? 0 : exitStatus(latest) };
  }
}

function writeStderr(data: Buffer): Promise<void> {
  return new Promise((resolve) => process.stderr.write(data, () => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
