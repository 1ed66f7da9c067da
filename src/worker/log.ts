/**
 * Where a worker (and the web server) report what they do: one event per call, with fields for
 * machines (`event`, `job_id`, `attempt`, `worker_id`, `duration_ms`…) and a sentence for people.
 * A pino logger is one; the CLI makes one that writes to stderr. The default says nothing.
 */
export interface LogFields {
  /** What happened, dotted: `job.finished`, `worker.started`, `store.busy`… */
  event: string;
  [field: string]: unknown;
}

export type LogMethod = (fields: LogFields, message: string) => void;

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Log {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  /** Whether calls at `level` go anywhere (pino has it); without it, every level is taken as on. */
  isLevelEnabled?(level: LogLevel): boolean;
}

const nothing: LogMethod = () => {};

export const silentLog: Log = {
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
  isLevelEnabled: () => false,
};

/** For the events of every job: their message is not even built when nothing takes it. */
export const logsAt = (log: Log, level: LogLevel): boolean => log.isLevelEnabled?.(level) ?? true;
