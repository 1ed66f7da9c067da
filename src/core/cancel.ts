import { constants } from "node:os";
import { CONFIG_BOUNDS, type Config } from "./config.js";
import { parseDuration } from "./duration.js";
import { conflict, invalid, notFound, type QueueError } from "./errors.js";
import { quote } from "./printable.js";
import type { CancelAnswer, CancelOrder, Store } from "./store.js";
import type { Job } from "./types.js";

/** What a caller may give a cancel: a signal name (`TERM`, `SIGINT`, `sigkill`) and a grace. */
export interface CancelOptions {
  signal?: unknown;
  /** Seconds (a number), or a duration as typed (`10s`, `500ms`, `2m`); default: config kill-grace. */
  grace?: unknown;
}

export const DEFAULT_CANCEL_SIGNAL = "SIGTERM";

/** The cancel's order, validated: an "invalid" QueueError names the option, and nothing is written. */
export function cancelOrder(options: CancelOptions, config: Pick<Config, "kill-grace">): CancelOrder {
  return {
    signal: options.signal === undefined ? DEFAULT_CANCEL_SIGNAL : signalName(options.signal),
    grace_ms: options.grace === undefined ? Math.round(config["kill-grace"] * 1000) : graceMs(options.grace),
  };
}

/** `TERM`, `SIGTERM`, `sigterm` → "SIGTERM"; anything that is not a signal of this system is refused. */
function signalName(value: unknown): string {
  const text = typeof value === "string" ? value.trim().toUpperCase() : "";
  const name = text.startsWith("SIG") ? text : `SIG${text}`;
  if (text === "" || !Object.hasOwn(constants.signals, name)) {
    const problem = `must be a signal name such as TERM, INT, HUP or KILL, got ${quote(value)}`;
    throw invalid(`signal: ${problem}`, { signal: problem });
  }
  return name;
}

/** The grace in ms, within the bounds of the kill-grace setting. */
function graceMs(value: unknown): number {
  const ms =
    typeof value === "number" && Number.isFinite(value)
      ? Math.round(value * 1000)
      : typeof value === "string"
        ? parseDuration(value)
        : null;
  const { min, max } = CONFIG_BOUNDS["kill-grace"];
  if (ms === null || ms < min * 1000 || ms > max * 1000) {
    const problem = `must be a duration such as 500ms, 10s or 1m (bare: seconds) from 0 to ${max} s, got ${quote(value)}`;
    throw invalid(`grace: ${problem}`, { grace: problem });
  }
  return ms;
}

/** Why a cancel was refused, as the faces say it; null when it was not. */
export function cancelRefusal(id: string, answer: CancelAnswer): QueueError | null {
  if (answer.job === null) return notFound("job", id);
  if (answer.done === "refused") return conflict(`job ${id} is ${answer.job.state}: nothing to cancel`);
  return null;
}

/** What a cancel of several jobs did: each id handled on its own. */
export interface CancelJobsResult {
  /** Jobs cancelled (state cancelled) or being cancelled (still processing, cancel_signal set). */
  done: Job[];
  refused: { id: string; error: string; code: "not_found" | "conflict" }[];
}

/** Queue.cancelJobs: the order validated first (nothing written if it is bad), then each id. */
export async function cancelJobs(
  store: Store,
  config: Pick<Config, "kill-grace">,
  ids: readonly string[],
  options: CancelOptions,
): Promise<CancelJobsResult> {
  const order = cancelOrder(options, config);
  const result: CancelJobsResult = { done: [], refused: [] };
  for (const id of new Set(ids)) {
    const answer = await store.cancelJob(id, order, Date.now());
    const refusal = cancelRefusal(id, answer);
    if (refusal) result.refused.push({ id, error: refusal.message, code: refusalCode(refusal) });
    else result.done.push(answer.job as Job);
  }
  // The workers holding running ones hear of it at once: the wake-up brings their heartbeat forward.
  if (result.done.some((job) => job.state === "processing")) store.notify();
  return result;
}

function refusalCode(error: QueueError): "not_found" | "conflict" {
  return error.kind === "not_found" ? "not_found" : "conflict";
}
