import { Option } from "commander";

/** The options of the commands that log (worker start, web); the logger itself is cli/logger.ts. */

const LOG_FORMATS = ["json", "pretty"] as const;
const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

export interface LogOptions {
  logFormat?: (typeof LOG_FORMATS)[number];
  logLevel: (typeof LOG_LEVELS)[number];
}

export const logFormatOption = (): Option =>
  new Option("--log-format <format>", "log on stderr as json lines or pretty text (default: pretty on a terminal)")
    .choices(LOG_FORMATS)
    .default(undefined);

export const logLevelOption = (more = ""): Option =>
  new Option("--log-level <level>", `least severe level logged${more ? `; ${more}` : ""}`)
    .choices(LOG_LEVELS)
    .default("info");

/** The options again, for a process started from this one (a detached worker). */
export function logArgs(options: LogOptions): string[] {
  return [...(options.logFormat ? ["--log-format", options.logFormat] : []), "--log-level", options.logLevel];
}
