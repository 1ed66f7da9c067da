import { fstatSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
import { pino, stdTimeFunctions, type Logger } from "pino";
import { printable } from "../core/printable.js";
import type { LogOptions } from "./log-options.js";

/**
 * The log of `worker start` and `web`: pino, on stderr (stdout is for answers), as JSON lines
 * for machines or as readable lines for people. A log that cannot be written (a full disk,
 * /dev/full, a closed pipe) loses lines, never the worker: losing log lines must not stop jobs.
 */

/** Loaded only by the commands that serve (pino takes a while to load), pino-pretty only if used. */
export async function createLogger(options: LogOptions): Promise<Logger> {
  const pretty = (options.logFormat ?? (isatty(2) ? "pretty" : "json")) === "pretty";
  const sink = new StderrSink(pretty ? await prettyLines() : (line) => line);
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
async function prettyLines(): Promise<(line: string) => string> {
  const { prettyFactory } = await import("pino-pretty");
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
