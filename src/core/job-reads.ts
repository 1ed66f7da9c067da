import { notFound } from "./errors.js";
import type { Store } from "./store.js";
import type { Attempt, AttemptOutput, Job, OutputStream } from "./types.js";

/** Which output Queue.output reads: a stream (default stdout) of one attempt (default the latest). */
export interface OutputRequest {
  stream?: OutputStream;
  attempt?: number;
  /** Only what was written after this many bytes (see Store.getOutput). */
  from?: number;
}

/** The job, or not_found naming it. */
export async function requireJob(store: Store, id: string): Promise<Job> {
  const job = await store.getJob(id);
  if (!job) throw notFound("job", id);
  return job;
}

/** Every attempt of a job, number ascending; not_found for an unknown job. */
export async function jobAttempts(store: Store, id: string): Promise<Attempt[]> {
  await requireJob(store, id);
  return store.listAttempts(id);
}

/** The output Queue.output answers, with the attempt it is of; not_found names what is missing. */
export async function attemptOutput(
  store: Store,
  id: string,
  options: OutputRequest,
): Promise<AttemptOutput & { attempt: number }> {
  const stream = options.stream ?? "stdout";
  const number = options.attempt ?? (await jobAttempts(store, id)).at(-1)?.number;
  if (number === undefined) throw notFound("output (the job has not run yet) of job", id);
  const output = await store.getOutput(id, number, stream, options.from);
  if (!output) {
    await requireJob(store, id); // an unknown job is named as such
    throw notFound(`attempt ${number} of job`, id);
  }
  return { ...output, attempt: number };
}
