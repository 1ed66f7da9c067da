import { invalid } from "./errors.js";
import { isFinished } from "./job-state.js";
import { printable } from "./printable.js";
import { JOB_STATES, type Job, type JobState } from "./types.js";

/**
 * Actions on chosen jobs (delete, retry): each id is handled on its own, so one answer lists what
 * was done and why the rest was refused. The words of each refusal live here, for every engine.
 */

/** The most ids one bulk request may name: its answer stays small. */
export const BULK_IDS_MAX = 1000;

/** Why one id was not acted on: no such job (not_found), or its state forbids it (conflict). */
export interface Refusal {
  id: string;
  error: string;
  code: "not_found" | "conflict";
}

export interface JobsActed {
  /** The jobs acted on, in the order given: a deleted job as it was, a retried one as it is now. */
  done: Job[];
  refused: Refusal[];
}

/** What became of one id: acted on, or refused. */
export type IdOutcome = { done: Job } | { refused: Refusal };

/** The outcomes of ids, in their order, as one answer. */
export function jobsActed(outcomes: readonly IdOutcome[]): JobsActed {
  const result: JobsActed = { done: [], refused: [] };
  for (const outcome of outcomes) {
    if ("done" in outcome) result.done.push(outcome.done);
    else result.refused.push(outcome.refused);
  }
  return result;
}

/** The states `retry` puts back to pending: the finished ones (isFinished is the rule). */
export const RETRYABLE_STATES: readonly JobState[] = JOB_STATES.filter(isFinished);

function noJob(id: string): Refusal {
  return { id, code: "not_found", error: `no job ${printable(id)}` };
}

/** A delete refused a job: unknown (`state` undefined), or running when it was tried. */
export function deleteRefusal(id: string, state: JobState | undefined): Refusal {
  if (state === undefined) return noJob(id);
  return { id, code: "conflict", error: `job ${printable(id)} is running: cancel it first` };
}

/**
 * A retry refused a job: unknown, or not finished. `state` was read after the conditional update
 * found nothing to change; a finished state there means the job was still running at the update.
 */
export function retryRefusal(id: string, state: JobState | undefined): Refusal {
  if (state === undefined) return noJob(id);
  const shown = printable(id);
  const why =
    state === "pending"
      ? "pending: it will run anyway"
      : state === "failed"
        ? "failed: its retry is already scheduled"
        : state === "processing" || isFinished(state)
          ? "running: retry it once it has finished"
          : `${state}: only finished jobs can be retried`;
  return { id, code: "conflict", error: `job ${shown} is ${why}` };
}

/** The ids in the order given, each once: a repeated id is one request, not a second refusal. */
export function idList(ids: readonly string[]): string[] {
  if (ids.length === 0) throw invalid("ids: give at least one job id", { ids: "at least one" });
  return [...new Set(ids)];
}

/** `{done: [ids], refused: [{id, error}]}`: the answer of the bulk API and of the CLI's --json. */
export function jobsActedJson(result: JobsActed): { done: string[]; refused: { id: string; error: string }[] } {
  return {
    done: result.done.map((job) => job.id),
    refused: result.refused.map(({ id, error }) => ({ id, error })),
  };
}
