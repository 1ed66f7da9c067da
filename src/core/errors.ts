import { printable } from "./printable.js";

/**
 * One error type for everything a user can get wrong or run into. The faces map `kind` to an exit
 * code (CLI) or a status code (HTTP); the message is one line that names the problem.
 */
export type ErrorKind =
  | "invalid" // bad input or usage: CLI exit 2, HTTP 400
  | "not_found" // unknown id: exit 1, HTTP 404
  | "conflict" // duplicate id, wrong state for the operation: exit 1, HTTP 409
  | "unavailable"; // the store cannot be reached: exit 1, HTTP 503

export class QueueError extends Error {
  readonly kind: ErrorKind;
  /** For "invalid": the offending fields and what is wrong with each. */
  readonly fields: Record<string, string>;

  constructor(kind: ErrorKind, message: string, fields: Record<string, string> = {}) {
    // Messages quote what users gave (ids, keys, values): escaped here, once, they stay one line
    // and cannot drive the terminal or log that shows them.
    super(printable(message));
    this.name = "QueueError";
    this.kind = kind;
    this.fields = Object.fromEntries(Object.entries(fields).map(([key, value]) => [printable(key), printable(value)]));
  }
}

export const invalid = (message: string, fields: Record<string, string> = {}): QueueError =>
  new QueueError("invalid", message, fields);

export const notFound = (what: string, id: string): QueueError =>
  new QueueError("not_found", `${what} not found: ${id}`);

export const conflict = (message: string): QueueError => new QueueError("conflict", message);

/** The store cannot be reached or written just now (connection lost, locked, disk full): waiting may help. */
export const isUnavailable = (error: unknown): boolean => error instanceof QueueError && error.kind === "unavailable";

/**
 * The store this process opened is gone from under it (e.g. its SQLite file was deleted or replaced):
 * retrying cannot help and writing on would only reach a file nobody else sees. A worker stops.
 */
export class StoreLostError extends QueueError {
  constructor(message: string) {
    super("unavailable", message);
    this.name = "StoreLostError";
  }
}
