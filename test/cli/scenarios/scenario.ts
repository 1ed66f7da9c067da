/** One CLI end-to-end scenario, declared once and registered for each engine by `cliScenarios`. */
import type { Harness } from "../harness.js";

/**
 * Which test file runs a scenario: the runner runs files in parallel, so one engine's suite is
 * split across files by group (the slow worker-process scenarios apart from the rest).
 */
export type ScenarioGroup = "input" | "jobs" | "workers" | "queues";

export interface Scenario {
  group: ScenarioGroup;
  name: string;
  run: (h: Harness) => Promise<void>;
  timeoutMs: number;
}

export function scenario(
  group: ScenarioGroup,
  name: string,
  run: (h: Harness) => Promise<void>,
  timeoutMs = 60_000,
): Scenario {
  return { group, name, run, timeoutMs };
}
