import type { Config } from "./config.js";
import { parseDuration } from "./duration.js";
import { invalid } from "./errors.js";
import { quote } from "./printable.js";
import { PrunePace } from "./prune-pace.js";
import { PRUNABLE_STATES, isPrunableState, pruneTargets, type PruneTarget } from "./retention.js";
import type { Store } from "./store.js";

/** What one target gave: jobs deleted (or runs whose output was dropped), or would be with a dry run. */
export interface PruneResult {
  what: PruneTarget["what"];
  before: number;
  removed: number;
}

export interface PruneOptions {
  dryRun?: boolean;
  /**
   * Sizes and spaces the batches and reclaims space on its schedule (core/prune-pace.ts); the
   * caller reclaims the rest when it is done (`pace.reclaim(store, { now: true })`). Without one,
   * batches follow each other and the space is reclaimed at the end.
   */
  pace?: PrunePace;
  /** Asked before each batch: stop early (a worker that is stopping). */
  stop?: () => boolean;
}

/** Applies targets batch by batch, each until nothing is left. A dry run only counts. */
export async function prune(store: Store, targets: PruneTarget[], options: PruneOptions = {}): Promise<PruneResult[]> {
  const pace = options.pace ?? new PrunePace(false);
  const results: PruneResult[] = [];
  for (const target of targets) {
    if (options.dryRun) {
      results.push({ ...target, removed: await store.countPrunable(target.what, target.before) });
      continue;
    }
    let removed = 0;
    for (;;) {
      if (options.stop?.()) break;
      const limit = pace.batch;
      const { walked, freed } = await pruneBatch(store, target, pace, limit);
      pace.freedRows(freed);
      removed += freed;
      if (walked < limit) break;
      await pace.reclaim(store, { stop: options.stop });
    }
    results.push({ ...target, removed });
  }
  if (!options.pace) await pace.reclaim(store, { now: true });
  return results;
}

/**
 * One batch of a target: the rows walked (fewer than `limit`: nothing is left) and those freed,
 * which are what is reported: jobs deleted, or runs whose output was dropped (a run that printed
 * nothing is walked past, not counted).
 */
async function pruneBatch(
  store: Store,
  target: PruneTarget,
  pace: PrunePace,
  limit: number,
): Promise<{ walked: number; freed: number }> {
  if (target.what === "output") {
    const { walked, dropped } = await pace.step(
      () => store.pruneOutput(target.before, limit),
      (r) => r.walked,
    );
    return { walked, freed: dropped };
  }
  const what = target.what;
  const deleted = await pace.step(
    () => store.pruneJobs(what, target.before, limit),
    (n) => n,
  );
  return { walked: deleted, freed: deleted };
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
