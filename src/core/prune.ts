import type { Config } from "./config.js";
import { parseDuration } from "./duration.js";
import { invalid } from "./errors.js";
import { quote } from "./printable.js";
import { PRUNABLE_STATES, PRUNE_BATCH, isPrunableState, pruneTargets, type PruneTarget } from "./retention.js";
import type { Store } from "./store.js";

/** What one target gave: jobs deleted (or runs whose output was dropped), or would be with a dry run. */
export interface PruneResult {
  what: PruneTarget["what"];
  before: number;
  removed: number;
}

export interface PruneOptions {
  dryRun?: boolean;
  /** Awaited between two batches: a pause that lets claims through (the worker's pruner). */
  between?: () => Promise<void>;
  /** Asked before each batch: stop early (a worker that is stopping). */
  stop?: () => boolean;
}

/**
 * Applies targets batch by batch (PRUNE_BATCH rows per transaction), each until nothing is left,
 * freeing the space after each batch. A dry run only counts.
 */
export async function prune(store: Store, targets: PruneTarget[], options: PruneOptions = {}): Promise<PruneResult[]> {
  const results: PruneResult[] = [];
  for (const target of targets) {
    if (options.dryRun) {
      results.push({ ...target, removed: await store.countPrunable(target.what, target.before) });
      continue;
    }
    let removed = 0;
    for (;;) {
      if (options.stop?.()) break;
      const n =
        target.what === "output"
          ? await store.pruneOutput(target.before, PRUNE_BATCH)
          : await store.pruneJobs(target.what, target.before, PRUNE_BATCH);
      removed += n;
      if (n > 0) await store.reclaimSpace();
      if (n < PRUNE_BATCH) break;
      await options.between?.();
    }
    results.push({ ...target, removed });
  }
  return results;
}

/** A prune asked for by hand (`queuectl prune`, the library): as people type it, checked here. */
export interface PruneRequest {
  /** A prunable state, or "output"; default every target retention names. */
  state?: string;
  /** A duration (`7d`, `12h`, seconds): replaces the configured retentions; 0 = all finished. */
  olderThan?: string;
  dryRun?: boolean;
  /** Rewrite the SQLite file afterwards (VACUUM), turning incremental vacuum on for an older file. */
  vacuum?: boolean;
}

export function pruneTargetsFor(request: PruneRequest, config: Config, now: number): PruneTarget[] {
  const only = request.state;
  if (only !== undefined && only !== "output" && !isPrunableState(only)) {
    const known = [...PRUNABLE_STATES, "output"].join(", ");
    throw invalid(`--state: must be one of ${known}, got ${quote(only)}`, { state: "not prunable" });
  }
  let olderThanMs: number | undefined;
  if (request.olderThan !== undefined) {
    const ms = parseDuration(request.olderThan);
    if (ms === null) {
      throw invalid(
        `--older-than: must be a duration such as 7d, 12h, 30m or seconds, got ${quote(request.olderThan)}`,
        {
          older_than: "not a duration",
        },
      );
    }
    olderThanMs = ms;
  }
  return pruneTargets(config, now, { olderThanMs, only });
}

/** `queuectl prune`: checks the request, then prunes (or counts) now. */
export async function pruneNow(store: Store, config: Config, request: PruneRequest): Promise<PruneResult[]> {
  const targets = pruneTargetsFor(request, config, Date.now());
  const results = await prune(store, targets, { dryRun: request.dryRun });
  if (request.vacuum && !request.dryRun) await store.reclaimSpace(true);
  return results;
}
