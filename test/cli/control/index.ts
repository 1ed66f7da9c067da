/**
 * The CLI scenarios of `add`, `wait`, `job output --follow` and `job delete` / `job retry`, registered per engine like the
 * main scenarios (test/cli/scenarios/index.ts), in their own files so the runner runs them apart.
 */
import { describe, it } from "node:test";
import { withHarness, type MakeEnv } from "../harness.js";
import type { Scenario } from "../scenarios/scenario.js";
import { addScenarios } from "./add.js";
import { blockedListScenarios } from "./blocked-list.js";
import { cancelScenarios } from "./cancel.js";
import { deleteRetryScenarios } from "./delete-retry.js";
import { dependencyScenarios } from "./dependencies.js";
import { followScenarios } from "./follow.js";
import { keyScenarios, policyScenarios } from "./policy.js";
import { waitScenarios } from "./wait.js";

const SETS: Record<string, readonly Scenario[]> = {
  add: addScenarios,
  cancel: cancelScenarios,
  "delete-retry": deleteRetryScenarios,
  follow: followScenarios,
  wait: waitScenarios,
  keys: keyScenarios,
  policy: policyScenarios,
  dependencies: dependencyScenarios,
  "blocked-list": blockedListScenarios,
};

export function controlScenarios(engine: string, makeEnv: MakeEnv, sets: (keyof typeof SETS)[]): void {
  for (const set of sets) {
    describe(`cli [${engine}]: ${set}`, () => {
      for (const s of SETS[set]!) it(s.name, { timeout: s.timeoutMs }, () => withHarness(makeEnv, s.run));
    });
  }
}
