import { pidsMatching } from "./env.js";

/**
 * A worker's command runner helpers: the native spawner processes, or the Node ones when
 * QUEUECTL_SPAWNER=node or the spawner was not built (src/worker/runner.ts).
 */
export const HELPER_NAMES = ["runner-process.js", "queuectl-spawner"] as const;

/** The helper processes of a command runner in `parent` (default: every process). */
export function helperPids(parent?: number): number[] {
  return HELPER_NAMES.flatMap((name) => pidsMatching(name, parent));
}

/**
 * Runs a test file again with commands started by Node's spawn (the fallback path) rather than
 * the native spawner: its tests, and the workers they start, see QUEUECTL_SPAWNER=node.
 */
export async function onNodeSpawn(load: () => Promise<unknown>): Promise<void> {
  process.env.QUEUECTL_SPAWNER = "node";
  await load();
}
