import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { QueueError, type ErrorKind } from "../core/errors.js";
import type { Log } from "../worker/log.js";

/** The one error body of the API: a one-line message, plus the offending fields for bad input. */
export interface ErrorBody {
  error: string;
  fields: Record<string, string>;
}

export const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
};

/** An error this layer raises itself (auth, CSRF, content type): a status and a message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/**
 * Maps anything thrown by a route to `{error, fields}` and a status. QueueError carries its kind;
 * Fastify's own errors (bad JSON, body too large, unsupported type) carry a 4xx statusCode; anything
 * else is a bug and becomes a 500 without internals in the body.
 */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof QueueError) {
    return { status: STATUS_OF[error.kind], body: { error: error.message, fields: error.fields } };
  }
  if (error instanceof HttpError) {
    return { status: error.status, body: { error: error.message, fields: error.fields } };
  }
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const fields: Record<string, string> = fastifyError.code?.startsWith("FST_ERR_CTP") ? { body: "invalid" } : {};
    return { status, body: { error: describeFastifyError(fastifyError), fields } };
  }
  return { status: 500, body: { error: "internal error (see the server log)", fields: {} } };
}

function describeFastifyError(error: Partial<FastifyError>): string {
  switch (error.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "body: invalid JSON";
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return "body: too large";
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return "Content-Type must be application/json";
    default:
      return error.message ?? "bad request";
  }
}

export function errorHandler(log: Log) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500 && status !== 503) {
      const { method, url } = request;
      const err = error instanceof Error ? error : new Error(String(error));
      log.error({ event: "http.error", method, url, status, err }, `${method} ${url}: ${err.message}`);
    }
    void reply.code(status).send(body);
  };
}
