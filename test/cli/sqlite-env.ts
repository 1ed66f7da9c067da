import { tempHome } from "../helpers/env.js";
import type { CliEnv } from "./harness.js";

/** A fresh SQLite store per test: QUEUECTL_HOME=<temp dir>, so the store is <dir>/queuectl.db. */
export function sqliteEnv(): CliEnv {
  const t = tempHome("queuectl-cli-");
  // QUEUECTL_DB="" neutralises a QUEUECTL_DB inherited from the caller's environment.
  return { home: t.home, env: { QUEUECTL_HOME: t.home, QUEUECTL_DB: "" }, cleanup: t.cleanup };
}
