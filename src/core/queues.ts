import { invalid } from "./errors.js";
import { quote } from "./printable.js";
import type { StateCounts } from "./types.js";

/** The queue a job goes to when it names none. */
export const DEFAULT_QUEUE = "default";

export const QUEUE_NAME_RULE = "must be 1-64 characters of A-Z a-z 0-9 . _ -";
export const QUEUE_NAME = /^[A-Za-z0-9._-]{1,64}$/;
export const MAX_QUEUE_CONCURRENCY = 100_000;

/**
 * What a user may set on a queue; null concurrency = no limit (validated by core/queue-input.ts,
 * which loads zod: this module is on every command's path and stays without it).
 */
export interface QueueChange {
  paused?: boolean;
  concurrency?: number | null;
}

/** A queue's stored settings: shared by every worker on every host. */
export interface QueueSettings {
  name: string;
  paused: boolean;
  /** The most of its jobs processing at once across all workers; null = unlimited. */
  concurrency: number | null;
}

/** A queue as `queue list` shows it: settings, jobs per state, and how many run now. */
export interface QueueInfo extends QueueSettings {
  counts: StateCounts;
  running: number;
}

/** Validates a queue name given on its own (an argument, a URL segment). */
export function parseQueueName(value: unknown, field = "queue"): string {
  if (typeof value === "string" && QUEUE_NAME.test(value)) return value;
  const problem = `${QUEUE_NAME_RULE}, got ${quote(value)}`;
  throw invalid(`${field}: ${problem}`, { [field]: problem });
}

/** `a,b` as given to `worker start --queue`: distinct, validated names; null when not given. */
export function servedQueues(list: string | undefined): string[] | null {
  if (list === undefined) return null;
  const names = list.split(",").map((name) => name.trim());
  return [...new Set(names.map((name) => parseQueueName(name)))];
}

/**
 * How a claim must treat the queues, from the restricting settings (paused or limited queues) and
 * the queues the worker serves (null = all):
 * - `open`: nothing restricts this worker: the plain claim in pick-up order, whatever the queue.
 * - otherwise the claim takes each candidate queue on its own, at most `take(queue)` jobs of it, and
 *   merges them in pick-up order. `limited` are the queues whose running jobs must be counted (under
 *   a lock where the engine needs one) before `take` can say how many they may give.
 */
export type ClaimPlan =
  | { open: true }
  | {
      open: false;
      /** The queues served, or null for every queue that has waiting jobs. */
      served: string[] | null;
      paused: ReadonlySet<string>;
      /** Served, unpaused queues with a limit, sorted by name (the order locks are taken in). */
      limited: QueueSettings[];
    };

export function planClaim(restricting: readonly QueueSettings[], served: readonly string[] | null): ClaimPlan {
  const serves = (name: string) => served === null || served.includes(name);
  const relevant = restricting.filter((q) => serves(q.name) && (q.paused || q.concurrency !== null));
  if (served === null && relevant.length === 0) return { open: true };
  return {
    open: false,
    served: served === null ? null : [...served],
    paused: new Set(relevant.filter((q) => q.paused).map((q) => q.name)),
    limited: relevant
      .filter((q) => !q.paused && q.concurrency !== null)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/** One queue a restricted claim reads, and the most jobs it may take from it. */
export interface QueueTake {
  queue: string;
  take: number;
}

/**
 * Which queues may give how many jobs now: each candidate queue (served, with waiting jobs) that is
 * not paused gives up to `limit`, a limited one no more than its concurrency minus its jobs running
 * now (counted by the engine inside the claim's transaction). Queues that may give nothing are left
 * out, so a paused or full queue never holds back the others.
 */
export function queueTakes(
  plan: Extract<ClaimPlan, { open: false }>,
  candidates: readonly string[],
  running: ReadonlyMap<string, number>,
  limit: number,
): QueueTake[] {
  const limits = new Map(plan.limited.map((q) => [q.name, q.concurrency as number]));
  const takes: QueueTake[] = [];
  for (const queue of new Set(candidates)) {
    if (plan.paused.has(queue)) continue;
    const concurrency = limits.get(queue);
    const take = concurrency === undefined ? limit : Math.min(limit, concurrency - (running.get(queue) ?? 0));
    if (take > 0) takes.push({ queue, take });
  }
  return takes;
}

/** The pick-up order: priority descending, then created_at, then seq. */
export interface PickKey {
  priority: number;
  created_at: number;
  seq: number;
}

export const byPickOrder = (a: PickKey, b: PickKey): number =>
  b.priority - a.priority || a.created_at - b.created_at || a.seq - b.seq;
