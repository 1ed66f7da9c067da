import type { Config, NumericConfigKey } from "./config.js";
import type { JobState } from "./types.js";

/**
 * Which finished jobs are deleted after how long: each prunable state and the setting that holds
 * its retention. A new terminal state is one more line here. Pending, scheduled, failed-awaiting-retry and running jobs
 * are never pruned.
 */
export const RETENTION_BY_STATE = {
  completed: "retention-completed",
  dead: "retention-dead",
  cancelled: "retention-cancelled",
} as const satisfies Partial<Record<JobState, NumericConfigKey>>;

export type PrunableState = keyof typeof RETENTION_BY_STATE;

export const PRUNABLE_STATES = Object.keys(RETENTION_BY_STATE) as PrunableState[];

export function isPrunableState(state: string): state is PrunableState {
  return Object.hasOwn(RETENTION_BY_STATE, state);
}

/** Rows removed per transaction: small enough that claims never wait long behind a prune. */
export const PRUNE_BATCH = 500;

/** One thing to prune: the jobs of a state, or the output of finished runs, ended before `before`. */
export type PruneTarget = { what: PrunableState; before: number } | { what: "output"; before: number };

/**
 * What retention asks for at `now`: one target per state whose retention is not 0 (forever), and
 * the output of runs when retention-output is not 0. `olderThanMs` replaces every configured
 * retention (a `prune --older-than`); `only` keeps one target.
 */
export function pruneTargets(
  config: Config,
  now: number,
  options: { olderThanMs?: number; only?: PrunableState | "output" } = {},
): PruneTarget[] {
  const limit = (key: NumericConfigKey): number | null => {
    if (options.olderThanMs !== undefined) return now - options.olderThanMs;
    return config[key] > 0 ? now - config[key] * 1000 : null;
  };
  const targets: PruneTarget[] = [];
  for (const state of PRUNABLE_STATES) {
    const before = limit(RETENTION_BY_STATE[state]);
    if (before !== null) targets.push({ what: state, before });
  }
  const outputBefore = limit("retention-output");
  if (outputBefore !== null) targets.push({ what: "output", before: outputBefore });
  return options.only === undefined ? targets : targets.filter((t) => t.what === options.only);
}
