/**
 * The CLI end-to-end scenarios, run against the built binary (`node bin/queuectl.js`) as a user
 * would, one file per command group. Engine-agnostic: `makeEnv` gives each test a fresh, empty
 * store (SQLite: a temp QUEUECTL_HOME; PostgreSQL: QUEUECTL_DB pointing at a fresh database), so
 * the same scenarios run on both engines.
 */
import { describe, it } from "node:test";
import { withHarness, type MakeEnv } from "../harness.js";
import { configScenarios } from "./config.js";
import { dlqScenarios } from "./dlq.js";
import { enqueueScenarios } from "./enqueue.js";
import { errorScenarios } from "./errors.js";
import { jobScenarios } from "./job.js";
import { queueScenarios } from "./queues.js";
import { queueMetricsScenarios } from "./queue-metrics.js";
import { pruneScenarios } from "./prune.js";
import type { Scenario, ScenarioGroup } from "./scenario.js";
import { statusScenarios } from "./status.js";
import { workerScenarios } from "./worker.js";

export type { MakeEnv, CliEnv } from "../harness.js";
export type { ScenarioGroup } from "./scenario.js";

const GROUP_TITLES: Record<ScenarioGroup, string> = {
  input: "input, config, listing",
  jobs: "running jobs",
  workers: "workers",
  queues: "named queues",
};

const SCENARIOS: readonly Scenario[] = [
  ...errorScenarios,
  ...enqueueScenarios,
  ...configScenarios,
  ...statusScenarios,
  ...jobScenarios,
  ...dlqScenarios,
  ...workerScenarios,
  ...queueScenarios,
  ...queueMetricsScenarios,
  ...pruneScenarios,
];

/**
 * Defines every scenario. `groups` restricts to some groups (so one engine's suite can be split
 * across files that the runner runs in parallel).
 */
export function cliScenarios(engine: string, makeEnv: MakeEnv, groups?: ScenarioGroup[]): void {
  for (const group of Object.keys(GROUP_TITLES) as ScenarioGroup[]) {
    if (groups && !groups.includes(group)) continue;
    describe(`cli [${engine}]: ${GROUP_TITLES[group]}`, () => {
      for (const s of SCENARIOS.filter((x) => x.group === group)) {
        it(s.name, { timeout: s.timeoutMs }, () => withHarness(makeEnv, s.run));
      }
    });
  }
}
