import { homedir } from "node:os";
import { join } from "node:path";

/** $QUEUECTL_HOME, else $XDG_DATA_HOME/queuectl, else ~/.local/share/queuectl. */
export function queuectlHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QUEUECTL_HOME) return env.QUEUECTL_HOME;
  const dataHome = env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(dataHome, "queuectl");
}

/** The store location: an explicit --db, else $QUEUECTL_DB, else the SQLite file in the home. */
export function storeLocation(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit || env.QUEUECTL_DB || join(queuectlHome(env), "queuectl.db");
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

export function logsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(queuectlHome(env), "logs");
}
