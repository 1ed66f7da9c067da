import { accessSync, constants, statSync } from "node:fs";

/**
 * Why a command could not start, for its attempt's error. A missing or unusable working directory
 * is reported by the spawn only as an errno (ENOENT reads as if /bin/sh were missing), so on this
 * rare path the directory is looked at to name it.
 */
export function startErrorMessage(error: Error, cwd: string | undefined): string {
  return (cwd === undefined ? null : directoryProblem(cwd)) ?? `cannot start /bin/sh: ${error.message}`;
}

function directoryProblem(cwd: string): string | null {
  try {
    if (!statSync(cwd).isDirectory()) return `working directory ${cwd} is not a directory`;
    accessSync(cwd, constants.X_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return `working directory ${cwd} does not exist`;
    if (code === "EACCES") return `working directory ${cwd} cannot be entered (permission denied)`;
    return `working directory ${cwd} cannot be used: ${(error as Error).message}`;
  }
}
