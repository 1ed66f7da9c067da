import type { EnqueuedJob } from "../core/queue.js";
import { tell } from "./tell.js";

/** On stderr: the job answered is one that held the key already (stdout still carries its id). */
export function tellExisting(job: EnqueuedJob, mode: unknown): void {
  const what = mode === "replace" && job.state !== "processing" ? "replaced" : "exists";
  tell(`job ${job.id} with key ${job.key ?? "?"} ${what}`);
}
