import { QueueError } from "../../core/errors.js";

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "57P01", // admin_shutdown: the server is restarting or our backend was terminated
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "53300", // too_many_connections
  "3D000", // the database does not exist
  "28000", // invalid authorization
  "28P01", // invalid password
]);

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (CONNECTION_CODES.has(code) || code.startsWith("08"))) return true;
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}

/**
 * SQLSTATE classes of errors that come from what a statement was given: cardinality (21), data (22),
 * integrity constraints (23), trigger rules (27), check options (44), PL/pgSQL RAISE (P0). The same
 * statement with the same values fails again; the server is not at fault.
 */
const STATEMENT_CLASSES = new Set(["21", "22", "23", "27", "44", "P0"]);

/**
 * Any other error of a reachable server means it cannot do the work now: out of disk, memory or
 * connections, read-only after a failover, a lock or statement timeout, a deadlock that kept
 * recurring, privileges or schema changed under us. Waiting (for the server or an operator) helps.
 */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !STATEMENT_CLASSES.has(code.slice(0, 2));
}

/** The one-line message the faces print when PostgreSQL cannot be reached. */
export function unavailable(location: string, error: unknown): QueueError {
  return new QueueError("unavailable", `cannot reach PostgreSQL at ${location}: ${reason(error)}`);
}

/** The one-line message when PostgreSQL is reachable but cannot do the work just now. */
export function busy(location: string, error: unknown): QueueError {
  return new QueueError("unavailable", `PostgreSQL at ${location} cannot do it now: ${reason(error)}`);
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node 20 reports a refused connection to a name with several addresses as an AggregateError
  // with an empty message: use the first inner error, or the code.
  let message = error.message;
  if (!message && error instanceof AggregateError) {
    const inner = error.errors.find((e): e is Error => e instanceof Error);
    message = inner?.message ?? "";
  }
  if (!message) message = String((error as { code?: unknown }).code ?? error.name);
  return message.replace(/\s+/g, " ").trim();
}
