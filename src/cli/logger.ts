import { Option } from "commander";
import { fstatSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import { pino, stdTimeFunctions, type Logger } from "pino";
import { prettyFactory } from "pino-pretty";
import { printable } from "../core/printable.js";

/**
 * The log of `worker start` and `web`: pino, on stderr (stdout is for answers), as JSON lines
 * for machines or as readable lines for people. A log that cannot be written (a full disk,
 * /dev/full, a closed pipe) loses lines, never the worker: losing log lines must not stop jobs.
 */

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

export function createLogger(options: LogOptions): Logger {
  const pretty = (options.logFormat ?? (isatty(2) ? "pretty" : "json")) === "pretty";
  const sink = new StderrSink(pretty ? prettyLines() : (line) => line);
  const logger = pino(
    {
      level: options.logLevel,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    sink,
  );
  sink.recovered = (lines, reason) =>
    logger.warn({ event: "log.dropped", lines, reason }, `${lines} log line(s) were dropped: ${reason}`);
  return logger;
}

/**
 * Readable lines: time, level, message; the fields stay in the JSON form, the messages carry what
 * people need. Messages quote commands and ids, so their control characters are shown escaped.
 */
function prettyLines(): (line: string) => string {
  const colorize = isatty(2) && !process.env.NO_COLOR;
  const format = prettyFactory({
    colorize,
    translateTime: "SYS:yyyy-mm-dd HH:MM:ss.l",
    ignore: "pid,hostname",
    hideObject: true,
    messageFormat: (log, key) => {
      const stack = (log.err as { stack?: unknown } | undefined)?.stack;
      const message = printable(`${String(log[key] ?? "")}${request(log)}`);
      return typeof stack === "string" ? `${message}\n    ${printable(stack, { lines: true })}` : message;
    },
  });
  return (line) => format(line);
}

/** Fastify's request lines (at debug) name the request and its answer in fields: shown here too. */
function request(log: Record<string, unknown>): string {
  const req = log.req as { method?: unknown; url?: unknown } | undefined;
  const res = log.res as { statusCode?: unknown } | undefined;
  const took = typeof log.responseTime === "number" ? ` in ${log.responseTime.toFixed(1)} ms` : "";
  return `${req ? `: ${String(req.method)} ${String(req.url)}` : ""}${res ? `: ${String(res.statusCode)}${took}` : ""}`;
}

/** Writes whole lines to fd 2; counts what it could not write and says so once it can again. */
class StderrSink {
  recovered: (lines: number, reason: string) => void = () => {};
  private dropped: { lines: number; reason: string } | null = null;
  private readonly file = fileLike(2);
  private broken = false;
  /** The last line was written in part: the file does not end with a newline. */
  private cut = false;

  constructor(private readonly render: (line: string) => string) {
    // A pipe or terminal reports failures (EPIPE) asynchronously; after one, nothing more is tried.
    process.stderr.on("error", () => (this.broken = true));
  }

  write(line: string): void {
    const text = this.render(line);
    if (!this.file) {
      if (!this.broken) process.stderr.write(text);
      return;
    }
    // Written directly, so a failure (ENOSPC) loses this line only: the next one is tried again,
    // and logging resumes by itself once the disk has room. A line cut short is ended first.
    const data = Buffer.from(this.cut ? `\n${text}` : text);
    let written = 0;
    try {
      while (written < data.length) written += writeSync(2, data, written);
    } catch (error) {
      if (written > 0) this.cut = true;
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      if (this.dropped) this.dropped.lines++;
      else this.dropped = { lines: 1, reason };
      return;
    }
    this.cut = false;
    if (this.dropped) {
      const { lines, reason } = this.dropped;
      this.dropped = null;
      this.recovered(lines, reason);
    }
  }
}

/** A file or a device that is not a terminal (a log file, /dev/full, /dev/null). */
function fileLike(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFile() || (stat.isCharacterDevice() && !isatty(fd));
  } catch {
    return false;
  }
}
