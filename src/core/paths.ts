import { homedir } from "node:os";
import { join } from "node:path";
import { invalid } from "./errors.js";
import { quote } from "./printable.js";

/** $QUEUECTL_HOME, else $XDG_DATA_HOME/queuectl, else ~/.local/share/queuectl. */
export function queuectlHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QUEUECTL_HOME) return env.QUEUECTL_HOME;
  const dataHome = env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(dataHome, "queuectl");
}

/**
 * The store location: an explicit --db, else $QUEUECTL_DB, else the SQLite file in the home.
 * A URL of a scheme no engine speaks (a typo such as postgress://, or mysql://) is refused: taken
 * as a file path it would silently become a new, empty SQLite queue.
 */
export function storeLocation(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const location = explicit || env.QUEUECTL_DB || join(queuectlHome(env), "queuectl.db");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1];
  if (scheme !== undefined && !isPostgresUrl(location)) {
    const source = explicit ? "--db" : "QUEUECTL_DB";
    throw invalid(
      `${source}: unknown scheme ${quote(`${scheme}://`)}: give a file path (SQLite) or a postgres:// URL`,
      { db: "unknown scheme" },
    );
  }
  return location;
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Where detached workers write their logs: $QUEUECTL_HOME/logs when that folder is pinned, else
 * $XDG_STATE_HOME/queuectl/logs or ~/.local/state/queuectl/logs (logs are state, not data).
 */
export function logsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QUEUECTL_HOME) return join(env.QUEUECTL_HOME, "logs");
  const stateHome = env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(stateHome, "queuectl", "logs");
}
